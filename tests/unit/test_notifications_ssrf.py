"""The SSRF guard on a table of cases, with a fake resolver: a URL is
refused when ANY address its host resolves to is not public."""
import ipaddress

import pytest

from services.notifications import ssrf

TABLE = {
    "public.example": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    "loopback.example": ["127.0.0.1"],
    "mixed.example": ["93.184.216.34", "10.1.2.3"],           # one bad address is enough
    "v6-mixed.example": ["93.184.216.34", "fd12:3456::1"],
    "metadata.example": ["169.254.169.254"],
    "mapped.example": ["::ffff:192.168.1.10"],
    "mapped-public.example": ["::ffff:93.184.216.34"],
    "v6-loopback.example": ["::1"],
    "sixtofour.example": ["2002:c0a8:0101::1"],               # 6to4 of 192.168.1.1
    "teredo.example": ["2001:0:4136:e378:8000:63bf:3fff:fdd2"],
    "zero.example": ["0.0.0.0"],
    "multicast.example": ["224.0.0.251"],
    "cgnat.example": ["100.64.0.7"],
    "linklocal6.example": ["fe80::1%eth0"],
}


def fake_resolve(host, port):
    if host not in TABLE:
        raise OSError("Name or service not known")
    return TABLE[host]


@pytest.mark.parametrize("url, reason", [
    ("http://loopback.example/h", "loopback"),
    ("https://mixed.example/h", "private"),
    ("https://v6-mixed.example/h", "unique-local"),
    ("http://metadata.example/latest", "metadata"),
    ("http://169.254.169.254/latest/meta-data", "metadata"),
    ("http://mapped.example/h", "IPv4-mapped private"),
    ("http://v6-loopback.example/h", "loopback"),
    ("http://[::1]:8080/h", "loopback"),
    ("http://sixtofour.example/h", "6to4"),
    ("http://teredo.example/h", "Teredo"),
    ("http://zero.example/h", "unspecified"),
    ("http://multicast.example/h", "multicast"),
    ("http://cgnat.example/h", "shared"),
    ("http://linklocal6.example/h", "link-local"),
    ("http://10.0.0.8/h", "private"),
    ("http://[fc00::1]/h", "unique-local"),
    ("http://[::ffff:127.0.0.1]/h", "IPv4-mapped loopback"),
    ("ftp://public.example/h", "only http and https"),
    ("file:///etc/passwd", "only http and https"),
    ("gopher://public.example/", "only http and https"),
    ("http://nowhere.example/h", "does not resolve"),
    ("http://user:pw@public.example/h", "credentials"),
    ("http:///no-host", "no host"),
])
def test_unsafe_urls_are_refused_with_a_reason(url, reason):
    with pytest.raises(ssrf.UnsafeUrl) as caught:
        ssrf.check_url(url, resolve=fake_resolve)
    assert reason in str(caught.value)


@pytest.mark.parametrize("url, addresses", [
    ("https://public.example/hooks", TABLE["public.example"]),
    ("http://mapped-public.example:8080/h", ["::ffff:93.184.216.34"]),
    ("https://93.184.216.34/h", ["93.184.216.34"]),
    ("http://[2606:4700::1111]:8443/h", ["2606:4700::1111"]),  # a public IPv6 literal
])
def test_public_urls_pass_and_give_the_addresses_to_connect_to(url, addresses):
    assert ssrf.check_url(url, resolve=fake_resolve) == addresses


def test_allowing_loopback_admits_loopback_only():
    assert ssrf.check_url("http://loopback.example/h", resolve=fake_resolve,
                          allow_loopback=True) == ["127.0.0.1"]
    assert ssrf.check_url("http://[::1]/h", resolve=fake_resolve, allow_loopback=True) == ["::1"]
    for still_refused in ("http://mixed.example/h", "http://metadata.example/h",
                          "http://mapped.example/h", "http://zero.example/h"):
        with pytest.raises(ssrf.UnsafeUrl):
            ssrf.check_url(still_refused, resolve=fake_resolve, allow_loopback=True)


def test_dns_rebinding_is_caught_at_the_second_check():
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    def rebinding(host, port):
        return next(answers)
    assert ssrf.check_url("http://rebind.example/h", resolve=rebinding) == ["93.184.216.34"]
    with pytest.raises(ssrf.UnsafeUrl):
        ssrf.check_url("http://rebind.example/h", resolve=rebinding)


