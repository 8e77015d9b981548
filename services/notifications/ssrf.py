"""Server-side request forgery guard for partner webhook URLs.

A webhook URL must be http or https, and EVERY address its host resolves to
(A and AAAA) must be public: one private address among public ones is enough
to refuse it, because the connection could go there. The check runs when a
channel is registered or changed (a 422 naming the url) and again right
before each send (DNS may have changed since: rebinding), and the sender then
connects to the very address that was checked.

"Public" is decided by the explicit tables below, not by ipaddress'
`is_global` (whose answer changed between Python versions): every block of
the IANA IPv4 and IPv6 Special-Purpose Address Registries (also the few the
registry marks globally reachable, such as 192.0.0.9 or AS112: no webhook
receiver lives there), multicast, and for IPv6 everything outside global
unicast 2000::/3. Three IPv6 blocks carry an IPv4 address, which is checked
instead: IPv4-mapped ::ffff:0:0/96, 6to4 2002::/16, and the well-known NAT64
prefix 64:ff9b::/96 (a DNS64 resolver on an IPv6-only host answers with it
for every IPv4-only name); the local-use NAT64 prefix 64:ff9b:1::/48 maps
as its operator likes and is refused. Hosts written as a number in the
forms inet_aton accepts (decimal 2130706433, octal 0177.0.0.1, hex
0x7f.1) are read as the IPv4 address they mean, whatever the resolver.

Pure: the resolver is passed in (socket.getaddrinfo in production, a table
in tests)."""
import ipaddress
import re
import socket
from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("http", "https")

_V4_LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
_V6_LOOPBACK = ipaddress.ip_address("::1")
_METADATA = ipaddress.ip_address("169.254.169.254")

