"""Partners' alerts through the public API, every service a real process:
SSRF refused at registration, signed webhooks verified with the
standardwebhooks package across a secret rotation, e-mail through a real
local SMTP server in the subscription's language, a manual redelivery with
the same webhook-id, and a digest at the partner's local hour on a moved
clock, without the match withdrawn before it went out."""
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from standardwebhooks import Webhook

from services.platform import clock
from tests.conftest import eventually, holds
from tests.factories import company_body, demand_body, park_body
from tests.smtp_sink import parts_of

pytestmark = pytest.mark.e2e
SEOUL = ZoneInfo("Asia/Seoul")


def partner_body(**overrides):
    return {"names": {"en": "Korea-China International Industrial Innovation Cooperation Center",
                      "zh": "中韩国际产业创新合作中心"},
            "country": "CN", "kind": "cooperation_centre", "time_zone": "Asia/Seoul",
            **overrides}


def verifies(secret, request):
    try:
        Webhook(secret).verify(request["body"], {
            key: request["headers"].get(key)
            for key in ("webhook-id", "webhook-timestamp", "webhook-signature")})
        return True
    except Exception:
        return False


def test_partner_alerts_signed_rotated_emailed_redelivered_and_digested(
        api, operator, receiver, mail, system):
    clock.travel_to(system.clock_file, datetime(2026, 5, 6, 10, 30, tzinfo=SEOUL))

    # SSRF: the cloud metadata address is refused, naming the field
    refused = operator.post("/api/partners", partner_body(
        webhooks=["http://169.254.169.254/latest/meta-data"]))
    assert refused.status_code == 422, refused.text
    assert "metadata" in json.dumps(refused.json()["details"]["webhooks"])

    # a partner told at once, by webhook and by e-mail in Korean
    created = operator.post("/api/partners", partner_body(
        webhooks=[f"{receiver.url}/centre"], email="ops@centre.example.cn"))
    assert created.status_code == 201, created.text
    old_secret = receiver.secret = created.json()["webhook_secret"]
    partner_id = created.json()["partner"]["id"]
    as_partner = operator.as_(created.json()["api_key"])
    channel = as_partner.post(f"/api/partners/{partner_id}/channels",
                              {"kind": "email", "address": "desk@centre.example.cn"})
    assert channel.status_code == 201 and channel.json()["secret"] is None, channel.text
    bad = as_partner.post(f"/api/partners/{partner_id}/channels", {"kind": "webhook",
                                                                   "url": "http://10.1.2.3/h"})
    assert bad.status_code == 422 and list(bad.json()["details"]) == ["url"]
    sub = as_partner.post(f"/api/partners/{partner_id}/subscriptions", {
        "sectors": ["biopharmaceuticals"], "language": "ko"})
    assert sub.status_code == 201, sub.text

    # a partner that reads a daily digest at 11:00 Seoul time, by e-mail in Chinese
    digest_partner = operator.post("/api/partners", partner_body(language="zh"))
    digest_id = digest_partner.json()["partner"]["id"]
    as_digest = operator.as_(digest_partner.json()["api_key"])
    assert as_digest.post(f"/api/partners/{digest_id}/channels", {
        "kind": "email", "address": "digest@centre.example.cn"}).status_code == 201
    digest_sub = as_digest.post(f"/api/partners/{digest_id}/subscriptions", {
        "mode": "digest", "digest": {"frequency": "daily", "hour": 11}})
    assert digest_sub.status_code == 201, digest_sub.text

    park = operator.post("/api/parks", park_body())
    as_park = operator.as_(park.json()["api_key"])
    demand = as_park.post(f"/api/parks/{park.json()['park']['id']}/demands", demand_body())
    assert demand.status_code == 201, demand.text
    first = api.post("/api/companies", company_body())
    assert first.status_code == 201, first.text

    eventually(lambda: holds(len(receiver.alerts("match.found")) == 1), timeout=40)
    [request] = [r for r in receiver.received if r["path"] == "/centre"]
    assert request["verified"] and verifies(old_secret, request)
    eventually(lambda: holds(any(m["To"] == "desk@centre.example.cn" for m in mail.messages())))
    [korean] = [m for m in mail.messages() if m["To"] == "desk@centre.example.cn"]
    assert korean["Subject"].startswith("[Parkmatch] 새 매칭")
    text, html = parts_of(korean)
    assert "점수" in text and 'lang="ko"' in html
    assert "minji@example.kr" not in str(receiver.received) + text + html

    # rotation: during the grace period both secrets verify
    [webhook_channel] = [c for c in as_partner.get(f"/api/partners/{partner_id}/channels").json()
                         if c["kind"] == "webhook"]
    rotated = as_partner.post(
        f"/api/partners/{partner_id}/channels/{webhook_channel['id']}/secret-rotations")
    assert rotated.status_code == 201, rotated.text
    new_secret = receiver.secret = rotated.json()["secret"]
    second = api.post("/api/companies", company_body(names={"en": "Hanbit Bio"}))
    assert second.status_code == 201, second.text
    eventually(lambda: holds(len(receiver.alerts("match.found")) == 2), timeout=40)
    latest = [r for r in receiver.received if r["path"] == "/centre"][-1]
    assert verifies(new_secret, latest) and verifies(old_secret, latest)

    # a manual redelivery: the same webhook-id again
    log = as_partner.get(f"/api/partners/{partner_id}/deliveries")
    assert log.status_code == 200
    delivered = [d for d in log.json() if d["channel_kind"] == "webhook"
                 and d["status"] == "delivered"]
    assert delivered and all(d["attempt_log"][-1]["latency_ms"] >= 0 for d in delivered)
    again = as_partner.post(
        f"/api/partners/{partner_id}/deliveries/{delivered[0]['id']}/redelivery")
    assert again.status_code == 202, again.text
    eventually(lambda: holds(len([r for r in receiver.received if r["path"] == "/centre"]) == 3))
    assert receiver.received[-1]["headers"]["webhook-id"] == delivered[0]["id"]

    # the second company loses eligibility before 11:00: its match leaves the digest
    as_second = api.as_(second.json()["api_key"])
    assert as_second.patch(f"/api/companies/{second.json()['company']['id']}",
                           {"patents": 0}).status_code == 200
    eventually(lambda: holds(len(receiver.alerts("match.withdrawn")) == 1), timeout=40)
    assert not [m for m in mail.messages() if m["To"] == "digest@centre.example.cn"]

    clock.travel_to(system.clock_file, datetime(2026, 5, 6, 11, 0, 5, tzinfo=SEOUL))
    eventually(lambda: holds(any(m["To"] == "digest@centre.example.cn"
                                 for m in mail.messages())), timeout=60)
    [digest] = [m for m in mail.messages() if m["To"] == "digest@centre.example.cn"]
    assert digest["Subject"] == "[Parkmatch] Parkmatch 摘要：1 条提醒"
    text, _ = parts_of(digest)
    assert "Vision Semicon" in text and "Hanbit Bio" not in text
    funnel_view = as_digest.get(f"/api/partners/{digest_id}/alerts").json()
    assert [a["type"] for a in funnel_view if a["disposition"] == "digested"] == ["match.found"]
