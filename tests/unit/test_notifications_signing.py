"""Webhook signing (Standard Webhooks): the published reference vector, a
vector recomputed independently with hmac, and verification."""
import base64
import hashlib
import hmac

from services.notifications import signing

# The test vector published with the Standard Webhooks specification.
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = '{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def independent_signature(secret, message_id, timestamp, body):
    key = base64.b64decode(secret[len("whsec_"):])
    content = f"{message_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def test_signature_matches_the_standard_webhooks_reference_vector():
    assert signing.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_signature_of_a_known_key_matches_an_independent_hmac():
    secret = "whsec_" + base64.b64encode(bytes(range(24))).decode()
    body = '{"id":"a1","type":"match.found","data":{"name":"하얼빈 哈尔滨"}}'

    signature = signing.sign(secret, "delivery-1", 1700000000, body)

    assert signature == independent_signature(secret, "delivery-1", 1700000000, body)
    # bytes and text bodies sign the same content
    assert signing.sign(secret, "delivery-1", 1700000000, body.encode()) == signature
    assert signing.sign(secret, "delivery-2", 1700000000, body) != signature


def test_headers_carry_id_timestamp_and_signature():
    headers = signing.webhook_headers(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
    assert headers == {"webhook-id": SPEC_ID, "webhook-timestamp": "1614265330",
                       "webhook-signature": SPEC_SIGNATURE}


def test_new_secrets_are_24_random_bytes_behind_the_prefix():
    first, second = signing.new_secret(), signing.new_secret()
    assert first.startswith("whsec_") and first != second
    assert len(signing.secret_key(first)) == 24


def test_verify_accepts_a_fresh_valid_signature_and_rejects_tampering():
    headers = signing.webhook_headers(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
    now = SPEC_TIMESTAMP + 10

    assert signing.verify(SPEC_SECRET, headers, SPEC_BODY, now=now)
    assert not signing.verify(SPEC_SECRET, headers, SPEC_BODY.replace("2", "3"), now=now)
    assert not signing.verify(signing.new_secret(), headers, SPEC_BODY, now=now)
    assert not signing.verify(SPEC_SECRET, {**headers, "webhook-id": "msg_other"}, SPEC_BODY,
                              now=now)
    # a replay long after the timestamp
    assert not signing.verify(SPEC_SECRET, headers, SPEC_BODY, now=SPEC_TIMESTAMP + 3600)
    assert not signing.verify(SPEC_SECRET, {}, SPEC_BODY, now=now)


def test_verify_accepts_any_of_several_signatures_in_any_header_case():
    headers = signing.webhook_headers(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
    rotated = {"Webhook-Id": SPEC_ID, "Webhook-Timestamp": str(SPEC_TIMESTAMP),
               "Webhook-Signature": "v1,bm90IGl0 " + headers["webhook-signature"]}
    assert signing.verify(SPEC_SECRET, rotated, SPEC_BODY, now=SPEC_TIMESTAMP)
