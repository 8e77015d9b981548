"""The matching service in nameko containers on the real broker and a real
database, fed by the profiles service (or by envelopes published straight to
the exchange): matches are found, updated and withdrawn as profiles change,
each exactly once, even with two matching processes side by side."""
import json
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from services.contracts import make_event
from services.contracts.actors import OPERATOR
from services.contracts.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from services.contracts.events import REGISTRY
from services.matching import domain, storage
from services.matching.service import MatchingService
from services.platform.broker import EventPublisher
from services.platform.db import Database
from services.platform.outbox import _table as outbox
from services.profiles.service import ProfilesService
from tests.conftest import eventually
from tests.factories import company_body, demand_body, park_body

HARBIN_CRITERIA = ["sectors", "space", "facilities", "min_patents", "min_years_since_founding",
                   "funding_or_market_validation", "certification_any_of"]


# --- helpers ----------------------------------------------------------------------

@pytest.fixture
def services(run_service):
    """profiles and matching, as in production; returns the matching container."""
    run_service(ProfilesService)
    return run_service(MatchingService)


@contextmanager
def matching_database(container):
    database = Database(container.config["MATCHING_DATABASE_URL"], "matching")
    try:
        yield database
    finally:
        database.dispose()


def outbox_rows(container):
    """Every event matching ever emitted, oldest first, as (type, payload)."""
    return [(row.event_type, json.loads(row.body)["payload"]) for row in _outbox(container)]


def _outbox(container):
    with matching_database(container) as database:
        with database.engine.connect() as conn:
            return conn.execute(select(outbox.c.event_type, outbox.c.body)
                                .order_by(outbox.c.id)).all()


def outbox_events(container):
    return [(json.loads(row.body)["event_id"], row.event_type) for row in _outbox(container)]


def wait_until_matching_holds(container, company_id, version):
    """Until matching has stored (and so fully handled) this company version."""
    def check():
        with matching_database(container) as database:
            stored = database.run(lambda uow: storage.get_company(uow.connection, company_id))
        assert stored is not None and stored["version"] == version
    eventually(check)


def publish_park_demand(rpc, **overrides):
    park = rpc.profiles.register_park(OPERATOR, park_body())["park"]
    actor = {"kind": "park", "id": park["id"]}
    return actor, rpc.profiles.publish_demand(actor, park["id"], demand_body(**overrides))


def register_company(rpc, **overrides):
    company = rpc.profiles.register_company(company_body(**overrides))["company"]
    return {"kind": "company", "id": company["id"]}, company


def match_history(spy, match_id):
    """(type, version) of every match event seen for one match."""
    spy.poll()
    return [(e["type"], e["payload"]["version"]) for e in spy.events
            if e["type"].startswith("match.") and e["payload"]["match_id"] == match_id]


def snapshot_event(event_type, payload):
    loaded = REGISTRY[(event_type, 1)].load(payload)
    return make_event(event_type, loaded, producer="profiles")


def company_snapshot(company_id, version=1, **overrides):
    body = {k: v for k, v in company_body(**overrides).items() if k != "contact"}
    return snapshot_event("company.registered" if version == 1 else "company.updated",
                          {**body, "company_id": company_id, "version": version})


def demand_snapshot(demand_id, version=1, **overrides):
    park = park_body()
    body = {"valid_from": date.today().isoformat(), "status": "open", **demand_body(**overrides)}
    return snapshot_event("park_demand.published", {
        **body, "demand_id": demand_id, "version": version,
        "park": {"park_id": "park-1", "version": 1, "names": park["names"],
                 "region": park["region"]}})


def publish(vhost, *events):
    publisher = EventPublisher(vhost)
    try:
        for event in events:
            publisher.publish(event.type, json.dumps(event.to_message()), event.event_id)
    finally:
        publisher.close()


# --- through profiles ------------------------------------------------------------------

