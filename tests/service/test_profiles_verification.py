"""A company registered through the web app (register_company with
verify_email=True) stays pending until an owner confirms the e-mail address:
unannounced, seen only by itself and the operator. accounts' person event
with verified_at releases it, once.

The first tests run the use cases on a real, migrated database without a
broker (what they store and leave in the outbox is read back directly); the
last ones run the service in a nameko container on the real broker."""
import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from services.contracts import make_event, parse_event
from services.contracts.actors import OPERATOR
from services.contracts.errors import Forbidden, NotFound
from services.platform.db import Database
from services.platform.inbox import _table as inbox
from services.platform.nameko_ext import BoundDatabase
from services.platform.outbox import _table as outbox
from services.profiles import usecases
from services.profiles.config import PEOPLE_CONSUMER
from services.profiles.service import ProfilesService
from tests.conftest import eventually, holds
from tests.factories import company_body

VERIFIED = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)


@pytest.fixture
def db(database_url):
    database = Database(database_url("profiles"), "profiles")
    yield BoundDatabase(database, None)
    database.dispose()


def emitted(db, event_type=None):
    """Payloads of the events the use cases left in the outbox, in order."""
    rows = db.run(lambda uow: uow.connection.execute(
        select(outbox.c.event_type, outbox.c.body).order_by(outbox.c.id)).all())
    return [(row.event_type, json.loads(row.body)["payload"]) for row in rows
            if event_type is None or row.event_type == event_type]


def person_event(company_id, event_type="person.updated", role="owner", verified_at=VERIFIED,
                 person_id=None):
    """accounts' event, as the consumer receives it (validated and loaded)."""
    sent = make_event(event_type, {
        "person_id": person_id or str(uuid.uuid4()),
        "organisation": {"kind": "company", "id": company_id},
        "email": f"{uuid.uuid4().hex[:8]}@example.kr", "name": "Kim Minji", "language": "ko",
        "role": role, "changed_at": VERIFIED, "verified_at": verified_at}, producer="accounts")
    return sent


def received(sent):
    return parse_event(sent.to_message())


def pending_company(db):
    registered = usecases.register_company(db, company_body(), verify_email=True)
    company = registered["company"]
    return company, {"kind": "company", "id": company["id"]}, registered["api_key"]


# --- use cases ----------------------------------------------------------------------------

def test_a_company_registered_through_the_web_is_stored_pending_and_announced_to_nobody(db):
    company, itself, api_key = pending_company(db)
    other = usecases.register_company(db, company_body(names={"en": "Other Bio"}))["company"]
    stranger = {"kind": "company", "id": other["id"]}
    park = {"kind": "park", "id": str(uuid.uuid4())}

    assert [p["company_id"] for _, p in emitted(db)] == [other["id"]]
    for reader in (stranger, park):
        with pytest.raises(NotFound):
            usecases.get_company(db, reader, company["id"])
        with pytest.raises(NotFound):
            usecases.update_company(db, reader, company["id"], {"patents": 0})
    assert usecases.get_company(db, itself, company["id"])["contact"]["email"] == \
        "minji@example.kr"
    assert usecases.get_company(db, OPERATOR, company["id"])["names"]["en"] == "Vision Semicon"
    assert usecases.authenticate(db, api_key) == itself
    # a company that is not pending still refuses strangers' edits as before
    with pytest.raises(Forbidden):
        usecases.update_company(db, itself, other["id"], {"patents": 0})


def test_the_directory_of_companies_leaves_out_a_pending_one(db):
    company, _, _ = pending_company(db)
    other = usecases.register_company(db, company_body(names={"en": "Other Bio"}))["company"]
    park = {"kind": "park", "id": str(uuid.uuid4())}
    listed = [c["id"] for c in usecases.list_companies(db, park)["items"]]
    assert listed == [other["id"]] and company["id"] not in listed


def test_the_owner_edits_a_pending_profile_without_announcing_it(db):
    company, itself, _ = pending_company(db)
    assert usecases.update_company(db, itself, company["id"], {"patents": 5})["version"] == 2
    assert usecases.update_company(db, OPERATOR, company["id"], {"headcount": 40})["version"] \
        == 3
    assert emitted(db) == []


