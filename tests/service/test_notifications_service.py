"""The notifications service in a nameko container on the real broker and a
real database, delivering to a real HTTP server started by the test: alerts
reach partners in scope exactly once, signed, and failed deliveries are
retried with the same webhook-id and logged."""
# ruff: noqa: F811  (pytest fixtures imported from notifications_fixtures)
import base64
import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from services.contracts import make_event
from services.contracts.actors import OPERATOR
from services.contracts.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from services.notifications import config, storage, usecases
from services.notifications.service import NotificationsService
from services.notifications.webhooks import Outcome
from services.platform.db import Database
from services.platform.nameko_ext import BoundDatabase, ConfiguredTimer
from tests.conftest import eventually
from tests.service.notifications_fixtures import (  # noqa: F401  (fixtures)
    CHENGDU,
    DIGEST_POLL_INTERVAL,
    HARBIN_BIO,
    POLL_INTERVAL,
    agreement,
    assert_count,
    delivery_env,
    match,
    notifications,
    publish,
    receiver,
    register,
    service_db,
    settle,
    signed_by,
    wait_until_handled,
    wait_until_queue_empty,
)

# --- partners and subscriptions ------------------------------------------------------------

def test_the_timers_take_their_intervals_from_the_environment(notifications):
    timers = [e for e in notifications.entrypoints if isinstance(e, ConfiguredTimer)]
    assert sorted((t.method_name, t.interval) for t in timers) == [
        ("deliver_webhooks", POLL_INTERVAL), ("send_digests", DIGEST_POLL_INTERVAL)]


def test_operator_registers_a_partner_and_its_secret_stays_private(
        notifications, rpc, event_spy, receiver):
    registered, actor = register(rpc, webhooks=[receiver.url("/hooks")])
    partner = registered["partner"]

    assert registered["api_key"].startswith("pmk_partner_")
    assert registered["webhook_secret"].startswith("whsec_")
    assert len(base64.b64decode(registered["webhook_secret"][6:])) == 24
    assert partner["time_zone"] == "Asia/Seoul" and partner["version"] == 1
    event = event_spy.wait_for("partner.registered",
                               lambda e: e["payload"]["partner_id"] == partner["id"])
    assert event["payload"]["kind"] == "cooperation_centre"
    assert set(event["payload"]) == {"partner_id", "version", "names", "country", "kind"}
    own_view = rpc.notifications.get_partner(actor, partner["id"])
    assert own_view == partner
    assert registered["webhook_secret"] not in json.dumps(own_view) + json.dumps(event)
    assert rpc.notifications.authenticate(registered["api_key"]) == actor
    assert rpc.notifications.authenticate(registered["api_key"] + "x") is None
    assert rpc.notifications.authenticate("pmk_company_whatever") is None


def test_only_the_operator_registers_and_only_the_partner_or_operator_reads(notifications, rpc):
    with pytest.raises(Unauthenticated):
        rpc.notifications.register_partner(None, {})
    with pytest.raises(Forbidden):
        rpc.notifications.register_partner({"kind": "company", "id": "c1"}, {})
    registered, actor = register(rpc)
    _, other = register(rpc)
    with pytest.raises(Forbidden):
        rpc.notifications.get_partner(other, actor["id"])
    with pytest.raises(Forbidden):
        rpc.notifications.list_alerts(other, actor["id"])["items"]
    with pytest.raises(NotFound):
        rpc.notifications.get_partner(OPERATOR, "no-such-partner")
    assert rpc.notifications.get_partner(OPERATOR, actor["id"])["id"] == actor["id"]


def test_invalid_registration_names_every_bad_field(notifications, rpc):
    with pytest.raises(InvalidInput) as caught:
        rpc.notifications.register_partner(OPERATOR, {
            "names": {}, "country": "Korea", "kind": "bank",
            "webhooks": ["ftp://example.org/hook"], "time_zone": "Nowhere/Special"})
    assert set(caught.value.details) == {"names", "country", "kind", "webhooks", "time_zone"}


