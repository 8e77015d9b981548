"""Everything the gateway reads from the environment."""
from services.platform import settings

SERVICE_NAME = "gateway"


def operator_key():
    """The operator's key may do everything; no default, so an unset key
    means no operator access at all."""
    return settings.env("PARKMATCH_OPERATOR_KEY")


def rpc_timeout():
    return float(settings.env("PARKMATCH_GATEWAY_RPC_TIMEOUT", "30"))
