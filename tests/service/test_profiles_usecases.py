"""Profiles use cases on a real, migrated database (SQLite, or PostgreSQL
with PARKMATCH_TEST_DB=postgresql) but no broker: what they store and the
events they leave in the outbox are read back directly. The container tests
in test_profiles_service.py cover the same calls over RPC and the broker."""
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from services.contracts.actors import OPERATOR
from services.contracts.errors import Forbidden, InvalidInput, NotFound
from services.platform import clock
from services.platform.db import Database
from services.platform.nameko_ext import BoundDatabase
from services.platform.outbox import _table as outbox
from services.profiles import usecases
from tests.factories import company_body, demand_body, park_body


@pytest.fixture
def db(database_url):
    database = Database(database_url("profiles"), "profiles")
    yield BoundDatabase(database, None)
    database.dispose()


def emitted(db):
    """(type, payload) of every event the use cases emitted, in order."""
    rows = db.run(lambda uow: uow.connection.execute(
        select(outbox.c.event_type, outbox.c.body).order_by(outbox.c.id)).all())
    return [(row.event_type, json.loads(row.body)["payload"]) for row in rows]


def a_park(db):
    park = usecases.register_park(db, OPERATOR, park_body())["park"]
    return park, {"kind": "park", "id": park["id"]}


def test_a_registered_company_is_stored_and_announced_without_its_contact(db):
    registered = usecases.register_company(db, company_body())
    company = registered["company"]
    assert usecases.authenticate(db, registered["api_key"]) == {"kind": "company",
                                                                 "id": company["id"]}
    assert usecases.get_company(db, OPERATOR, company["id"])["contact"]["email"] \
        == "minji@example.kr"
    [(kind, payload)] = emitted(db)
    assert (kind, payload["company_id"], payload["version"]) == \
        ("company.registered", company["id"], 1)
    assert "contact" not in payload and "minji@example.kr" not in str(payload)


def test_an_update_bumps_the_version_once_and_a_repeat_changes_nothing(db):
    company = usecases.register_company(db, company_body())["company"]
    actor = {"kind": "company", "id": company["id"]}
    assert usecases.update_company(db, actor, company["id"], {"patents": 4})["version"] == 2
    assert usecases.update_company(db, actor, company["id"], {"patents": 4})["version"] == 2
    assert usecases.update_company(db, actor, company["id"], {"headcount": 9})["version"] == 3
    updates = [p for kind, p in emitted(db) if kind == "company.updated"]
    assert [(p["version"], p["patents"], p["headcount"]) for p in updates] == \
        [(2, 4, 25), (3, 4, 9)]


def test_only_the_owner_or_the_operator_changes_a_profile(db):
    mine = usecases.register_company(db, company_body())["company"]
    theirs = usecases.register_company(db, company_body())["company"]
    me = {"kind": "company", "id": mine["id"]}
    with pytest.raises(Forbidden):
        usecases.update_company(db, me, theirs["id"], {"patents": 0})
    assert usecases.get_company(db, me, theirs["id"])["contact"] is None
    assert usecases.update_company(db, OPERATOR, theirs["id"], {"patents": 0})["version"] == 2

    park, park_actor = a_park(db)
    other_park, _ = a_park(db)
    with pytest.raises(Forbidden):
        usecases.publish_demand(db, park_actor, other_park["id"], demand_body())
    with pytest.raises(Forbidden):
        usecases.register_park(db, me, park_body())
    demand = usecases.publish_demand(db, park_actor, park["id"], demand_body())
    with pytest.raises(Forbidden):
        usecases.update_demand(db, me, demand["id"], {"status": "closed"})
    with pytest.raises(NotFound):
        usecases.update_demand(db, park_actor, "no-such-demand", {"status": "closed"})


def test_a_demand_window_that_ends_before_it_starts_is_a_422_naming_valid_until(db):
    park, actor = a_park(db)
    with pytest.raises(InvalidInput) as caught:
        usecases.publish_demand(db, actor, park["id"], demand_body(
            valid_from="2031-03-01", valid_until="2031-02-01"))
    assert set(caught.value.details) == {"valid_until"}

    demand = usecases.publish_demand(db, actor, park["id"], demand_body(valid_from="2031-03-01"))
    with pytest.raises(InvalidInput) as caught:  # against the stored start
        usecases.update_demand(db, actor, demand["id"], {"valid_until": "2031-02-28"})
    assert caught.value.details == {"valid_until": ["must not be before valid_from"]}
    assert usecases.get_demand(db, actor, demand["id"])["version"] == 1
    widened = usecases.update_demand(db, actor, demand["id"], {"valid_until": "2031-03-01"})
    assert (widened["version"], widened["valid_until"]) == (2, "2031-03-01")


def test_a_demand_without_a_start_opens_on_the_business_clocks_today(db, tmp_path, monkeypatch):
    path = tmp_path / "clock"
    monkeypatch.setenv(clock.CLOCK_FILE_VARIABLE, str(path))
    travelled = datetime.now(UTC) + timedelta(days=400)
    clock.travel_to(path, travelled)
    park, actor = a_park(db)
    body = {k: v for k, v in demand_body().items() if k != "valid_from"}
    demand = usecases.publish_demand(db, actor, park["id"], body)
    assert demand["valid_from"] == travelled.date().isoformat() != date.today().isoformat()
    assert demand["created_at"].startswith(travelled.date().isoformat())