def test_subscriptions_are_added_and_listed_by_their_partner(notifications, rpc):
    _, actor = register(rpc)
    _, other = register(rpc)

    everything = rpc.notifications.add_subscription(actor, actor["id"], {})
    scoped = rpc.notifications.add_subscription(actor, actor["id"], HARBIN_BIO)

    # default: every alert kind (matches, introductions, agreements, obligations)
    assert everything["event_kinds"] == [
        "match.found", "match.updated", "match.withdrawn",
        "introduction.requested", "introduction.accepted",
        "agreement.proposed", "agreement.signed", "obligation.due", "obligation.overdue"]
    assert everything["min_score"] == 0 and everything["sectors"] == []
    assert scoped["regions"] == [{"country": "CN", "province": "Heilongjiang", "city": None}]
    listed = rpc.notifications.list_subscriptions(actor, actor["id"])["items"]
    assert [s["id"] for s in listed] == [everything["id"], scoped["id"]]
    assert rpc.notifications.list_subscriptions(other, other["id"])["items"] == []
    with pytest.raises(Forbidden):
        rpc.notifications.add_subscription(other, actor["id"], {})
    with pytest.raises(NotFound):
        rpc.notifications.add_subscription(OPERATOR, "no-such-partner", {})
    with pytest.raises(InvalidInput) as caught:
        rpc.notifications.add_subscription(actor, actor["id"], {
            "sectors": ["spaceships"], "min_score": 150, "event_kinds": ["agreement.shredded"]})
    assert set(caught.value.details) == {"sectors", "min_score", "event_kinds"}


# --- alerts by webhook ---------------------------------------------------------------

def test_a_match_in_scope_arrives_once_signed_and_is_listed(
        notifications, rpc, publish, receiver, service_db, vhost):
    registered, actor = register(rpc, webhooks=[receiver.url("/hooks")])
    # two subscriptions that both cover the match: still one alert
    rpc.notifications.add_subscription(actor, actor["id"], HARBIN_BIO)
    rpc.notifications.add_subscription(actor, actor["id"], {"min_score": 50})
    found = match(score=82.5)

    first = publish("match.found", found)

    eventually(lambda: assert_count(receiver.to("/hooks"), 1))
    request = receiver.to("/hooks")[0]
    assert signed_by(registered["webhook_secret"], request)
    assert abs(int(request["headers"]["webhook-timestamp"]) - time.time()) < 60
    assert request["headers"]["content-type"] == "application/json"
    message = json.loads(request["body"])
    assert message["type"] == "match.found"
    assert message["data"]["match_id"] == found["match_id"] and message["data"]["score"] == 82.5
    assert datetime.fromisoformat(message["occurred_at"]) == first.occurred_at

    # The same event redelivered, and another event with the same fact (same
    # match, same version): neither alerts again.
    publish("match.found", found, event=first)
    same_fact = publish("match.found", found)
    wait_until_handled(service_db, first, same_fact)
    wait_until_queue_empty(vhost, "notifications.match_changed")
    settle()

    assert len(receiver.to("/hooks")) == 1
    alerts = rpc.notifications.list_alerts(actor, actor["id"])["items"]
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert["id"] == message["id"] and alert["subject_id"] == found["match_id"]
    assert alert["deliveries"] == [{
        "id": request["headers"]["webhook-id"], "url": receiver.url("/hooks"),
        "status": "delivered", "attempts": 1, "last_status_code": 200}]


def the_delivery(rpc, actor, status):
    """The partner's one delivery, once it has reached `status`."""
    def check():
        deliveries = rpc.notifications.list_deliveries(actor, actor["id"])["items"]
        assert len(deliveries) == 1 and deliveries[0]["status"] == status, deliveries
        return deliveries[0]
    return eventually(check)


def test_matches_out_of_scope_are_not_sent(notifications, rpc, publish, receiver, service_db):
    _, actor = register(rpc, webhooks=[receiver.url("/hooks")])
    rpc.notifications.add_subscription(actor, actor["id"], HARBIN_BIO)

    out_of_scope = [
        publish("match.found", match(sectors=["semiconductors"], company_sectors=["cloud"])),
        publish("match.found", match(region=CHENGDU)),
        publish("match.found", match(score=59.9)),
        publish("match.found", match(region={"country": "KR"})),
    ]
    in_scope = publish("match.found", match(sectors=["cloud"],
                                            company_sectors=["medical_devices"]))
    wait_until_handled(service_db, *out_of_scope, in_scope)
    settle()

    sent = [json.loads(r["body"])["data"]["match_id"] for r in receiver.to("/hooks")]
    assert sent == [in_scope.payload["match_id"]]
    listed = rpc.notifications.list_alerts(actor, actor["id"])["items"]
    assert [a["subject_id"] for a in listed] == sent


