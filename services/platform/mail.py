"""Sending one e-mail through SMTP (settings from the PARKMATCH_SMTP_*
variables, shared by every service that sends mail): a
multipart message with a plain-text and an HTML part. SMTP only: no
database, no nameko. The password is used to log in and never logged."""
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid

from services.platform.outcome import Outcome
from services.platform.settings import env

SMTP_OK = 250


@dataclass(frozen=True)
class SmtpSettings:
    """host None: e-mail is not configured (e-mail deliveries then fail with
    that reason, and are retried). The password never shows in a repr."""
    host: str | None
    port: int
    username: str | None
    password: str | None = field(repr=False)
    security: str  # "none", "starttls" or "ssl"
    sender: str
    timeout: float


def smtp_settings(timeout=15.0):
    """The SMTP settings from the PARKMATCH_SMTP_* variables."""
    security = env("PARKMATCH_SMTP_SECURITY", "none").lower()
    if env("PARKMATCH_SMTP_STARTTLS", "0").lower() in ("1", "true", "yes"):
        security = "starttls"
    if env("PARKMATCH_SMTP_SSL", "0").lower() in ("1", "true", "yes"):
        security = "ssl"
    return SmtpSettings(
        host=env("PARKMATCH_SMTP_HOST"),
        port=int(env("PARKMATCH_SMTP_PORT", "465" if security == "ssl" else "25")),
        username=env("PARKMATCH_SMTP_USERNAME"),
        password=env("PARKMATCH_SMTP_PASSWORD"),
        security=security,
        sender=env("PARKMATCH_SMTP_FROM", "Parkmatch <alerts@parkmatch.invalid>"),
        timeout=timeout,
    )


def build_message(sender, to, subject, text, html, message_id=None):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(idstring=message_id, domain="parkmatch")
    if message_id:
        # the delivery id: the same on every retry, so a mailbox can dedupe
        message["X-Parkmatch-Delivery-Id"] = message_id
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send(settings, to, subject, text, html, message_id=None):
    """Send; never raises for SMTP or network trouble, which is reported in
    the Outcome (status 250 when the server accepted the message)."""
    started = time.monotonic()
    if not settings.host:
        return Outcome(None, "e-mail is not configured (PARKMATCH_SMTP_HOST)", 0)
    message = build_message(settings.sender, to, subject, text, html, message_id)
    try:
        if settings.security == "ssl":
            client = smtplib.SMTP_SSL(settings.host, settings.port,
                                      timeout=settings.timeout,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(settings.host, settings.port,
                                  timeout=settings.timeout)
        with client:
            if settings.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.username:
                client.login(settings.username, settings.password or "")
            client.send_message(message)
        return Outcome(SMTP_OK, None, _elapsed_ms(started))
    except (smtplib.SMTPException, OSError) as exc:
        # str(exc) of smtplib errors holds the server's answer, never our password
        return Outcome(None, f"SMTP {type(exc).__name__}: {exc}"[:1000], _elapsed_ms(started))


def _elapsed_ms(started):
    return int((time.monotonic() - started) * 1000)
