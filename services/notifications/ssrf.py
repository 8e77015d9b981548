"""Server-side request forgery guard for partner webhook URLs.

A webhook URL must be http or https, and EVERY address its host resolves to
(A and AAAA) must be public: one private address among public ones is enough
to refuse it, because the connection could go there. The check runs when a
channel is registered or changed (a 422 naming the url) and again right
before each send (DNS may have changed since: rebinding), and the sender then
connects to the very address that was checked.

Pure: the resolver is passed in (socket.getaddrinfo in production, a table
in tests)."""
import ipaddress
import socket
from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("http", "https")

_V4_LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
_V6_LOOPBACK = ipaddress.ip_address("::1")
_V6_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_V6_6TO4 = ipaddress.ip_network("2002::/16")
_V4_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeUrl(ValueError):
    """Why a URL may not receive webhooks (safe to show to the partner)."""


def _v4_reason(addr):
    if addr.is_loopback:
        return "loopback"
    if addr == ipaddress.ip_address("169.254.169.254"):
        return "the cloud metadata address"
    if addr.is_link_local:
        return "link-local"
    if addr.is_unspecified:
        return "unspecified"
    if addr.is_multicast:
        return "multicast"
    if addr in _V4_SHARED:
        return "shared (carrier-grade NAT)"
    if addr.is_private:
        return "private"
    if addr.is_reserved or not addr.is_global:
        return "reserved"
    return None


def address_problem(address, allow_loopback=False):
    """None when `address` (text or ip_address) is a public unicast address,
    else a short reason. allow_loopback admits 127.0.0.0/8 and ::1 only."""
    addr = ipaddress.ip_address(address.split("%", 1)[0] if isinstance(address, str) else address)
    if allow_loopback and (addr in _V4_LOOPBACK if addr.version == 4 else addr == _V6_LOOPBACK):
        return None
    if addr.version == 4:
        return _v4_reason(addr)
    if addr.ipv4_mapped is not None:
        inner = _v4_reason(addr.ipv4_mapped)
        return f"IPv4-mapped {inner}" if inner else None
    if addr == _V6_LOOPBACK:
        return "loopback"
    if addr.is_unspecified:
        return "unspecified"
    if addr.is_link_local:
        return "link-local"
    if addr.is_multicast:
        return "multicast"
    if addr in _V6_UNIQUE_LOCAL:
        return "unique-local"
    if addr in _V6_6TO4 and addr.sixtofour is not None:
        inner = _v4_reason(addr.sixtofour)
        if inner:
            return f"6to4 embedding a {inner} address"
        return None
    if addr.teredo is not None:
        server, client = addr.teredo
        inner = _v4_reason(client) or _v4_reason(server)
        return f"Teredo embedding a {inner} address" if inner else None
    if addr in _NAT64:
        inner = _v4_reason(ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF))
        return f"NAT64 embedding a {inner} address" if inner else None
    if addr.is_site_local:
        return "site-local"
    if addr.is_private or addr.is_reserved or not addr.is_global:
        return "reserved"
    return None


def resolve_with_getaddrinfo(host, port):
    """Every address `host` resolves to, A and AAAA."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


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
    try:
        ipaddress.ip_address(host)
        addresses = [host]
    except ValueError:
        try:
            addresses = list(dict.fromkeys(resolve(host, port)))
        except (OSError, UnicodeError) as exc:
            raise UnsafeUrl(f"the host {host} does not resolve ({exc})") from None
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