def test_withdrawal_reaches_only_partners_told_about_the_match(
        notifications, rpc, publish, receiver, service_db):
    _, told = register(rpc, webhooks=[receiver.url("/told")])
    rpc.notifications.add_subscription(told, told["id"], HARBIN_BIO)
    _, demanding = register(rpc, webhooks=[receiver.url("/demanding")])
    rpc.notifications.add_subscription(demanding, demanding["id"], {"min_score": 95})
    found = match(score=80)

    publish("match.found", found)
    eventually(lambda: assert_count(receiver.to("/told"), 1))
    withdrawn = publish("match.withdrawn", {**match(score=30, version=2, status="withdrawn",
                                                    match_id=found["match_id"])})
    wait_until_handled(service_db, withdrawn)
    eventually(lambda: assert_count(receiver.to("/told"), 2))
    settle()

    assert receiver.to("/demanding") == []
    assert json.loads(receiver.to("/told")[1]["body"])["type"] == "match.withdrawn"
    alerts = rpc.notifications.list_alerts(told, told["id"])["items"]
    assert [(a["type"], a["subject_version"]) for a in alerts] == [
        ("match.withdrawn", 2), ("match.found", 1)]  # newest first
    newest_only = rpc.notifications.list_alerts(told, told["id"], limit=1)["items"]
    assert [a["type"] for a in newest_only] == ["match.withdrawn"]


def test_a_proposed_then_signed_agreement_reaches_its_partner_party_on_every_webhook(
        notifications, rpc, publish, receiver, service_db):
    party_registration, party = register(rpc, webhooks=[receiver.url("/party-a"),
                                                        receiver.url("/party-b")])
    _, subscriber = register(rpc, webhooks=[receiver.url("/subscriber")])
    rpc.notifications.add_subscription(subscriber, subscriber["id"], HARBIN_BIO)
    _, signatures_only = register(rpc, webhooks=[receiver.url("/signatures-only")])
    rpc.notifications.add_subscription(signatures_only, signatures_only["id"],
                                       {"event_kinds": ["agreement.signed"]})
    _, elsewhere = register(rpc, webhooks=[receiver.url("/elsewhere")])
    rpc.notifications.add_subscription(elsewhere, elsewhere["id"], {"sectors": ["cloud"]})
    parties = [{"kind": "park", "id": "k-binxian", "name": "Binxian ETDZ"},
               {"kind": "partner", "id": party["id"], "name": "Harbin centre"}]
    draft = agreement(parties, status="proposed")
    draft["version"] = 2

    proposed = publish("agreement.proposed", draft)
    signed = publish("agreement.signed", {**agreement(parties), "agreement_id":
                                          draft["agreement_id"]})
    wait_until_handled(service_db, proposed, signed)
    eventually(lambda: assert_count(receiver.to("/subscriber"), 2))
    eventually(lambda: assert_count(receiver.to("/party-a") + receiver.to("/party-b"), 4))
    eventually(lambda: assert_count(receiver.to("/signatures-only"), 1))
    settle()

    assert receiver.to("/elsewhere") == []
    assert json.loads(receiver.to("/signatures-only")[0]["body"])["type"] == "agreement.signed"
    for path in ("/party-a", "/party-b", "/subscriber"):
        assert sorted(json.loads(r["body"])["type"] for r in receiver.to(path)) == [
            "agreement.proposed", "agreement.signed"]
    to_party = receiver.to("/party-a") + receiver.to("/party-b")
    assert len({r["headers"]["webhook-id"] for r in to_party}) == 4  # one delivery per URL
    assert all(signed_by(party_registration["webhook_secret"], r) for r in to_party)
    alerts = rpc.notifications.list_alerts(party, party["id"])["items"]
    assert {a["subject_id"] for a in alerts} == {draft["agreement_id"]}
    assert sorted(a["type"] for a in alerts) == ["agreement.proposed", "agreement.signed"]
    assert sorted(d["url"] for d in alerts[0]["deliveries"]) == [
        receiver.url("/party-a"), receiver.url("/party-b")]


# --- retries -----------------------------------------------------------------------------

def test_a_failed_delivery_is_retried_with_the_same_webhook_id(
        notifications, rpc, publish, receiver):
    registered, actor = register(rpc, webhooks=[receiver.url("/flaky")])
    rpc.notifications.add_subscription(actor, actor["id"], {})
    receiver.script["/flaky"] = [500, 200]

    publish("match.found", match())

    eventually(lambda: assert_count(receiver.to("/flaky"), 2))
    first, second = receiver.to("/flaky")
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]
    assert first["body"] == second["body"]
    assert signed_by(registered["webhook_secret"], first)
    assert signed_by(registered["webhook_secret"], second)

    delivery = the_delivery(rpc, actor, "delivered")
    assert delivery["id"] == first["headers"]["webhook-id"]
    assert delivery["attempts"] == 2 and delivery["alert_type"] == "match.found"
    assert [(a["number"], a["status_code"], a["error"]) for a in delivery["attempt_log"]] == [
        (1, 500, "HTTP 500"), (2, 200, None)]
    assert all(a["latency_ms"] >= 0 for a in delivery["attempt_log"])
    assert delivery["delivered_at"] is not None and delivery["next_attempt_at"] is None
    [alert] = rpc.notifications.list_alerts(actor, actor["id"])["items"]
    assert alert["deliveries"][0]["attempts"] == 2


