"""Everything the notifications service reads from the environment.

Values are read when asked for (not at import). `settings()` reads the ones
the use cases need into one `NotificationsSettings`; the service's
entrypoints build it for every call and hand it in, so a use case reads no
environment of its own and a test can give it small numbers directly."""
from dataclasses import dataclass

from services.platform import mail, secretbox
from services.platform import settings as environment

SERVICE_NAME = "notifications"

# Exponential backoff with full jitter: retry n waits a random time between 0
# and min(BACKOFF_MAX, BACKOFF_BASE * 2**(n-1)); with the defaults the last
# try of a delivery comes roughly 12 to 24 hours after the first.
DEFAULT_BACKOFF_BASE = 30.0
DEFAULT_BACKOFF_MAX = 6 * 3600.0
DEFAULT_MAX_ATTEMPTS = 12


def database_url():
    return environment.database_url(SERVICE_NAME)


def delivery_poll_interval(container_config=None):
    """Seconds between two looks for due webhook deliveries."""
    return float(environment.env("PARKMATCH_DELIVERY_POLL_INTERVAL", "1"))


def digest_poll_interval(container_config=None):
    """Seconds between two looks for digests whose local hour has come."""
    return float(environment.env("PARKMATCH_DIGEST_POLL_INTERVAL", "30"))


def webhook_timeout():
    """Seconds to wait for a partner's endpoint (connect, and each read)."""
    return float(environment.env("PARKMATCH_WEBHOOK_TIMEOUT", "15"))


def webhook_retry_delays():
    """The upper bound (seconds) of the wait before each retry of a failed
    delivery; the actual wait is drawn uniformly below it (full jitter).
    After the last one the delivery is marked failed.
    PARKMATCH_WEBHOOK_RETRY_DELAYS gives the list outright; otherwise it is
    exponential from PARKMATCH_WEBHOOK_BACKOFF_BASE, capped at
    PARKMATCH_WEBHOOK_BACKOFF_MAX, for PARKMATCH_WEBHOOK_MAX_ATTEMPTS tries."""
    explicit = environment.env("PARKMATCH_WEBHOOK_RETRY_DELAYS")
    if explicit is not None:
        return environment.env_float_list("PARKMATCH_WEBHOOK_RETRY_DELAYS", ())
    base = float(environment.env("PARKMATCH_WEBHOOK_BACKOFF_BASE", DEFAULT_BACKOFF_BASE))
    cap = float(environment.env("PARKMATCH_WEBHOOK_BACKOFF_MAX", DEFAULT_BACKOFF_MAX))
    attempts = max(1, int(environment.env("PARKMATCH_WEBHOOK_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)))
    return [min(cap, base * 2 ** n) for n in range(attempts - 1)]


def delivery_concurrency():
    """How many deliveries one process sends at the same time."""
    return max(1, int(environment.env("PARKMATCH_DELIVERY_CONCURRENCY", "10")))


def delivery_lease_seconds():
    """How long a claimed delivery is hidden from other processes while it is
    being sent. requests' timeout applies to the connect and to each read, so
    leave room well beyond one timeout; if a process dies mid-send, the
    delivery is picked up again after this."""
    return max(60.0, 4 * webhook_timeout())


def allow_loopback():
    """PARKMATCH_WEBHOOK_ALLOW_LOOPBACK=1 lets webhooks point at 127.0.0.0/8
    and ::1 (local development and tests only; never in production)."""
    return environment.env("PARKMATCH_WEBHOOK_ALLOW_LOOPBACK", "0").lower() in ("1", "true", "yes")


def secret_grace_seconds():
    """After a secret rotation, how long deliveries carry the old signature too."""
    return float(environment.env("PARKMATCH_WEBHOOK_SECRET_GRACE", str(24 * 3600)))


def channel_failure_limit():
    """Consecutive failed deliveries after which a channel is disabled."""
    return max(1, int(environment.env("PARKMATCH_CHANNEL_FAILURE_LIMIT", "5")))


def partner_daily_budget():
    """Immediate alerts a partner gets per local day; the rest go to its next digest."""
    return max(0, int(environment.env("PARKMATCH_PARTNER_DAILY_BUDGET", "50")))


def default_digest_hour():
    """Local hour of the daily digest that takes over-budget alerts of a
    partner without a digest subscription of its own."""
    return int(environment.env("PARKMATCH_DEFAULT_DIGEST_HOUR", "8"))


def person_daily_budget():
    """Immediate e-mails a person (of a company, park or partner) gets per
    local day; the rest go to their next daily digest. The partners' rule,
    with its own setting; by default the same number."""
    fallback = str(partner_daily_budget())
    return max(0, int(environment.env("PARKMATCH_PERSON_DAILY_BUDGET", fallback)))


def secret_box():
    """What webhook secrets are sealed with in the database:
    PARKMATCH_SECRETS_KEY seals (and opens), PARKMATCH_SECRETS_OLD_KEYS
    (comma-separated) open what the keys it replaced sealed. Required:
    secretbox.BadKey, naming the variable and how to make a key, without one
    (the service refuses to start; docs/decisions.md)."""
    return secretbox.from_environment()


DEFAULT_WEB_URL = "http://127.0.0.1:8080"


def web_url():
    """Where the web app answers: the links in people's alerts point there."""
    return environment.env("PARKMATCH_WEB_URL", DEFAULT_WEB_URL).rstrip("/")


# --- e-mail --------------------------------------------------------------------------

def smtp():
    """The SMTP settings (services.platform.mail.SmtpSettings), with the
    webhook timeout as the SMTP timeout."""
    return mail.smtp_settings(timeout=webhook_timeout())


# --- what the use cases receive --------------------------------------------------------

@dataclass(frozen=True)
class NotificationsSettings:
    """The settings the use cases read; each field is the function of the
    same name above."""
    allow_loopback: bool
    secret_grace_seconds: float
    default_digest_hour: int
    partner_daily_budget: int
    delivery_lease_seconds: float
    webhook_retry_delays: tuple[float, ...]
    channel_failure_limit: int
    webhook_timeout: float
    delivery_concurrency: int
    smtp: mail.SmtpSettings
    person_daily_budget: int = 50
    web_url: str = DEFAULT_WEB_URL
    # seals and opens the stored webhook secrets (secret_box())
    secrets: secretbox.SecretBox | None = None


def settings():
    """Read the use cases' settings from the environment, now."""
    return NotificationsSettings(
        allow_loopback=allow_loopback(),
        secret_grace_seconds=secret_grace_seconds(),
        default_digest_hour=default_digest_hour(),
        partner_daily_budget=partner_daily_budget(),
        delivery_lease_seconds=delivery_lease_seconds(),
        webhook_retry_delays=tuple(webhook_retry_delays()),
        channel_failure_limit=channel_failure_limit(),
        webhook_timeout=webhook_timeout(),
        delivery_concurrency=delivery_concurrency(),
        smtp=smtp(),
        person_daily_budget=person_daily_budget(),
        web_url=web_url(),
        secrets=secret_box(),
    )


# The consumers this service runs (see services/contracts/topology.py).
MATCH_CONSUMER = "notifications.match_changed"
AGREEMENT_CONSUMER = "notifications.agreement_changed"
INTRODUCTION_CONSUMER = "notifications.introduction_changed"
OBLIGATION_CONSUMER = "notifications.obligation_reminded"
PEOPLE_CONSUMER = "notifications.people_changed"