def test_a_registered_company_is_matched_with_a_published_demand(services, rpc, event_spy):
    park_actor, demand = publish_park_demand(rpc)
    company_actor, company = register_company(rpc)

    found = event_spy.wait_for(
        "match.found", lambda e: e["payload"]["company"]["company_id"] == company["id"])
    payload = found["payload"]
    assert found["producer"] == "matching"
    assert payload["match_id"] == domain.match_id(company["id"], demand["id"])
    assert (payload["version"], payload["status"], payload["score"]) == (1, "active", 100.0)
    assert payload["demand"]["park_id"] == park_actor["id"]
    assert payload["demand"]["region"]["city"] == "Harbin"
    assert payload["company"]["names"]["en"] == "Vision Semicon"
    assert [o["criterion"] for o in payload["outcomes"]] == HARBIN_CRITERIA
    assert {o["outcome"] for o in payload["outcomes"]} == {"met"}
    assert payload["outcomes"][3]["explanation"] == "holds 3 patents; at least 1 required"
    assert payload["summary"] == ("Meets all 7 required criteria of Korea-China High-Tech "
                                  "Valley, phase 1; sectors in common: Biopharmaceuticals")
    assert "minji@example.kr" not in json.dumps(found)

    listed = rpc.matching.list_company_matches(company_actor, company["id"])["items"]
    assert [m["match_id"] for m in listed] == [payload["match_id"]]
    assert listed[0]["created_at"] and listed[0]["updated_at"]
    assert rpc.matching.list_demand_matches(park_actor, demand["id"])["items"] == listed
    partner = {"kind": "partner", "id": "kic-china"}
    assert rpc.matching.get_match(partner, payload["match_id"])["score"] == 100.0


def test_who_may_read_matches(services, rpc, event_spy):
    park_actor, demand = publish_park_demand(rpc)
    company_actor, company = register_company(rpc)
    match_id = event_spy.wait_for("match.found")["payload"]["match_id"]
    other_company = {"kind": "company", "id": "someone-else"}
    other_park = {"kind": "park", "id": "another-park"}

    assert rpc.matching.get_match(company_actor, match_id)["match_id"] == match_id
    assert rpc.matching.get_match(park_actor, match_id)["match_id"] == match_id
    by_company = rpc.matching.list_company_matches(OPERATOR, company["id"])["items"]
    by_demand = rpc.matching.list_demand_matches(OPERATOR, demand["id"])["items"]
    assert by_company[0]["match_id"] == by_demand[0]["match_id"] == match_id
    for call in (lambda: rpc.matching.get_match(other_company, match_id),
                 lambda: rpc.matching.get_match(other_park, match_id),
                 lambda: rpc.matching.list_company_matches(other_company, company["id"])["items"],
                 lambda: rpc.matching.list_company_matches(park_actor, company["id"])["items"],
                 lambda: rpc.matching.list_demand_matches(other_park, demand["id"])["items"],
                 lambda: rpc.matching.list_demand_matches(company_actor, demand["id"])["items"]):
        with pytest.raises(Forbidden):
            call()
    with pytest.raises(Unauthenticated):
        rpc.matching.get_match(None, match_id)
    for call in (lambda: rpc.matching.get_match(OPERATOR, "no-such-match"),
                 lambda: rpc.matching.list_company_matches(OPERATOR, "no-such-company")["items"],
                 lambda: rpc.matching.list_demand_matches(OPERATOR, "no-such-demand")["items"]):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(InvalidInput) as caught:
        rpc.matching.list_company_matches(company_actor, company["id"], include_withdrawn="maybe")
    assert "include_withdrawn" in caught.value.details


def test_an_update_that_breaks_a_requirement_withdraws_and_fixing_it_finds_again(
        services, rpc, event_spy):
    publish_park_demand(rpc)
    actor, company = register_company(rpc)
    match_id = event_spy.wait_for("match.found")["payload"]["match_id"]

    rpc.profiles.update_company(actor, company["id"], {"patents": 0})
    withdrawn = event_spy.wait_for("match.withdrawn")["payload"]
    assert (withdrawn["match_id"], withdrawn["version"], withdrawn["status"]) == \
        (match_id, 2, "withdrawn")
    assert withdrawn["withdrawn_reason"] == ("required criteria not met: patents "
                                             "(holds 0 patents; at least 1 required)")
    assert rpc.matching.list_company_matches(actor, company["id"])["items"] == []
    hidden = rpc.matching.list_company_matches(actor, company["id"],
                                               include_withdrawn=True)["items"]
    assert [(m["match_id"], m["status"]) for m in hidden] == [(match_id, "withdrawn")]

    rpc.profiles.update_company(actor, company["id"], {"patents": 2})
    event_spy.wait_for("match.found", lambda e: e["payload"]["version"] == 3)
    assert match_history(event_spy, match_id) == [
        ("match.found", 1), ("match.withdrawn", 2), ("match.found", 3)]