# (block, what it is), most specific first: the first block holding an address names it.
V4_BLOCKS = tuple((ipaddress.ip_network(block), name) for block, name in (
    ("0.0.0.0/8", "unspecified ('this network')"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "shared (carrier-grade NAT)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "IETF protocol assignment"),
    ("192.0.2.0/24", "documentation (TEST-NET-1)"),
    ("192.31.196.0/24", "AS112"),
    ("192.52.193.0/24", "AMT"),
    ("192.88.99.0/24", "6to4 relay anycast"),
    ("192.168.0.0/16", "private"),
    ("192.175.48.0/24", "AS112 direct delegation"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation (TEST-NET-2)"),
    ("203.0.113.0/24", "documentation (TEST-NET-3)"),
    ("224.0.0.0/4", "multicast"),
    ("255.255.255.255/32", "limited broadcast"),
    ("240.0.0.0/4", "reserved"),
))

# Blocks whose addresses carry an IPv4 address: that one is checked instead.
V6_EMBEDDING = tuple((ipaddress.ip_network(block), name) for block, name in (
    ("::ffff:0:0/96", "IPv4-mapped {}"),
    ("64:ff9b::/96", "NAT64 embedding a {}"),
    ("2002::/16", "6to4 embedding a {}"),
))

V6_BLOCKS = tuple((ipaddress.ip_network(block), name) for block, name in (
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("::/96", "IPv4-compatible (deprecated)"),
    ("64:ff9b:1::/48", "local-use NAT64"),
    ("100::/64", "discard-only"),
    ("2001::/32", "Teredo"),
    ("2001:2::/48", "benchmarking"),
    ("2001:20::/28", "ORCHIDv2"),
    ("2001::/23", "IETF protocol assignment"),
    ("2001:db8::/32", "documentation"),
    ("2620:4f:8000::/48", "AS112 direct delegation"),
    ("3fff::/20", "documentation"),
    ("5f00::/16", "segment routing (SRv6 SIDs)"),
    ("fc00::/7", "unique-local"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local (deprecated)"),
    ("ff00::/8", "multicast"),
))
_V6_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")

# One part of an IPv4 address as inet_aton reads it: hex, octal or decimal.
_NUMERIC_PART = re.compile(r"^(?:0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)$")


class UnsafeUrl(ValueError):
    """Why a URL may not receive webhooks (safe to show to the partner)."""


def _block_of(addr, blocks):
    for network, name in blocks:
        if addr in network:
            return f"{name} ({network})"
    return None


def _v4_reason(addr):
    if addr == _METADATA:
        return "the cloud metadata address"
    return _block_of(addr, V4_BLOCKS)


def _v6_reason(addr):
    for network, name in V6_EMBEDDING:
        if addr in network:
            inner = _v4_reason(ipaddress.IPv4Address(_embedded_v4(addr, network)))
            return name.format(inner) if inner else None
    reason = _block_of(addr, V6_BLOCKS)
    if reason is None and addr not in _V6_GLOBAL_UNICAST:
        return "not global unicast (outside 2000::/3)"
    return reason


def _embedded_v4(addr, network):
    if network.prefixlen == 16:  # 6to4: 2002:AABB:CCDD::/48 carries A.B.C.D
        return (int(addr) >> 80) & 0xFFFFFFFF
    return int(addr) & 0xFFFFFFFF


def address_problem(address, allow_loopback=False):
    """None when `address` (text or ip_address) is a public unicast address,
    else a short reason. allow_loopback admits 127.0.0.0/8 and ::1 only."""
    addr = ipaddress.ip_address(address.split("%", 1)[0] if isinstance(address, str) else address)
    if allow_loopback and (addr in _V4_LOOPBACK if addr.version == 4 else addr == _V6_LOOPBACK):
        return None
    return _v4_reason(addr) if addr.version == 4 else _v6_reason(addr)


def numeric_ipv4(host):
    """The IPv4 address a host written as inet_aton numbers means (2130706433,
    0177.0.0.1, 0x7f.1, 127.1), or None for any other host."""
    parts = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_NUMERIC_PART.match(part) for part in parts):
        return None
    values = [int(part, 16) if part[:2].lower() == "0x" else
              int(part, 8) if len(part) > 1 and part[0] == "0" else int(part) for part in parts]
    *leading, last = values
    if any(value > 255 for value in leading) or last >= 256 ** (5 - len(values)):
        return None
    number = last
    for position, value in enumerate(leading):
        number |= value << (8 * (3 - position))
    return str(ipaddress.IPv4Address(number))


def resolve_with_getaddrinfo(host, port):
    """Every address `host` resolves to, A and AAAA."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


def _addresses_of(host, port, resolve):
    """An address literal or a numeric IPv4 host as itself, else what DNS says."""
    try:
        ipaddress.ip_address(host)
        return [host]
    except ValueError:
        pass
    numeric = numeric_ipv4(host)
    if numeric:
        return [numeric]
    try:
        return list(dict.fromkeys(resolve(host, port)))
    except (OSError, UnicodeError) as exc:
        raise UnsafeUrl(f"the host {host} does not resolve ({exc})") from None


def check_url(url, resolve=resolve_with_getaddrinfo, allow_loopback=False):
    """The addresses `url` may be sent to (the first is the one to connect
    to), or UnsafeUrl saying why not."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl(f"not a valid URL ({exc})") from None
    if parts.scheme not in ALLOWED_SCHEMES:
        raise UnsafeUrl("only http and https URLs receive webhooks")
    host = parts.hostname
    if not host:
        raise UnsafeUrl("the URL has no host")
    if parts.username or parts.password:
        raise UnsafeUrl("credentials in the URL are not allowed")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = _addresses_of(host, port, resolve)
    if not addresses:
        raise UnsafeUrl(f"the host {host} does not resolve")
    for address in addresses:
        try:
            problem = address_problem(address, allow_loopback)
        except ValueError:
            problem = "not an IP address"
        if problem:
            raise UnsafeUrl(f"{host} resolves to {address}, a {problem} address; "
                            "webhooks go to public addresses only")
    return addresses
