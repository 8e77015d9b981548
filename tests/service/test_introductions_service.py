"""Introductions in the agreements service (real broker, real database, the
profiles service beside it for contacts): double opt-in, duplicates, the cap,
expiry by the timer with a moved clock, events once."""
from datetime import timedelta

import pytest

from services.agreements.service import AgreementsService
from services.contracts.actors import OPERATOR
from services.contracts.errors import Conflict, Forbidden, InvalidInput
from services.platform import clock
from tests.conftest import eventually, holds
from tests.factories import company_body, park_body
from tests.service.conftest import (
    actor,
    match_event,
    outbox_count,
    partner_registered,
    wait_known,
    wait_match,
)

COMPANY_EMAIL = "minji@example.kr"
PARK_CONTACT = {"person": "Zhao Lei", "email": "invest@binxian.example", "phone": None}
PARTNER_CONTACT = {"person": "Park Jisoo", "email": "jisoo@kic.example", "phone": None}


@pytest.fixture
def park_with_contact(agreements, agreements_db, rpc):
    park = rpc.profiles.register_park(OPERATOR, park_body(contact=PARK_CONTACT))["park"]
    wait_known(agreements_db, "park", park["id"])
    return park


def test_double_opt_in_releases_contacts_only_after_the_company_accepts(
        agreements, agreements_db, rpc, publish, event_spy, park_with_contact):
    company = rpc.profiles.register_company(company_body())["company"]
    wait_known(agreements_db, "company", company["id"])
    park = park_with_contact
    found = publish(match_event("match.found", company, park)).payload
    wait_match(agreements_db, found["match_id"])
    partner = publish(partner_registered("KIC China")).payload
    wait_known(agreements_db, "partner", partner["partner_id"])
    as_partner = {"kind": "partner", "id": partner["partner_id"]}

    # a partner must say how the company reaches it
    with pytest.raises(InvalidInput) as caught:
        rpc.agreements.request_introduction(as_partner, {"match_id": found["match_id"]})
    assert list(caught.value.details) == ["contact"]
    intro = rpc.agreements.request_introduction(as_partner, {
        "match_id": found["match_id"], "message": "KIC China would like to introduce you",
        "contact": PARTNER_CONTACT})
    assert intro["status"] == "requested" and intro["sponsor_partner_id"] == \
        partner["partner_id"]
    assert intro["contacts"] is None

    # the park's own profile never shows its contact to others
    assert rpc.profiles.get_park(actor("company", company), park["id"])["contact"] is None
    assert rpc.profiles.get_park(actor("park", park), park["id"])["contact"]["email"] == \
        PARK_CONTACT["email"]

    # before acceptance: no contact for anyone, in any read
    for who in (as_partner, actor("park", park), actor("company", company), OPERATOR):
        seen = rpc.agreements.get_introduction(who, intro["id"])
        assert seen["contacts"] is None
        listed = rpc.agreements.list_introductions(who)["items"]
        assert [i["id"] for i in listed] == [intro["id"]]
        text = str(seen) + str(listed)
        assert COMPANY_EMAIL not in text and PARTNER_CONTACT["email"] not in text
    with pytest.raises(Forbidden):
        rpc.agreements.accept_introduction(actor("park", park), intro["id"], {})
    stranger = rpc.profiles.register_company(company_body())["company"]
    with pytest.raises(Forbidden):
        rpc.agreements.get_introduction(actor("company", stranger), intro["id"])

    accepted = rpc.agreements.accept_introduction(actor("company", company), intro["id"], {})
    assert accepted["status"] == "accepted"
    assert accepted["contacts"]["requester"]["email"] == PARTNER_CONTACT["email"]
    for who in (as_partner, actor("park", park)):
        contacts = rpc.agreements.get_introduction(who, intro["id"])["contacts"]
        assert contacts["company"]["email"] == COMPANY_EMAIL
        assert contacts["park"]["email"] == PARK_CONTACT["email"]
    # lists stay without contacts; answering again changes nothing
    listed = rpc.agreements.list_introductions(as_partner)["items"]
    assert all(i["contacts"] is None for i in listed)
    again = rpc.agreements.accept_introduction(actor("company", company), intro["id"], {})
    assert again["version"] == accepted["version"]
    with pytest.raises(Conflict):
        rpc.agreements.decline_introduction(actor("company", company), intro["id"], {})

    requested = event_spy.wait_for("introduction.requested")
    done = event_spy.wait_for("introduction.accepted")
    assert done["payload"]["introduction_id"] == intro["id"]
    assert requested["payload"]["sponsor_partner_id"] == partner["partner_id"]
    events = str(event_spy.events)
    assert COMPANY_EMAIL not in events and PARTNER_CONTACT["email"] not in events \
        and PARK_CONTACT["email"] not in events
    assert outbox_count(agreements_db, "introduction.accepted") == 1