def test_a_score_change_updates_the_match_and_an_unchanged_one_emits_nothing(
        services, rpc, event_spy):
    publish_park_demand(rpc)
    actor, company = register_company(rpc)
    match_id = event_spy.wait_for("match.found")["payload"]["match_id"]

    rpc.profiles.update_company(actor, company["id"], {"incentives_wanted": ["subsidies"]})
    updated = event_spy.wait_for("match.updated")["payload"]
    assert (updated["match_id"], updated["version"], updated["score"]) == (match_id, 2, 88.9)
    assert updated["outcomes"][-1]["explanation"] == "wants subsidies; none of them offered"

    # headcount is no criterion: company.updated v3 is handled, no match event follows
    events_before = outbox_rows(services)
    rpc.profiles.update_company(actor, company["id"], {"headcount": 99})
    wait_until_matching_holds(services, company["id"], 3)
    assert outbox_rows(services) == events_before
    assert match_history(event_spy, match_id) == [("match.found", 1), ("match.updated", 2)]


def test_closing_a_demand_withdraws_its_matches(services, rpc, event_spy):
    park_actor, demand = publish_park_demand(rpc)
    register_company(rpc)
    register_company(rpc, names={"en": "Second Bio"})
    event_spy.wait_for("match.found", count=2)

    rpc.profiles.update_demand(park_actor, demand["id"], {"status": "closed"})
    withdrawn = event_spy.wait_for("match.withdrawn", count=2)
    assert {e["payload"]["withdrawn_reason"] for e in withdrawn} == {"demand closed"}
    assert rpc.matching.list_demand_matches(park_actor, demand["id"])["items"] == []


def test_demand_matches_are_ranked_best_first(services, rpc, event_spy):
    park_actor, demand = publish_park_demand(rpc)
    register_company(rpc, names={"en": "Wants subsidies"}, incentives_wanted=["subsidies"])
    register_company(rpc, names={"en": "Wants free rent"}, incentives_wanted=["free_rent"])
    register_company(rpc, names={"en": "Wants nothing"})
    register_company(rpc, names={"en": "Cloud only"}, sectors=["cloud"])
    event_spy.wait_for("match.found", count=3)

    ranked = rpc.matching.list_demand_matches(park_actor, demand["id"])["items"]
    assert [m["score"] for m in ranked] == [100.0, 100.0, 88.9]
    assert ranked[0]["match_id"] < ranked[1]["match_id"]  # ties: by match id
    assert ranked[2]["company"]["names"]["en"] == "Wants subsidies"


# --- straight from the exchange -----------------------------------------------------------

def test_the_same_company_event_delivered_twice_finds_one_match(run_service, vhost, event_spy):
    # One worker, so deliveries are handled in order: once the last one's
    # match appears, both copies of the duplicate have been handled.
    matching = run_service(MatchingService, max_workers=1)
    duplicate = company_snapshot("company-dup")
    publish(vhost, demand_snapshot("demand-1"), duplicate, duplicate,
            company_snapshot("company-after"))

    event_spy.wait_for("match.found",
                       lambda e: e["payload"]["company"]["company_id"] == "company-after")
    found = [e for e in event_spy.of_type("match.found")
             if e["payload"]["company"]["company_id"] == "company-dup"]
    assert len(found) == 1
    assert [t for t, _ in outbox_rows(matching)] == ["match.found", "match.found"]