def test_an_owners_verification_announces_the_latest_profile_once(db):
    company, itself, _ = pending_company(db)
    usecases.update_company(db, itself, company["id"], {"patents": 5})
    verified = person_event(company["id"])

    assert usecases.company_owner_verified(db, received(verified)) is True
    assert usecases.company_owner_verified(db, received(verified)) is False  # redelivered
    colleague = person_event(company["id"], "person.enrolled")
    assert usecases.company_owner_verified(db, received(colleague)) is False

    [(kind, payload)] = emitted(db)
    assert (kind, payload["company_id"], payload["version"], payload["patents"]) == \
        ("company.registered", company["id"], 2, 5)
    assert "contact" not in payload and "pending_verification" not in payload
    stranger = {"kind": "park", "id": str(uuid.uuid4())}
    assert usecases.get_company(db, stranger, company["id"])["contact"] is None
    usecases.update_company(db, itself, company["id"], {"patents": 6})
    assert [kind for kind, _ in emitted(db)] == ["company.registered", "company.updated"]


def test_unconfirmed_people_members_and_api_registrations_release_nothing(db):
    company, _, _ = pending_company(db)
    announced = usecases.register_company(db, company_body())["company"]
    for event in (person_event(company["id"], "person.enrolled", verified_at=None),
                  person_event(company["id"], role="member"),
                  person_event(announced["id"]),
                  person_event(str(uuid.uuid4()))):
        assert usecases.company_owner_verified(db, received(event)) is False
    assert [p["company_id"] for _, p in emitted(db)] == [announced["id"]]
    with pytest.raises(NotFound):
        usecases.get_company(db, {"kind": "park", "id": "p"}, company["id"])


def test_the_operator_pages_through_the_companies_still_waiting(db):
    first, itself, _ = pending_company(db)
    second, _, _ = pending_company(db)
    third, _, _ = pending_company(db)
    usecases.register_company(db, company_body())
    usecases.company_owner_verified(db, received(person_event(second["id"])))

    page = usecases.list_pending_companies(db, OPERATOR, limit=1)
    rest = usecases.list_pending_companies(db, OPERATOR, cursor=page["next_cursor"])
    assert len(page["items"]) == 1  # oldest first; two registered in one microsecond tie by id
    assert {c["id"] for c in page["items"] + rest["items"]} == {first["id"], third["id"]}
    assert rest["next_cursor"] is None
    assert page["items"][0]["contact"]["email"] == "minji@example.kr"
    with pytest.raises(Forbidden):
        usecases.list_pending_companies(db, itself)


# --- through the broker ------------------------------------------------------------------

@pytest.fixture
def profiles(run_service):
    # one worker: events are handled in the order they were published
    return run_service(ProfilesService, max_workers=1)


def handled(container, sent):
    database = Database(container.config["PROFILES_DATABASE_URL"], "test-reader")
    try:
        return database.run(lambda uow: uow.connection.execute(
            select(func.count()).select_from(inbox).where(
                (inbox.c.consumer == PEOPLE_CONSUMER) &
                (inbox.c.event_id == sent.event_id))).scalar_one())
    finally:
        database.dispose()


def test_a_verified_owner_on_the_broker_announces_the_company_once(profiles, rpc, publish,
                                                                   event_spy):
    company = rpc.profiles.register_company(company_body(), verify_email=True)["company"]
    later = rpc.profiles.register_company(company_body(names={"en": "Later Bio"}),
                                          verify_email=True)["company"]
    verified = person_event(company["id"])

    publish(verified)
    announced = event_spy.wait_for("company.registered",
                                   lambda e: e["payload"]["company_id"] == company["id"])
    assert announced["producer"] == "profiles"
    assert announced["causation_id"] == verified.event_id
    assert "minji@example.kr" not in str(announced)

    publish(verified)                                       # redelivered
    colleague = publish(person_event(company["id"], "person.enrolled"))
    publish(person_event(later["id"]))                      # handled after the two above
    event_spy.wait_for("company.registered", lambda e: e["payload"]["company_id"] == later["id"])
    eventually(lambda: holds(handled(profiles, colleague) == 1))
    assert [e["payload"]["company_id"] for e in event_spy.of_type("company.registered")] == \
        [company["id"], later["id"]]
    seen = rpc.profiles.get_company({"kind": "park", "id": "any"}, company["id"])
    assert seen["contact"] is None


def test_the_public_api_registration_is_announced_at_once_as_before(profiles, rpc, event_spy):
    company = rpc.profiles.register_company(company_body())["company"]
    event_spy.wait_for("company.registered", lambda e: e["payload"]["company_id"] == company["id"])
    pending = rpc.profiles.register_company(company_body(), verify_email=True)["company"]
    with pytest.raises(NotFound):
        rpc.profiles.get_company({"kind": "park", "id": "any"}, pending["id"])
    assert rpc.profiles.get_company({"kind": "company", "id": pending["id"]},
                                    pending["id"])["id"] == pending["id"]