def test_repeats_return_the_open_request_and_the_cap_is_a_conflict(
        agreements, world, agreements_db, rpc, publish, monkeypatch):
    company, park = world
    matches = []
    for _ in range(3):
        other = rpc.profiles.register_company(company_body())["company"]
        wait_known(agreements_db, "company", other["id"])
        found = publish(match_event("match.found", other, park)).payload
        wait_match(agreements_db, found["match_id"])
        matches.append((other, found))
    as_park = actor("park", park)
    monkeypatch.setenv("PARKMATCH_MAX_OPEN_INTRODUCTIONS", "2")

    first = rpc.agreements.request_introduction(as_park, {"match_id": matches[0][1]["match_id"]})
    assert rpc.agreements.request_introduction(
        as_park, {"match_id": matches[0][1]["match_id"]})["id"] == first["id"]
    rpc.agreements.request_introduction(as_park, {"match_id": matches[1][1]["match_id"]})
    with pytest.raises(Conflict) as caught:
        rpc.agreements.request_introduction(as_park, {"match_id": matches[2][1]["match_id"]})
    # (numbers in error details cross nameko's RPC as text)
    assert caught.value.details == {"open_requests": "2", "cap": "2"}
    assert outbox_count(agreements_db, "introduction.requested") == 2

    # a declined one frees a place and is not asked again
    rpc.agreements.decline_introduction(actor("company", matches[0][0]), first["id"],
                                        {"reason": "we chose Chongqing"})
    with pytest.raises(Conflict):
        rpc.agreements.request_introduction(as_park, {"match_id": matches[0][1]["match_id"]})
    third = rpc.agreements.request_introduction(as_park,
                                                {"match_id": matches[2][1]["match_id"]})
    assert third["status"] == "requested"
    # another park may not ask about this park's match; a company never asks
    other_park = rpc.profiles.register_park(OPERATOR, park_body())["park"]
    with pytest.raises(Forbidden):
        rpc.agreements.request_introduction(actor("park", other_park),
                                            {"match_id": matches[2][1]["match_id"]})
    with pytest.raises(Forbidden):
        rpc.agreements.request_introduction(actor("company", company),
                                            {"match_id": matches[2][1]["match_id"]})
    with pytest.raises(InvalidInput) as caught:
        rpc.agreements.request_introduction(as_park, {"match_id": "no-such-match"})
    assert list(caught.value.details) == ["match_id"]


def test_unanswered_requests_expire_once_when_the_clock_passes_the_ttl(
        run_service, agreements_db, rpc, publish, event_spy, monkeypatch,
        tmp_path):
    clock_file = tmp_path / "clock"
    monkeypatch.setenv("PARKMATCH_CLOCK_FILE", str(clock_file))
    monkeypatch.setenv("PARKMATCH_AGREEMENTS_TIMER_INTERVAL", "0.2")
    start = clock.now()
    clock.travel_to(clock_file, start)
    url = agreements_db.url
    # a second process of the service on the same database competes for the expiry
    run_service(AgreementsService, database_urls={"agreements": url})
    company = rpc.profiles.register_company(company_body())["company"]
    park = rpc.profiles.register_park(OPERATOR, park_body())["park"]
    wait_known(agreements_db, "company", company["id"])
    wait_known(agreements_db, "park", park["id"])
    found = publish(match_event("match.found", company, park)).payload
    wait_match(agreements_db, found["match_id"])
    intro = rpc.agreements.request_introduction(actor("park", park),
                                                {"match_id": found["match_id"]})
    assert intro["expires_at"].startswith((start + timedelta(days=14)).date().isoformat())

    clock.travel_to(clock_file, start + timedelta(days=13))
    eventually(lambda: holds(rpc.agreements.get_introduction(OPERATOR, intro["id"])
                             ["status"] == "requested"), timeout=1)
    clock.travel_to(clock_file, start + timedelta(days=14, minutes=1))
    expired = event_spy.wait_for("introduction.expired")
    assert expired["payload"]["introduction_id"] == intro["id"]
    assert rpc.agreements.get_introduction(OPERATOR, intro["id"])["status"] == "expired"
    with pytest.raises(Conflict):
        rpc.agreements.accept_introduction(actor("company", company), intro["id"], {})
    # several more ticks of both processes: still exactly one
    import time
    time.sleep(1.0)
    assert outbox_count(agreements_db, "introduction.expired") == 1
    assert len(event_spy.of_type("introduction.expired")) == 1
    # once expired, the park may ask again
    again = rpc.agreements.request_introduction(actor("park", park),
                                                {"match_id": found["match_id"]})
    assert again["id"] != intro["id"] and again["status"] == "requested"


