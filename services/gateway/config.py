"""Everything the gateway reads from the environment."""
from services.platform import settings

from .request_body import BodyLimits

SERVICE_NAME = "gateway"
# An operator key shorter than this is guessable; `parkmatch up` makes 35.
MIN_OPERATOR_KEY_LENGTH = 24


class BadSetting(RuntimeError):
    """The gateway refuses to start with this configuration."""


def operator_key():
    """The operator's key may do everything; no default, so an unset key
    means no operator access at all."""
    return settings.env("PARKMATCH_OPERATOR_KEY")


def rpc_timeout():
    return float(settings.env("PARKMATCH_GATEWAY_RPC_TIMEOUT", "30"))


def _positive_int(environ_get, name, default):
    raw = environ_get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise BadSetting(f"{name} must be a whole number of 1 or more (it is {raw!r})")
    return value


def body_limits(environ_get=settings.env):
    """The size (PARKMATCH_MAX_BODY_BYTES) and nesting depth
    (PARKMATCH_MAX_JSON_DEPTH) a JSON request body may have."""
    defaults = BodyLimits()
    return BodyLimits(
        max_bytes=_positive_int(environ_get, "PARKMATCH_MAX_BODY_BYTES", defaults.max_bytes),
        max_depth=_positive_int(environ_get, "PARKMATCH_MAX_JSON_DEPTH", defaults.max_depth))


def check_operator_key(environ_get=settings.env):
    """BadSetting for a set but short operator key (the key itself is never shown)."""
    key = environ_get("PARKMATCH_OPERATOR_KEY")
    if key is not None and len(key) < MIN_OPERATOR_KEY_LENGTH:
        raise BadSetting(f"PARKMATCH_OPERATOR_KEY must be {MIN_OPERATOR_KEY_LENGTH} characters "
                         f"or more (it has {len(key)}); leave it unset for no operator access")


def load(environ_get=settings.env):
    """What the gateway checks once at start: BadSetting stops the process
    before it serves anything. Returns the body limits."""
    check_operator_key(environ_get)
    return body_limits(environ_get)
