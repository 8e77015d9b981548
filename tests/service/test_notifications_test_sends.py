"""Test sends: a partner asks for one small `test` alert on a channel and it
goes out through the usual delivery path (signed, checked by the SSRF guard
at send time, in the delivery log), to a real local HTTP receiver or a real
local SMTP server. The notifications service runs in a nameko container on
the real broker and database."""
# ruff: noqa: F811  (pytest fixtures imported from notifications_fixtures)
import json

import pytest
from standardwebhooks import Webhook

from services.contracts.actors import OPERATOR
from services.contracts.errors import Conflict, Forbidden, NotFound
from tests.conftest import eventually
from tests.service.notifications_fixtures import (  # noqa: F401  (fixtures)
    assert_count,
    delivery_env,
    notifications,
    receiver,
    register,
    settle,
)
from tests.smtp_sink import parts_of, smtp_sink  # noqa: F401  (fixture)


def verifies(secret, request):
    """Check as a partner would, with the standardwebhooks package."""
    try:
        Webhook(secret).verify(request["body"], {
            name: request["headers"][name]
            for name in ("webhook-id", "webhook-timestamp", "webhook-signature")})
        return True
    except Exception:
        return False


def delivery_of(rpc, actor, delivery_id):
    return next(d for d in rpc.notifications.list_deliveries(actor, actor["id"])["items"]
                if d["id"] == delivery_id)


def wait_for_status(rpc, actor, delivery_id, status):
    def check():
        found = delivery_of(rpc, actor, delivery_id)
        assert found["status"] == status, found
        return found
    return eventually(check)


def test_a_test_send_reaches_the_webhook_signed_and_is_in_the_delivery_log(
        notifications, rpc, receiver):
    registered, actor = register(rpc, webhooks=[receiver.url("/first")])
    added = rpc.notifications.add_channel(actor, actor["id"], {
        "kind": "webhook", "url": receiver.url("/second"), "label": "backup"})
    channel_id = added["channel"]["id"]

    queued = rpc.notifications.send_test(actor, actor["id"], channel_id)
    assert queued["alert_type"] == "test" and queued["channel_id"] == channel_id
    assert queued["url"] == receiver.url("/second") and queued["status"] == "pending"

    eventually(lambda: assert_count(receiver.to("/second"), 1))
    [request] = receiver.to("/second")
    assert verifies(added["secret"], request)
    assert not verifies(registered["webhook_secret"], request)  # each channel its own secret
    assert request["headers"]["webhook-id"] == queued["id"]
    body = json.loads(request["body"])
    assert body["type"] == "test" and body["data"]["channel_id"] == channel_id
    assert receiver.to("/first") == []  # only the channel asked for

    logged = wait_for_status(rpc, actor, queued["id"], "delivered")
    assert logged["attempts"] == 1 and logged["last_status_code"] == 200
    [attempt] = logged["attempt_log"]
    assert attempt["status_code"] == 200 and attempt["latency_ms"] >= 0
    tests = [a for a in rpc.notifications.list_alerts(actor, actor["id"])["items"]
             if a["type"] == "test"]
    assert len(tests) == 1 and tests[0]["disposition"] == "notice"

    # after a rotation a test carries both signatures: either secret verifies
    rotated = rpc.notifications.rotate_channel_secret(actor, actor["id"], channel_id)
    rpc.notifications.send_test(OPERATOR, actor["id"], channel_id)  # the operator may too
    eventually(lambda: assert_count(receiver.to("/second"), 2))
    second = receiver.to("/second")[1]
    assert verifies(rotated["secret"], second) and verifies(added["secret"], second)
    assert len(second["headers"]["webhook-signature"].split()) == 2


def test_a_test_send_to_an_email_channel_arrives_in_the_partners_language(
        notifications, rpc, smtp_sink, monkeypatch):
    for name, value in smtp_sink.env().items():
        monkeypatch.setenv(name, value)
    _, actor = register(rpc, language="ko")
    mail = rpc.notifications.add_channel(actor, actor["id"], {
        "kind": "email", "address": "desk@centre.example.cn", "label": "데스크"})

    queued = rpc.notifications.send_test(actor, actor["id"], mail["channel"]["id"])
    assert queued["channel_kind"] == "email"
    eventually(lambda: assert_count(smtp_sink.messages(), 1))
    [message] = smtp_sink.messages()
    assert message["To"] == "desk@centre.example.cn"
    assert message["Subject"] == "[Parkmatch] 알림 채널 데스크 테스트"
    text, html = parts_of(message)
    assert "채널이 정상적으로 작동합니다" in text and "<h1>" in html


def test_the_ssrf_guard_stops_a_test_send_at_send_time(notifications, rpc, receiver,
                                                        monkeypatch):
    _, actor = register(rpc)
    channel = rpc.notifications.add_channel(actor, actor["id"], {
        "kind": "webhook", "url": receiver.url("/inside")})["channel"]
    monkeypatch.setenv("PARKMATCH_WEBHOOK_ALLOW_LOOPBACK", "0")  # as in production

    queued = rpc.notifications.send_test(actor, actor["id"], channel["id"])
    logged = wait_for_status(rpc, actor, queued["id"], "failed")
    assert "127.0.0.1" in logged["last_error"] or "loopback" in logged["last_error"]
    settle()
    assert receiver.to("/inside") == []


def test_test_sends_are_refused_for_others_unknown_and_disabled_channels(
        notifications, rpc, receiver):
    _, actor = register(rpc, webhooks=[receiver.url("/hook")])
    [channel] = rpc.notifications.list_channels(actor, actor["id"])["items"]
    _, other = register(rpc)

    with pytest.raises(Forbidden):
        rpc.notifications.send_test(other, actor["id"], channel["id"])
    with pytest.raises(NotFound):
        rpc.notifications.send_test(other, other["id"], channel["id"])
    with pytest.raises(NotFound):
        rpc.notifications.send_test(actor, actor["id"], "no-such-channel")
    rpc.notifications.update_channel(actor, actor["id"], channel["id"], {"enabled": False})
    with pytest.raises(Conflict) as caught:
        rpc.notifications.send_test(actor, actor["id"], channel["id"])
    assert "disabled" in str(caught.value)
    rpc.notifications.delete_channel(actor, actor["id"], channel["id"])
    with pytest.raises(NotFound):
        rpc.notifications.send_test(actor, actor["id"], channel["id"])
    settle()
    assert receiver.to("/hook") == []
    assert rpc.notifications.list_deliveries(actor, actor["id"])["items"] == []