def test_the_open_request_cap_holds_under_concurrent_requests(
        agreements, world, agreements_db, rpc, publish, service_config, monkeypatch):
    """Requests racing at the cap (PostgreSQL: READ COMMITTED, competing
    workers each with its own connection) never leave more open requests than
    the cap: the requester's directory row is locked while it is counted."""
    from nameko.standalone.rpc import ClusterRpcProxy

    _, park = world
    found = []
    for _ in range(8):
        other = rpc.profiles.register_company(company_body())["company"]
        wait_known(agreements_db, "company", other["id"])
        found.append(publish(match_event("match.found", other, park)).payload["match_id"])
    for match_id in found:
        wait_match(agreements_db, match_id)
    monkeypatch.setenv("PARKMATCH_MAX_OPEN_INTRODUCTIONS", "3")
    as_park = actor("park", park)

    def ask(match_id):
        with ClusterRpcProxy(service_config, timeout=30) as proxy:
            try:
                return proxy.agreements.request_introduction(as_park, {"match_id": match_id})
            except Conflict as exc:
                return exc

    import eventlet
    results = list(eventlet.GreenPool(8).imap(ask, found))

    made = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(made) == 3 and len(refused) == 5, results
    assert all(r.details["cap"] == "3" for r in refused)
    listed = rpc.agreements.list_introductions(as_park, "requested")["items"]
    assert sorted(i["id"] for i in listed) == sorted(r["id"] for r in made)
    assert outbox_count(agreements_db, "introduction.requested") == 3


def test_the_requester_withdraws_an_open_request_and_may_ask_again(
        agreements, world, agreements_db, rpc, publish, event_spy, monkeypatch):
    company, park = world
    found = publish(match_event("match.found", company, park)).payload
    wait_match(agreements_db, found["match_id"])
    as_park, as_company = actor("park", park), actor("company", company)
    monkeypatch.setenv("PARKMATCH_MAX_OPEN_INTRODUCTIONS", "1")
    intro = rpc.agreements.request_introduction(as_park, {"match_id": found["match_id"]})

    with pytest.raises(Forbidden):
        rpc.agreements.withdraw_introduction(as_company, intro["id"], {})
    withdrawn = rpc.agreements.withdraw_introduction(as_park, intro["id"],
                                                     {"reason": "we chose another company"})
    assert withdrawn["status"] == "withdrawn" and withdrawn["version"] == 2
    assert withdrawn["withdrawal_reason"] == "we chose another company"
    assert withdrawn["decided_by"] == as_park and withdrawn["contacts"] is None
    # twice: nothing more; the company can no longer answer
    assert rpc.agreements.withdraw_introduction(as_park, intro["id"], {})["version"] == 2
    with pytest.raises(Conflict) as caught:
        rpc.agreements.accept_introduction(as_company, intro["id"], {})
    assert caught.value.details["state"] == "withdrawn"
    event = event_spy.wait_for("introduction.withdrawn")
    assert event["payload"]["introduction_id"] == intro["id"]
    assert event["payload"]["status"] == "withdrawn"
    assert "we chose" not in str(event_spy.events)  # no free text in events
    assert outbox_count(agreements_db, "introduction.withdrawn") == 1

    # the place under the cap (1) is free again, and the same match may be asked again
    again = rpc.agreements.request_introduction(as_park, {"match_id": found["match_id"]})
    assert again["id"] != intro["id"] and again["status"] == "requested"
    rpc.agreements.accept_introduction(as_company, again["id"], {})
    with pytest.raises(Conflict) as caught:
        rpc.agreements.withdraw_introduction(as_park, again["id"], {})
    assert caught.value.details == {"state": "accepted", "allowed_actions": []}

    # the operator withdraws on a requester's behalf
    other = rpc.profiles.register_company(company_body())["company"]
    wait_known(agreements_db, "company", other["id"])
    second = publish(match_event("match.found", other, park)).payload
    wait_match(agreements_db, second["match_id"])
    third = rpc.agreements.request_introduction(as_park, {"match_id": second["match_id"]})
    assert rpc.agreements.withdraw_introduction(OPERATOR, third["id"], None)["status"] == \
        "withdrawn"
