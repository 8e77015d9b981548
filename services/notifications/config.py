"""Everything the notifications service reads from the environment.

Values are read when asked for (not at import), so a test or an operator can
set them before the container starts."""
from services.platform import settings

SERVICE_NAME = "notifications"

DEFAULT_RETRY_DELAYS = (10, 60, 300, 1800, 7200, 21600)


def database_url():
    return settings.database_url(SERVICE_NAME)


def delivery_poll_interval(container_config=None):
    """Seconds between two looks for due webhook deliveries."""
    return float(settings.env("PARKMATCH_DELIVERY_POLL_INTERVAL", "1"))


def webhook_timeout():
    """Seconds to wait for a partner's endpoint (connect, and each read)."""
    return float(settings.env("PARKMATCH_WEBHOOK_TIMEOUT", "15"))


def webhook_retry_delays():
    """Seconds before each retry of a failed delivery (jitter is added);
    after the last one the delivery is marked failed."""
    return settings.env_float_list("PARKMATCH_WEBHOOK_RETRY_DELAYS", DEFAULT_RETRY_DELAYS)


def delivery_concurrency():
    """How many deliveries one process sends at the same time."""
    return max(1, int(settings.env("PARKMATCH_DELIVERY_CONCURRENCY", "10")))


def delivery_lease_seconds():
    """How long a claimed delivery is hidden from other processes while it is
    being sent. requests' timeout applies to the connect and to each read, so
    leave room well beyond one timeout; if a process dies mid-send, the
    delivery is picked up again after this."""
    return max(60.0, 4 * webhook_timeout())


# The consumers this service runs (see services/contracts/topology.py).
MATCH_CONSUMER = "notifications.match_changed"
AGREEMENT_CONSUMER = "notifications.agreement_changed"
