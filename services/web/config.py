"""Everything the web app reads from the environment."""
import logging
import secrets
from dataclasses import dataclass

from services.platform import settings

SERVICE_NAME = "web"
DEFAULT_ADDRESS = "127.0.0.1:8080"
MIN_SECRET_LENGTH = 32
LOOPBACK_PREFIXES = ("http://127.0.0.1", "http://localhost")

log = logging.getLogger(__name__)


class BadSetting(RuntimeError):
    """The web app refuses to start with this configuration."""


@dataclass(frozen=True)
class WebSettings:
    url: str            # where people reach the app; sign-in links point here
    secret: bytes       # HMAC key of the CSRF tokens
    secure_cookies: bool
    rpc_timeout: float


def address():
    """host:port the web process listens on (never the gateway's address)."""
    return settings.env("PARKMATCH_WEB_ADDRESS", DEFAULT_ADDRESS)


def is_loopback(url):
    return url.startswith(LOOPBACK_PREFIXES)


def load(environ_get=settings.env):
    """The settings, or BadSetting. A secret is required; only a loopback
    URL without one gets a per-process secret (tokens die with the process)."""
    url = (environ_get("PARKMATCH_WEB_URL") or f"http://{address()}").rstrip("/")
    secret = environ_get("PARKMATCH_WEB_SECRET")
    if secret is None:
        if not is_loopback(url):
            raise BadSetting("PARKMATCH_WEB_SECRET is required (32 characters or more) "
                             f"when the web app is served at {url}")
        log.warning("PARKMATCH_WEB_SECRET is unset: using a secret generated for this "
                    "process (local use only; forms break when it restarts)")
        secret = secrets.token_urlsafe(48)
    elif len(secret) < MIN_SECRET_LENGTH:
        raise BadSetting(f"PARKMATCH_WEB_SECRET must be {MIN_SECRET_LENGTH} characters or "
                         f"more (it has {len(secret)})")
    return WebSettings(url=url, secret=secret.encode(), secure_cookies=not is_loopback(url),
                       rpc_timeout=float(environ_get("PARKMATCH_WEB_RPC_TIMEOUT") or "30"))