def test_a_redirect_is_a_failure_and_is_not_followed(notifications, rpc, publish, receiver):
    _, actor = register(rpc, webhooks=[receiver.url("/moving")])
    rpc.notifications.add_subscription(actor, actor["id"], {})
    receiver.script["/moving"] = [302, 302, 302]

    publish("match.found", match())

    delivery = the_delivery(rpc, actor, "failed")
    # the first attempt and the two retries of PARKMATCH_WEBHOOK_RETRY_DELAYS
    assert [a["status_code"] for a in delivery["attempt_log"]] == [302, 302, 302]
    assert delivery["attempts"] == 3 and delivery["last_status_code"] == 302
    assert "redirect" in delivery["last_error"]
    settle()
    assert len(receiver.to("/moving")) == 3
    assert receiver.to("/moved-here") == []


def test_an_unreachable_endpoint_is_a_failed_attempt(notifications, rpc, publish, receiver):
    _, actor = register(rpc, webhooks=["http://127.0.0.1:9/nobody-listens"])
    rpc.notifications.add_subscription(actor, actor["id"], {})

    publish("match.found", match())

    delivery = the_delivery(rpc, actor, "failed")
    assert [a["status_code"] for a in delivery["attempt_log"]] == [None, None, None]
    assert "ConnectionError" in delivery["last_error"]


# --- two processes -------------------------------------------------------------------------

def test_two_processes_never_send_the_same_delivery_twice(
        run_service, delivery_env, database_url, rpc, publish, receiver):
    url = database_url("notifications")
    run_service(NotificationsService, database_urls={"notifications": url})
    run_service(NotificationsService, database_urls={"notifications": url})
    _, actor = register(rpc, webhooks=[receiver.url("/a"), receiver.url("/b")])
    rpc.notifications.add_subscription(actor, actor["id"], {})

    for _ in range(15):
        publish("match.found", match())

    eventually(lambda: assert_count(receiver.to("/a") + receiver.to("/b"), 30), timeout=40)
    settle()
    webhook_ids = [r["headers"]["webhook-id"] for r in receiver.requests]
    assert len(webhook_ids) == 30 and len(set(webhook_ids)) == 30


def test_a_result_arriving_after_another_process_took_over_does_not_move_the_delivery(
        database_url, delivery_env):
    """Process A's send outlived its lease; process B claimed the delivery
    again. A's late result is logged but B decides the delivery's state."""
    db = BoundDatabase(Database(database_url("notifications"), "notifications"), None)
    settings = config.settings()
    partner = usecases.register_partner(db, settings, OPERATOR, {
        "names": {"en": "Seoul Bio Hub"}, "country": "KR", "kind": "other",
        "webhooks": ["http://127.0.0.1:9/hook"]})["partner"]
    usecases.add_subscription(db, OPERATOR, partner["id"], {})
    usecases.match_changed(db, settings, make_event("match.found", match(), producer="tests"))

    [claimed_by_a] = usecases.claim_due_deliveries(db, settings, limit=10)
    assert usecases.claim_due_deliveries(db, settings, limit=10) == []  # hidden while A holds it
    lease_ran_out = datetime.now(UTC) - timedelta(seconds=1)
    db.run(lambda uow: storage.update_delivery(uow.connection, claimed_by_a["delivery"]["id"],
                                               {"next_attempt_at": lease_ran_out}))
    [claimed_by_b] = usecases.claim_due_deliveries(db, settings, limit=10)

    answered = usecases.send_claimed(db, settings, claimed_by_b,
                                     send=lambda *a, **k: Outcome(200, None, 5))
    assert answered == "delivered"
    late = usecases.send_claimed(db, settings, claimed_by_a,
                                 send=lambda *a, **k: Outcome(None, "Timeout", 9))

    assert late == "delivered"
    [delivery] = usecases.list_deliveries(db, OPERATOR, partner["id"])["items"]
    assert delivery["status"] == "delivered" and delivery["attempts"] == 2
    assert [a["status_code"] for a in delivery["attempt_log"]] == [200, None]
    db.database.dispose()