def test_the_calendar_withdraws_matches_of_expired_demands(run_service, vhost, event_spy):
    matching = run_service(MatchingService, PARKMATCH_MATCHING_EXPIRY_INTERVAL=0.2)
    publish(vhost, demand_snapshot("demand-1", valid_until=date.today().isoformat()),
            company_snapshot("company-1"))
    event_spy.wait_for("match.found")
    assert event_spy.of_type("match.withdrawn") == []  # valid until today: still open

    # A day passes: the demand's last valid day is now yesterday.
    with matching_database(matching) as database:
        def expire(uow):
            stored = storage.get_demand(uow.connection, "demand-1")
            yesterday = date.today() - timedelta(days=1)
            storage.save_demand(uow.connection, {**stored, "valid_until": yesterday},
                                evaluated_on=yesterday, now=datetime.now(UTC),
                                is_new=False)
        database.run(expire)

    withdrawn = event_spy.wait_for("match.withdrawn")["payload"]
    assert (withdrawn["withdrawn_reason"], withdrawn["version"]) == ("demand expired", 2)


def test_two_matching_processes_find_every_match_exactly_once(
        run_service, database_url, vhost, event_spy):
    # Two containers, one database. On PostgreSQL their SERIALIZABLE
    # transactions interleave even in this one process (psycopg2 made
    # cooperative by psycogreen), and some are retried.
    url = database_url("matching")
    first = run_service(MatchingService, database_urls={"matching": url})
    run_service(MatchingService, database_urls={"matching": url})

    cycle = ["biopharmaceuticals", "medical_devices", "cloud", "artificial_intelligence",
             "semiconductors"]
    patents_rule = [{"kind": "min_patents", "value": 1, "required": True, "weight": 2}]
    demands = {
        "d0": {"sectors": ["biopharmaceuticals"], "criteria": patents_rule},
        "d1": {"sectors": ["medical_devices", "health_care"], "criteria": []},
        "d2": {"sectors": ["cloud", "artificial_intelligence"], "criteria": patents_rule},
        "d3": {"sectors": ["biopharmaceuticals", "cloud", "semiconductors"], "criteria": []},
    }
    companies = {f"c{i:02d}": {"sectors": [cycle[i % 5]], "patents": 0 if i % 3 == 0 else 2}
                 for i in range(20)}
    revised = {cid for cid in companies if int(cid[1:]) % 4 == 0}  # v1: no patent; v2: five

    def snapshot_of_company(cid, version):
        fields = dict(companies[cid], patents=5 if version == 2 else companies[cid]["patents"])
        if cid in revised and version == 1:
            fields["patents"] = 0
        return company_snapshot(cid, version, space_needed_m2=None, facilities_needed=None,
                                **fields)

    events = []
    for index, cid in enumerate(companies):
        if index % 5 == 0:
            did = f"d{index // 5}"
            events.append(demand_snapshot(did, space_offered_m2=None, facilities=[],
                                          incentives=[], **demands[did]))
        events.append(snapshot_of_company(cid, 1))
        if index >= 4 and f"c{index - 4:02d}" in revised:
            events.append(snapshot_of_company(f"c{index - 4:02d}", 2))
    events += [snapshot_of_company(cid, 2) for cid in sorted(revised) if int(cid[1:]) >= 16]
    publish(vhost, *events)

    def final_patents(cid):
        return 5 if cid in revised else companies[cid]["patents"]
    expected = {domain.match_id(cid, did) for cid in companies for did in demands
                if companies[cid]["sectors"][0] in demands[did]["sectors"]
                and (not demands[did]["criteria"] or final_patents(cid) >= 1)}
    assert 10 < len(expected) < 80  # the data exercises both outcomes

    for cid in companies:
        wait_until_matching_holds(first, cid, 2 if cid in revised else 1)
    event_spy.wait_for("match.found", count=len(expected), timeout=60)

    emitted = outbox_rows(first)
    assert sorted(p["match_id"] for _, p in emitted) == sorted(expected)  # each once
    assert {t for t, _ in emitted} == {"match.found"}

    def all_published():
        with matching_database(first) as database:
            with database.engine.connect() as conn:
                pending = conn.execute(select(outbox.c.id)
                                       .where(outbox.c.published_at.is_(None))).all()
        assert pending == []
    eventually(all_published)
    # Each event once, by event id: two relays sharing one SQLite file may
    # both publish a row (at least once delivery; consumers' inboxes absorb
    # the copy, which carries the same event id).
    seen = {e["event_id"]: e["payload"]["match_id"] for e in event_spy.of_type("match.found")}
    assert sorted(seen.values()) == sorted(expected)
    assert set(seen) == {event_id for event_id, _ in outbox_events(first)}