# --- every special-purpose block, first, middle and last address -------------------

REFUSED_V4 = (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24",
    "192.88.99.0/24", "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
)
REFUSED_V6 = (
    "::/128", "::1/128", "::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001::/32",
    "2001:2::/48", "2001:20::/28", "2001:db8::/32", "2620:4f:8000::/48", "3fff::/20",
    "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    "4000::/2", "8000::/1",       # outside global unicast 2000::/3
)


def first_middle_last(block):
    network = ipaddress.ip_network(block)
    first, last = int(network.network_address), int(network.broadcast_address)
    kind = type(network.network_address)
    return [str(kind(value)) for value in dict.fromkeys((first, (first + last) // 2, last))]


def table_cases(blocks):
    return [(block, address) for block in blocks for address in first_middle_last(block)]


@pytest.mark.parametrize("block, address", table_cases(REFUSED_V4 + REFUSED_V6))
def test_every_special_purpose_address_is_refused(block, address):
    assert ssrf.address_problem(address), f"{address} in {block} was accepted"
    with pytest.raises(ssrf.UnsafeUrl):
        host = f"[{address}]" if ":" in address else address
        ssrf.check_url(f"https://{host}/hook", resolve=fake_resolve)


@pytest.mark.parametrize("block, address", table_cases(REFUSED_V4))
def test_ipv4_blocks_are_refused_when_embedded_in_ipv6(block, address):
    v4 = int(ipaddress.IPv4Address(address))
    for embedded in (f"::ffff:{address}",                               # IPv4-mapped
                     str(ipaddress.IPv6Address((0x2002 << 112) | (v4 << 80) | 1)),  # 6to4
                     str(ipaddress.IPv6Address((0x64FF9B << 96) | v4))):  # NAT64
        assert ssrf.address_problem(embedded), f"{embedded} ({address}) was accepted"


def test_192_0_0_192_is_refused():
    with pytest.raises(ssrf.UnsafeUrl, match="IETF protocol assignment"):
        ssrf.check_url("https://192.0.0.192/hook", resolve=fake_resolve)


@pytest.mark.parametrize("address", [
    "1.1.1.1", "8.8.8.8", "93.184.216.34", "100.63.255.255", "100.128.0.0", "172.15.255.255",
    "172.32.0.0", "192.0.1.0", "198.17.255.255", "198.20.0.0", "223.255.255.255",
    "2606:4700::1111", "2001:4860:4860::8888", "2001:200::1", "2a00:1450::1",
    "::ffff:8.8.8.8", "2002:808:808::1", "64:ff9b::808:808",
])
def test_public_neighbours_of_the_blocks_pass(address):
    assert ssrf.address_problem(address) is None


@pytest.mark.parametrize("host", [
    "2130706433", "0177.0.0.1", "0x7f.0.0.1", "0x7f000001", "127.1", "0177.1", "017700000001",
    "3232235777",            # 192.168.1.1
    "0xc0.0xa8.1.1", "0", "0.0", "3221225664",   # 192.0.0.192
])
def test_numeric_encodings_of_refused_addresses_are_read_as_the_address(host):
    with pytest.raises(ssrf.UnsafeUrl, match="resolves to"):
        ssrf.check_url(f"http://{host}/hook", resolve=fake_resolve)


def test_a_numeric_encoding_of_a_public_address_is_the_address_to_connect_to():
    assert ssrf.check_url("http://1572395042/h", resolve=fake_resolve) == ["93.184.216.34"]
    assert ssrf.numeric_ipv4("not.a.number") is None and ssrf.numeric_ipv4("1.2.3.4.5") is None
    assert ssrf.numeric_ipv4("256.1.1.1") is None


@pytest.mark.parametrize("url", ["http://[::ffff:7f00:1]/h", "http://[::ffff:a00:1]/h",
                                 "http://[::ffff:c000:c0]/h", "http://[0:0:0:0:0:ffff:127.0.0.1]/h"])
def test_ipv4_mapped_literals_in_any_spelling_are_refused(url):
    with pytest.raises(ssrf.UnsafeUrl, match="IPv4-mapped"):
        ssrf.check_url(url, resolve=fake_resolve)
