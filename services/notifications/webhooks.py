"""Sending one signed webhook request. HTTP only: no database, no nameko.

The caller passes the body already serialised, so the bytes that are signed
are exactly the bytes that are sent.

The URL is checked against the SSRF rules right before sending (ssrf.py) and
the connection goes to the very address that was checked: urllib3 connects
to the IP, while the Host header and TLS (SNI and certificate check) use the
URL's host name. So a host name that resolves to a public address when
checked and to a private one a moment later (DNS rebinding) cannot steer
the request inside. Redirects are never followed."""
import time
from urllib.parse import urlsplit

import certifi
import urllib3

from services.platform.outcome import Outcome

from . import signing, ssrf

__all__ = ["Outcome", "post"]

USER_AGENT = "Parkmatch-Webhooks/1"




def _host_header(parts):
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    default = 443 if parts.scheme == "https" else 80
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


def _pool(parts, address, timeout):
    port = parts.port or (443 if parts.scheme == "https" else 80)
    timeouts = urllib3.Timeout(connect=timeout, read=timeout)
    if parts.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address, port, timeout=timeouts, retries=False, maxsize=1,
            server_hostname=parts.hostname, assert_hostname=parts.hostname,
            cert_reqs="CERT_REQUIRED", ca_certs=certifi.where())
    return urllib3.HTTPConnectionPool(address, port, timeout=timeouts, retries=False, maxsize=1)


def post(url, body, message_id, secrets, timeout, now=time.time, allow_loopback=False,
         resolve=ssrf.resolve_with_getaddrinfo):
    """POST `body` (JSON text) to `url`, signed with `secrets` (newest first);
    never raises for network trouble or a refused URL, which is reported in
    the Outcome instead."""
    started = time.monotonic()
    try:
        addresses = ssrf.check_url(url, resolve=resolve, allow_loopback=allow_loopback)
    except ssrf.UnsafeUrl as exc:
        return Outcome(None, f"refused: {exc}", _elapsed_ms(started))
    parts = urlsplit(url)
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "host": _host_header(parts),
        **signing.webhook_headers(secrets, message_id, int(now()), body),
    }
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pool = _pool(parts, addresses[0], timeout)
    try:
        # only the status matters: the response body is never read
        response = pool.urlopen("POST", path, body=body.encode("utf-8"), headers=headers,
                                redirect=False, retries=False, preload_content=False,
                                assert_same_host=False)
        response.release_conn()
        return Outcome(response.status, None, _elapsed_ms(started))
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:1000], _elapsed_ms(started))
    finally:
        pool.close()


def _elapsed_ms(started):
    return int((time.monotonic() - started) * 1000)
