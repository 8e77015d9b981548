"""Everything the agreements service reads from the environment, and the names
it consumes events under (see contracts/topology.py).

Values are read when asked for (not at import), so a test or an operator can
set them before the container starts."""
from services.platform import settings

SERVICE_NAME = "agreements"

# Consumer names: the queues parkmatch.<consumer> this service reads.
DIRECTORY_CONSUMER = "agreements.directory"
MATCH_CONSUMER = "agreements.match_changed"


def database_url():
    return settings.database_url(SERVICE_NAME)


def introduction_ttl_days():
    """Days an introduction request waits for the company's answer before it expires."""
    return max(1, int(settings.env("PARKMATCH_INTRODUCTION_TTL_DAYS", "14")))


def max_open_introductions():
    """Open (unanswered) introduction requests one park or partner may have at once."""
    return max(1, int(settings.env("PARKMATCH_MAX_OPEN_INTRODUCTIONS", "20")))


def timer_interval(container_config=None):
    """Seconds between two runs of the timer that expires introductions, starts
    and ends agreements and sends obligation reminders."""
    return float(settings.env("PARKMATCH_AGREEMENTS_TIMER_INTERVAL", "60"))


def rpc_timeout():
    """Seconds to wait for profiles (contacts) or notifications (match counts)."""
    return float(settings.env("PARKMATCH_AGREEMENTS_RPC_TIMEOUT", "10"))
