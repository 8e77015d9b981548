"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

A partner's secret is "whsec_" + base64(24 random bytes). Each request carries
webhook-id, webhook-timestamp and webhook-signature = "v1," +
base64(HMAC-SHA256(key=the decoded secret, msg="{id}.{timestamp}.{body}")).
Pure functions: no nameko, no I/O, usable by anyone who wants to verify."""
import base64
import hashlib
import hmac
import secrets
import time

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 24
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 5 * 60


def new_secret():
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret):
    """The HMAC key: the bytes base64-encoded after the "whsec_" prefix."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    return base64.b64decode(secret[len(SECRET_PREFIX):], validate=True)


def _as_text(body):
    return body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else body


def sign(secret, message_id, timestamp, body):
    """The webhook-signature header value for this message."""
    signed_content = f"{message_id}.{int(timestamp)}.{_as_text(body)}".encode()
    digest = hmac.new(secret_key(secret), signed_content, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode()}"


def webhook_headers(secrets, message_id, timestamp, body):
    """The three Standard Webhooks headers. `secrets`: one secret, or several
    (newest first, during a rotation): one space-separated signature each."""
    if isinstance(secrets, str):
        secrets = [secrets]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp)),
        "webhook-signature": " ".join(sign(secret, message_id, timestamp, body)
                                      for secret in secrets),
    }


def verify(secret, headers, body, tolerance=DEFAULT_TOLERANCE_SECONDS, now=None):
    """True when `headers` carry a valid, fresh signature of `body`.

    What a receiver does: the timestamp must be within `tolerance` seconds of
    now (replay protection), and one of the space-separated signatures must
    match (several appear while a secret is being rotated)."""
    lowered = {key.lower(): value for key, value in headers.items()}
    try:
        message_id = lowered["webhook-id"]
        timestamp = int(lowered["webhook-timestamp"])
        offered = lowered["webhook-signature"].split()
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, message_id, timestamp, body)
    return any(hmac.compare_digest(candidate, expected) for candidate in offered)
