"""A partner's webhook that keeps failing, end to end (every service a real
process, public API only): a 500 and a 302 are failures retried with the same
webhook-id, the delivery ends failed, and after
PARKMATCH_CHANNEL_FAILURE_LIMIT failed deliveries in a row the channel is
disabled and the partner told by e-mail through a real local SMTP server; the
delivery log shows every attempt with its status and latency."""
import pytest

from services.ops.catalog import STATEFUL
from tests.conftest import eventually, holds
from tests.e2e.conftest import OPERATOR_KEY, Api, System
from tests.factories import company_body, demand_body, park_body
from tests.smtp_sink import parts_of

pytestmark = pytest.mark.e2e


@pytest.fixture
def failing_system(vhost, database_url, tmp_path, mail):
    urls = {name: database_url(name) for name in STATEFUL}
    # two attempts per delivery (the first, and one retry at most 0.5 s
    # later); two failed deliveries disable a channel
    running = System(vhost, urls, tmp_path, extra_env={
        **mail.env(), "PARKMATCH_CHANNEL_FAILURE_LIMIT": "2",
        "PARKMATCH_WEBHOOK_RETRY_DELAYS": "0.5"})
    running.start_all()
    yield running
    running.stop_all()


def test_a_failing_webhook_is_retried_then_disabled_and_the_partner_emailed(
        failing_system, mail, receiver):
    api = Api(failing_system.url)
    operator = api.as_(OPERATOR_KEY)

    created = operator.post("/api/partners", {
        "names": {"en": "Korea-China International Industrial Innovation Cooperation Center"},
        "country": "CN", "kind": "cooperation_centre", "time_zone": "Asia/Seoul",
        "webhooks": [f"{receiver.url}/broken"], "email": "ops@centre.example.cn"})
    assert created.status_code == 201, created.text
    receiver.secret = created.json()["webhook_secret"]
    partner_id = created.json()["partner"]["id"]
    as_partner = operator.as_(created.json()["api_key"])
    assert as_partner.post(f"/api/partners/{partner_id}/subscriptions",
                           {"sectors": ["biopharmaceuticals"]}).status_code == 201
    # first delivery: 500 then 500; second delivery: 302 (never followed) then 500
    receiver.responses.extend([500, 500, 302, 500])

    park = operator.post("/api/parks", park_body())
    as_park = operator.as_(park.json()["api_key"])
    assert as_park.post(f"/api/parks/{park.json()['park']['id']}/demands",
                        demand_body()).status_code == 201

    def failed_webhook_deliveries():
        log = as_partner.get(f"/api/partners/{partner_id}/deliveries")
        assert log.status_code == 200, log.text
        return [d for d in log.json() if d["channel_kind"] == "webhook"
                and d["status"] == "failed"]

    assert api.post("/api/companies", company_body()).status_code == 201
    eventually(lambda: holds(len(failed_webhook_deliveries()) == 1), timeout=60)
    assert api.post("/api/companies",
                    company_body(names={"en": "Hanbit Bio"})).status_code == 201
    eventually(lambda: holds(len(failed_webhook_deliveries()) == 2), timeout=60)

    # four requests, each pair with one webhook-id, each signed
    requests = [r for r in receiver.received if r["path"] == "/broken"]
    assert len(requests) == 4
    assert all(r["verified"] for r in requests)
    ids = [r["headers"]["webhook-id"] for r in requests]
    assert ids[0] == ids[1] and ids[2] == ids[3] and ids[0] != ids[2]

    # the delivery log: attempts with status code and latency
    failed = failed_webhook_deliveries()
    assert sorted(d["id"] for d in failed) == sorted({ids[0], ids[2]})
    by_id = {d["id"]: d for d in failed}
    assert [a["status_code"] for a in by_id[ids[0]]["attempt_log"]] == [500, 500]
    assert [a["status_code"] for a in by_id[ids[2]]["attempt_log"]] == [302, 500]
    for delivery in failed:
        assert delivery["attempts"] == 2
        assert [a["number"] for a in delivery["attempt_log"]] == [1, 2]
        assert all(isinstance(a["latency_ms"], int) and a["latency_ms"] >= 0
                   for a in delivery["attempt_log"])

    # the channel is disabled, saying why
    channels = as_partner.get(f"/api/partners/{partner_id}/channels")
    [webhook] = [c for c in channels.json() if c["kind"] == "webhook"]
    assert webhook["enabled"] is False
    assert "2 deliveries" in webhook["disabled_reason"]

    # ... and the partner is told by e-mail at its contact address
    def disabled_notice():
        found = [m for m in mail.messages() if m["To"] == "ops@centre.example.cn"]
        assert len(found) == 1, found
        return found[0]
    notice = eventually(disabled_notice, timeout=30)
    assert "disabled" in notice["Subject"] and f"{receiver.url}/broken" in notice["Subject"]
    text, html = parts_of(notice)
    assert f"{receiver.url}/broken" in text and "<h1>" in html
    emailed = [d for d in as_partner.get(f"/api/partners/{partner_id}/deliveries").json()
               if d["channel_kind"] == "email"]
    assert [(d["alert_type"], d["status"], d["url"]) for d in emailed] == [
        ("channel.disabled", "delivered", "ops@centre.example.cn")]
    assert emailed[0]["attempt_log"][-1]["status_code"] == 250

    # a disabled channel gets nothing more: the third match is alerted, not sent to it
    assert api.post("/api/companies",
                    company_body(names={"en": "Daehan Pharma"})).status_code == 201

    def third_alert():
        alerts = [a for a in as_partner.get(f"/api/partners/{partner_id}/alerts").json()
                  if a["type"] == "match.found"]
        assert len(alerts) == 3, alerts
        return alerts
    alerts = eventually(third_alert, timeout=60)
    newest = max(alerts, key=lambda a: a["created_at"])
    assert not [d for d in newest["deliveries"] if d["url"] == f"{receiver.url}/broken"]
    assert len([r for r in receiver.received if r["path"] == "/broken"]) == 4
