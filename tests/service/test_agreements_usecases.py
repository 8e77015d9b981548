"""Agreements use cases on a real, migrated database (SQLite, or PostgreSQL
with PARKMATCH_TEST_DB=postgresql) but no broker: the directory is filled by
handing in events as the consumer would, settings are given as the entrypoint
gives them, and the outbox shows what would be published."""
import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from services.agreements import usecases
from services.agreements.config import AgreementsSettings
from services.contracts import make_event, parse_event
from services.contracts.actors import OPERATOR
from services.contracts.errors import Conflict
from services.platform.db import Database
from services.platform.nameko_ext import BoundDatabase
from services.platform.outbox import _table as outbox
from tests.factories import company_body, park_body
from tests.service.conftest import SHA, actor, match_event, proposal

SETTINGS = AgreementsSettings(introduction_ttl_days=14, max_open_introductions=20,
                              rpc_timeout=10)


@pytest.fixture
def db(database_url):
    database = Database(database_url("agreements"), "agreements")
    yield BoundDatabase(database, None)
    database.dispose()


def _delivered(event):
    """The event as a consumer receives it: through the wire format."""
    return parse_event(event.to_message())


def registered_company(db):
    body = {k: v for k, v in company_body().items() if k not in ("contact", "founded_on")}
    company = {**body, "id": str(uuid.uuid4())}
    usecases.record_directory_entry(db, _delivered(make_event(
        "company.registered", {**body, "company_id": company["id"], "version": 1},
        producer="profiles")))
    return company


def registered_park(db):
    body = park_body()
    park = {**body, "id": str(uuid.uuid4())}
    usecases.record_directory_entry(db, _delivered(make_event(
        "park.registered", {"park_id": park["id"], "version": 1, "names": body["names"],
                            "region": body["region"]}, producer="profiles")))
    return park


def found_match(db, company, park):
    event = _delivered(match_event("match.found", company, park))
    usecases.record_match(db, event)
    return event.payload


@pytest.fixture
def world(db):
    company, park = registered_company(db), registered_park(db)
    return company, park, found_match(db, company, park)


def outbox_types(db):
    return db.run(lambda uow: list(uow.connection.execute(
        select(outbox.c.event_type).order_by(outbox.c.id)).scalars()))


def signed_agreement(db, company, park):
    proposed = usecases.propose_agreement(db, actor("park", park), proposal(company, park))
    usecases.sign_agreement(db, actor("company", company), proposed["id"], {})
    return usecases.sign_agreement(db, actor("park", park), proposed["id"], {})


# --- agreements ----------------------------------------------------------------------------

def test_propose_then_both_sign_emits_proposed_then_signed_once(db, world):
    company, park, _ = world
    proposed = usecases.propose_agreement(db, actor("park", park), proposal(company, park))
    assert proposed["status"] == "proposed" and proposed["version"] == 1
    assert proposed["allowed_transitions"] == ["terminated"]
    half = usecases.sign_agreement(db, actor("company", company), proposed["id"], {})
    assert half["status"] == "proposed" and half["version"] == 2
    again = usecases.sign_agreement(db, actor("company", company), proposed["id"], {})
    assert again["version"] == 2  # signing twice changes nothing
    signed = usecases.sign_agreement(db, actor("park", park), proposed["id"], {})
    assert signed["status"] == "signed" and signed["version"] == 3  # one step, one version
    assert signed["signed_at"] is not None
    assert outbox_types(db) == ["agreement.proposed", "agreement.signed"]
    history = usecases.get_agreement_history(db, OPERATOR, signed["id"])["items"]
    actions = [h["action"] for h in history]
    assert actions == ["proposed", "signed", "signed", "state_changed"]


def test_a_transition_the_table_does_not_allow_is_a_409_naming_the_allowed_ones(db, world):
    company, park, _ = world
    proposed = usecases.propose_agreement(db, actor("park", park), proposal(company, park))
    with pytest.raises(Conflict) as caught:
        usecases.transition_agreement(db, OPERATOR, proposed["id"], {"to": "active"})
    assert caught.value.message == ("the agreement is proposed: it cannot become 'active' from "
                                    "proposed (allowed from proposed: terminated)")
    assert caught.value.details["allowed_transitions"] == ["terminated"]
    assert caught.value.details["other_transitions"]["signed"].startswith("reached when")
    with pytest.raises(Conflict) as caught:
        usecases.transition_agreement(db, OPERATOR, proposed["id"], {"to": "signed"})
    assert "is reached when every party has signed" in caught.value.message

    signed = signed_agreement(db, company, park)
    with pytest.raises(Conflict) as caught:
        usecases.transition_agreement(db, OPERATOR, signed["id"], {"to": "completed"})
    assert caught.value.details["allowed_transitions"] == ["active", "terminated"]
    ended = usecases.transition_agreement(db, OPERATOR, signed["id"],
                                          {"to": "terminated", "reason": "the site closed"})
    assert ended["status"] == "terminated" and ended["allowed_transitions"] == []
    with pytest.raises(Conflict) as caught:
        usecases.transition_agreement(db, OPERATOR, signed["id"], {"to": "active"})
    assert caught.value.message.endswith("(allowed from terminated: nothing, it is final)")
    with pytest.raises(Conflict):  # a final agreement's documents are final too
        usecases.add_document(db, OPERATOR, signed["id"],
                              {"url": "https://example.org/late.pdf", "sha256": SHA,
                               "title": "Late annex"})
    assert "agreement.terminated" in outbox_types(db)


