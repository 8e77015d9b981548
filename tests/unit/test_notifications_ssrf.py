"""The SSRF guard on a table of cases, with a fake resolver: a URL is
refused when ANY address its host resolves to is not public."""
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
