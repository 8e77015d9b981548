"""Everything the accounts service reads from the environment, as one
Settings value built when the container starts and handed to the use cases.

Durations are whole or fractional seconds, so tests can make a link expire in
a second without waiting fifteen minutes."""
from dataclasses import dataclass
from datetime import timedelta

from services.platform import mail, settings

from .domain import normalise_email

SERVICE_NAME = "accounts"

DEFAULT_WEB_URL = "http://127.0.0.1:8080"


def database_url():
    return settings.database_url(SERVICE_NAME)


@dataclass(frozen=True)
class Settings:
    web_url: str
    sign_in_link_ttl: timedelta
    session_idle_timeout: timedelta
    session_max_age: timedelta
    invitation_ttl: timedelta
    # how often resolve_session may move a session's idle expiry (spares writes)
    session_touch_interval: timedelta
    rate_window: timedelta
    sign_in_limit_per_email: int
    sign_in_limit_per_address: int
    smtp: mail.SmtpSettings
    # writes anyone may make without a key (registrations), per client address
    anonymous_write_limit: int = 20
    anonymous_write_window: timedelta = timedelta(hours=1)
    # the addresses (as domain.normalise_email keys) whose people act as the
    # platform operator; every sign-in and every resolve_session checks it
    operator_emails: frozenset = frozenset()

    @classmethod
    def from_env(cls):
        return cls(
            web_url=settings.env("PARKMATCH_WEB_URL", DEFAULT_WEB_URL).rstrip("/"),
            sign_in_link_ttl=_seconds("PARKMATCH_SIGN_IN_LINK_TTL_SECONDS", 15 * 60),
            session_idle_timeout=_seconds("PARKMATCH_SESSION_IDLE_TIMEOUT_SECONDS", 12 * 3600),
            session_max_age=_seconds("PARKMATCH_SESSION_MAX_AGE_SECONDS", 7 * 24 * 3600),
            invitation_ttl=_seconds("PARKMATCH_INVITATION_TTL_SECONDS", 7 * 24 * 3600),
            session_touch_interval=timedelta(minutes=1),
            rate_window=_seconds("PARKMATCH_SIGN_IN_RATE_WINDOW_SECONDS", 15 * 60),
            sign_in_limit_per_email=_count("PARKMATCH_SIGN_IN_LIMIT_PER_EMAIL", 5),
            sign_in_limit_per_address=_count("PARKMATCH_SIGN_IN_LIMIT_PER_ADDRESS", 20),
            # the same PARKMATCH_SMTP_* variables, read the same way, as the
            # notifications service's alert e-mails
            smtp=mail.smtp_settings(),
            anonymous_write_limit=_count("PARKMATCH_REGISTRATION_LIMIT_PER_ADDRESS", 20),
            anonymous_write_window=_seconds("PARKMATCH_REGISTRATION_RATE_WINDOW_SECONDS",
                                            3600),
            operator_emails=operator_emails(settings.env("PARKMATCH_OPERATOR_EMAILS", "")),
        )


def operator_emails(raw):
    """PARKMATCH_OPERATOR_EMAILS: addresses separated by commas, as the
    keys people are found by (blanks dropped; case of the domain ignored)."""
    keys = set()
    for address in raw.split(","):
        if address.strip():
            if "@" not in address:
                raise ValueError(f"PARKMATCH_OPERATOR_EMAILS: {address.strip()!r} is not an "
                                 "e-mail address")
            keys.add(normalise_email(address)[1])
    return frozenset(keys)


def _seconds(name, default):
    value = float(settings.env(name, str(default)))
    if value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds")
    return timedelta(seconds=value)


def _count(name, default):
    value = int(settings.env(name, str(default)))
    if value < 1:
        raise ValueError(f"{name} must be 1 or more")
    return value