# --- introductions ------------------------------------------------------------------------

def test_the_cap_and_the_expiry_come_from_the_settings_given(db, world):
    company, park, first = world
    second = found_match(db, registered_company(db), park)
    settings = AgreementsSettings(introduction_ttl_days=3, max_open_introductions=1,
                                  rpc_timeout=10)
    as_park = actor("park", park)
    intro = usecases.request_introduction(db, as_park, {"match_id": first["match_id"]}, settings)
    assert datetime.fromisoformat(intro["expires_at"]) - \
        datetime.fromisoformat(intro["requested_at"]) == timedelta(days=3)
    with pytest.raises(Conflict) as caught:
        usecases.request_introduction(db, as_park, {"match_id": second["match_id"]}, settings)
    assert caught.value.details == {"open_requests": 1, "cap": 1}
    # the same request again is the open one, not a second place under the cap
    assert usecases.request_introduction(db, as_park, {"match_id": first["match_id"]},
                                         settings)["id"] == intro["id"]
    # withdrawing frees the place
    usecases.withdraw_introduction(db, as_park, intro["id"], {}, contacts_for=None)
    other = usecases.request_introduction(db, as_park, {"match_id": second["match_id"]},
                                          settings)
    assert other["status"] == "requested"
    assert outbox_types(db) == ["introduction.requested", "introduction.withdrawn",
                                "introduction.requested"]


def test_answering_a_withdrawn_request_is_a_409_naming_what_is_allowed(db, world):
    company, park, match = world
    as_park = actor("park", park)
    intro = usecases.request_introduction(db, as_park, {"match_id": match["match_id"]},
                                          SETTINGS)
    usecases.withdraw_introduction(db, as_park, intro["id"], {}, contacts_for=None)
    with pytest.raises(Conflict) as caught:
        usecases.decide_introduction(db, actor("company", company), intro["id"], "accepted", {},
                                     contacts_for=None)
    assert caught.value.details == {"state": "withdrawn", "allowed_actions": []}
    assert caught.value.message == ("the introduction is withdrawn: it can no longer be "
                                    "accepted (allowed from withdrawn: nothing, it is final)")


# --- obligations --------------------------------------------------------------------------

def test_a_cancelled_obligation_cannot_be_changed(db, world):
    company, park, _ = world
    agreement = signed_agreement(db, company, park)
    obligation = usecases.add_obligation(db, OPERATOR, agreement["id"], {
        "title": "Annual tenancy review", "owner": actor("company", company),
        "schedule": {"kind": "once", "due_on": (date.today() + timedelta(days=60)).isoformat()}})
    assert obligation["status"] == "active" and obligation["remind_days_before"] == [90, 60, 30]
    as_company = actor("company", company)
    cancelled = usecases.cancel_obligation(db, as_company, agreement["id"], obligation["id"],
                                           {"reason": "merged into the audit"})
    assert cancelled["status"] == "cancelled" and cancelled["next_occurrences"] == []
    with pytest.raises(Conflict) as caught:
        usecases.change_obligation(db, as_company, agreement["id"], obligation["id"],
                                   {"title": "Biennial tenancy review"})
    assert caught.value.details == {"state": "cancelled", "allowed_actions": []}
    assert caught.value.message == ("the obligation is cancelled: it can no longer be changed "
                                    "(allowed from cancelled: nothing, it is final)")
    # cancelling again changes nothing, and the timer reminds of nothing
    again = usecases.cancel_obligation(db, OPERATOR, agreement["id"], obligation["id"])
    assert again["cancelled_at"] == cancelled["cancelled_at"]
    assert usecases.send_obligation_reminders(db) == 0
    actions = [h["action"] for h in usecases.get_agreement_history(db, OPERATOR,
                                                                    agreement["id"])["items"]]
    assert actions.count("obligation_cancelled") == 1 and "obligation_changed" not in actions
