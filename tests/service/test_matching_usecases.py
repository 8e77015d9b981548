"""Matching use cases on a real, migrated database (SQLite, or PostgreSQL
with PARKMATCH_TEST_DB=postgresql) but no broker: events are handed in as
the consumer would hand them, and `today` is chosen, so the calendar and
delivery order can be driven exactly."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from services.contracts import make_event, parse_event
from services.contracts.events import REGISTRY
from services.matching import domain, storage, usecases
from services.platform.db import Database
from services.platform.nameko_ext import BoundDatabase
from tests.factories import company_body, demand_body, park_body

TODAY = date.today()


@pytest.fixture
def db(database_url):
    database = Database(database_url("matching"), "matching")
    yield BoundDatabase(database, None)
    database.dispose()


def company_event(company_id="c-1", version=1, event_type="company.registered", **overrides):
    body = {k: v for k, v in company_body(**overrides).items() if k != "contact"}
    return _delivered(event_type, {**body, "company_id": company_id, "version": version})


def demand_event(demand_id="d-1", version=1, event_type="park_demand.published", **overrides):
    park = park_body()
    body = {"valid_from": TODAY.isoformat(), "status": "open", **demand_body(**overrides)}
    return _delivered(event_type, {
        **body, "demand_id": demand_id, "version": version,
        "park": {"park_id": "p-1", "version": 1, "names": park["names"], "region": park["region"]},
    })


def _delivered(event_type, payload):
    """The event as a consumer receives it: through the wire format."""
    loaded = REGISTRY[(event_type, 1)].load(payload)  # as a producer holds it: dates as dates
    return parse_event(make_event(event_type, loaded, producer="profiles").to_message())


def stored_match(db, company_id="c-1", demand_id="d-1"):
    return db.run(lambda uow: storage.get_match(uow.connection,
                                                domain.match_id(company_id, demand_id)))


def outbox_types(db):
    from services.platform.outbox import _table as outbox
    return db.run(lambda uow: list(uow.connection.execute(
        select(outbox.c.event_type).order_by(outbox.c.id)).scalars()))


def test_company_then_demand_and_demand_then_company_both_find_the_match(db):
    assert usecases.company_changed(db, company_event("c-1")) == []
    assert usecases.demand_changed(db, demand_event("d-1")) == ["match.found"]
    assert usecases.company_changed(db, company_event("c-2")) == ["match.found"]
    assert stored_match(db, "c-1")["status"] == stored_match(db, "c-2")["status"] == "active"
    assert outbox_types(db) == ["match.found", "match.found"]


def test_the_same_event_twice_is_handled_once(db):
    usecases.demand_changed(db, demand_event())
    event = company_event()
    assert usecases.company_changed(db, event) == ["match.found"]
    assert usecases.company_changed(db, event) is None  # the inbox knew it
    assert outbox_types(db) == ["match.found"]


def test_an_older_or_equal_snapshot_arriving_late_changes_nothing(db):
    usecases.demand_changed(db, demand_event())
    usecases.company_changed(db, company_event(version=2, event_type="company.updated",
                                               patents=0))
    assert usecases.company_changed(db, company_event(version=1, patents=5)) == []
    assert usecases.company_changed(db, company_event(version=2, event_type="company.updated",
                                                      patents=5)) == []
    assert stored_match(db) is None
    stored = db.run(lambda uow: storage.get_company(uow.connection, "c-1"))
    assert (stored["version"], stored["patents"]) == (2, 0)

    usecases.demand_changed(db, demand_event(version=2, event_type="park_demand.updated",
                                             status="closed"))
    assert usecases.demand_changed(db, demand_event(version=1)) == []
    assert db.run(lambda uow: storage.get_demand(uow.connection, "d-1"))["status"] == "closed"


def test_the_calendar_withdraws_matches_of_expired_demands_once(db):
    usecases.demand_changed(db, demand_event(valid_until=TODAY.isoformat()))
    usecases.company_changed(db, company_event())

    assert usecases.follow_calendar(db, today=TODAY) == []
    assert usecases.follow_calendar(db, today=TODAY + timedelta(days=1)) == ["match.withdrawn"]
    assert usecases.follow_calendar(db, today=TODAY + timedelta(days=2)) == []
    match = stored_match(db)
    assert (match["status"], match["version"], match["withdrawn_reason"]) == \
        ("withdrawn", 2, "demand expired")


def test_the_calendar_matches_a_demand_once_its_window_opens(db):
    opens = TODAY + timedelta(days=2)
    usecases.company_changed(db, company_event())
    assert usecases.demand_changed(db, demand_event(valid_from=opens.isoformat())) == []

    assert usecases.follow_calendar(db, today=opens - timedelta(days=1)) == []
    assert usecases.follow_calendar(db, today=opens) == ["match.found"]
    assert usecases.follow_calendar(db, today=opens) == []
    assert stored_match(db)["status"] == "active"


def test_a_company_change_also_withdraws_a_match_whose_demand_expired(db):
    usecases.demand_changed(db, demand_event(valid_until=TODAY.isoformat()))
    usecases.company_changed(db, company_event())
    later = TODAY + timedelta(days=1)
    assert usecases.company_changed(db, company_event(version=2, event_type="company.updated",
                                                      headcount=40), today=later) \
        == ["match.withdrawn"]
    assert stored_match(db)["withdrawn_reason"] == "demand expired"


def test_a_closed_demand_only_revisits_its_own_matches(db):
    usecases.company_changed(db, company_event("c-1"))
    usecases.company_changed(db, company_event("c-2", sectors=["cloud"]))
    usecases.demand_changed(db, demand_event())
    assert usecases.demand_changed(db, demand_event(version=2, event_type="park_demand.updated",
                                                    status="closed")) == ["match.withdrawn"]
    assert usecases.demand_changed(db, demand_event(version=3, event_type="park_demand.updated",
                                                    status="open")) == ["match.found"]
    match = stored_match(db)
    assert (match["status"], match["version"]) == ("active", 3)
    count = db.run(lambda uow: uow.connection.execute(
        select(func.count()).select_from(storage.matches)).scalar_one())
    assert count == 1  # c-2 (no common sector) never got a match row


@pytest.fixture
def pg_db(database_url):
    """Always PostgreSQL, whatever the suite's backend: only there can two
    matching transactions interleave (SQLite takes its write lock up front)."""
    database = Database(database_url("matching", backend="postgresql"), "matching")
    yield BoundDatabase(database, None)
    database.dispose()


def test_a_company_and_a_demand_committed_at_the_same_moment_do_not_miss_each_other(
        pg_db, monkeypatch):
    """The company's transaction looks for open demands just before the
    demand's transaction commits (and that one saw no company yet). Under
    SERIALIZABLE the company's commit fails, is retried, and finds the demand."""
    db = pg_db
    real_query = storage.demands_to_evaluate_for_company
    calls = []

    def query_then_let_the_demand_commit(conn, company_id, today):
        found = real_query(conn, company_id, today)
        calls.append(len(found))
        if len(calls) == 1:
            assert usecases.demand_changed(db, demand_event()) == []  # no company visible yet
        return found

    monkeypatch.setattr(storage, "demands_to_evaluate_for_company",
                        query_then_let_the_demand_commit)
    assert usecases.company_changed(db, company_event()) == ["match.found"]
    assert calls == [0, 1]  # the first attempt missed the demand and was retried
    assert outbox_types(db) == ["match.found"]
