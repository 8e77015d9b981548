"""Everything the agreements service reads from the environment, and the names
it consumes events under (see contracts/topology.py).

Values are read when asked for (not at import), so a test or an operator can
set them before the container starts. The use cases do not read the
environment: the entrypoint hands them `settings()`."""
from dataclasses import dataclass

from services.platform import settings as environment

SERVICE_NAME = "agreements"

# Consumer names: the queues parkmatch.<consumer> this service reads.
DIRECTORY_CONSUMER = "agreements.directory"
MATCH_CONSUMER = "agreements.match_changed"


def database_url():
    return environment.database_url(SERVICE_NAME)


def introduction_ttl_days():
    """Days an introduction request waits for the company's answer before it expires."""
    return max(1, int(environment.env("PARKMATCH_INTRODUCTION_TTL_DAYS", "14")))


def max_open_introductions():
    """Open (unanswered) introduction requests one park or partner may have at once."""
    return max(1, int(environment.env("PARKMATCH_MAX_OPEN_INTRODUCTIONS", "20")))


def timer_interval(container_config=None):
    """Seconds between two runs of the timer that expires introductions, starts
    and ends agreements and sends obligation reminders."""
    return float(environment.env("PARKMATCH_AGREEMENTS_TIMER_INTERVAL", "60"))


def rpc_timeout():
    """Seconds to wait for profiles (contacts) or notifications (match counts)."""
    return float(environment.env("PARKMATCH_AGREEMENTS_RPC_TIMEOUT", "10"))


@dataclass(frozen=True)
class AgreementsSettings:
    """What the agreements use cases are configured with (see the functions above)."""
    introduction_ttl_days: int
    max_open_introductions: int
    rpc_timeout: float


def settings():
    """The settings, read from the environment now."""
    return AgreementsSettings(introduction_ttl_days=introduction_ttl_days(),
                              max_open_introductions=max_open_introductions(),
                              rpc_timeout=rpc_timeout())
