"""Fixtures and helpers the agreements service tests share (agreements,
introductions, obligations): the service in a nameko container next to
profiles, its database, a publisher standing in for matching and
notifications, and a registered company and park with a match between them."""
import json
import uuid

import pytest
from sqlalchemy import text

from services.agreements import storage
from services.agreements.service import AgreementsService
from services.contracts import make_event
from services.contracts.actors import OPERATOR
from services.platform.broker import EventPublisher
from services.platform.db import Database
from services.profiles.service import ProfilesService
from tests.conftest import eventually
from tests.factories import company_body, park_body

SHA = "3f" * 32


@pytest.fixture
def agreements(run_service):
    run_service(ProfilesService)
    return run_service(AgreementsService)


@pytest.fixture
def agreements_db(agreements):
    """The agreements service's own database, to look at what it stored."""
    database = Database(agreements.config["AGREEMENTS_DATABASE_URL"], "test-reader")
    yield database
    database.dispose()


@pytest.fixture
def publish(vhost):
    publisher = EventPublisher(vhost)

    def send(evt):
        publisher.publish(evt.type, json.dumps(evt.to_message()), evt.event_id)
        return evt

    yield send
    publisher.close()


@pytest.fixture
def world(agreements, agreements_db, rpc):
    """A registered company and park, known to the agreements directory."""
    company = rpc.profiles.register_company(company_body())["company"]
    park = rpc.profiles.register_park(OPERATOR, park_body())["park"]
    wait_known(agreements_db, "company", company["id"])
    wait_known(agreements_db, "park", park["id"])
    return company, park


@pytest.fixture
def match(world, agreements_db, publish):
    company, park = world
    found = publish(match_event("match.found", company, park))
    wait_match(agreements_db, found.payload["match_id"])
    return found.payload


# --- helpers ----------------------------------------------------------------------------

def actor(kind, record):
    return {"kind": kind, "id": record["id"]}


def entry(db, kind, entry_id):
    return db.run(lambda uow: storage.get_directory_entry(uow.connection, kind, entry_id))


def wait_known(db, kind, entry_id, version=1):
    def arrived():
        found = entry(db, kind, entry_id)
        assert found is not None and found["version"] >= version
        return found
    return eventually(arrived)


def outbox_count(db, event_type):
    return db.run(lambda uow: uow.connection.execute(
        text("SELECT count(*) FROM outbox WHERE event_type = :t"), {"t": event_type}).scalar_one())


def partner_registered(name="Seoul Bio Hub", partner_id=None):
    return make_event("partner.registered", {
        "partner_id": partner_id or str(uuid.uuid4()), "version": 1,
        "names": {"en": name}, "country": "KR", "kind": "cooperation_centre"},
        producer="notifications")


def match_event(event_type, company, park, match_id=None, version=1, status="active"):
    return make_event(event_type, {
        "match_id": match_id or str(uuid.uuid4()), "version": version, "status": status,
        "company": {"company_id": company["id"], "names": company["names"],
                    "country": company["country"], "sectors": company["sectors"]},
        "demand": {"demand_id": str(uuid.uuid4()), "title": "Korea-China High-Tech Valley",
                   "park_id": park["id"], "park_names": park["names"], "region": park["region"],
                   "sectors": ["biopharmaceuticals", "health_care"]},
        "score": 92.5, "outcomes": [], "summary": "meets every required criterion",
        "withdrawn_reason": "demand closed" if status == "withdrawn" else None,
    }, producer="matching")


def wait_match(db, match_id, status="active"):
    def arrived():
        match = db.run(lambda uow: storage.get_match(uow.connection, match_id))
        assert match is not None and match["status"] == status
    eventually(arrived)


def proposal(company, park, **overrides):
    body = {"kind": "tenancy", "title": "High-Tech Valley lab tenancy",
            "parties": [actor("company", company), actor("park", park)],
            "terms": "400 m2 of lab space, free rent for two years",
            "documents": [{"url": "https://example.org/tenancy.pdf", "sha256": SHA}]}
    body.update(overrides)
    return body
