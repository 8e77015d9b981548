"""The agreements service in a nameko container on the real broker and a real
database, next to the profiles service. Matches and partners are published
here as the matching and notifications services would publish them (the
fixtures are in tests/service/conftest.py)."""
from datetime import UTC, datetime
from urllib.parse import quote, unquote, urlparse

import eventlet
import pytest
import requests
from sqlalchemy import text

from services.contracts import make_event
from services.contracts.actors import OPERATOR
from services.contracts.errors import Forbidden, InvalidInput, NotFound
from tests.conftest import RABBIT_AUTH, RABBIT_MGMT, eventually
from tests.factories import company_body
from tests.service.conftest import (
    SHA,
    actor,
    entry,
    match_event,
    outbox_count,
    partner_registered,
    proposal,
    wait_known,
    wait_match,
)


def check(condition):
    """An assertion usable inside a lambda given to `eventually`."""
    assert condition


def handled(db, consumer, event_id):
    return db.run(lambda uow: uow.connection.execute(
        text("SELECT count(*) FROM inbox WHERE consumer = :c AND event_id = :e"),
        {"c": consumer, "e": event_id}).scalar_one())


def queue_messages(vhost_uri, prefix):
    """{queue: messages (ready + unacked)} for the vhost's queues named prefix*."""
    vhost = unquote(urlparse(vhost_uri).path.lstrip("/"))
    queues = requests.get(f"{RABBIT_MGMT}/api/queues/{quote(vhost, safe='')}",
                          auth=RABBIT_AUTH, timeout=10).json()
    return {q["name"]: q.get("messages", 0) for q in queues if q["name"].startswith(prefix)}


# --- the directory ---------------------------------------------------------------------

def test_the_directory_fills_from_events_and_keeps_the_newest_snapshot(
        world, agreements_db, rpc, publish):
    company, park = world
    assert entry(agreements_db, "company", company["id"])["name"] == "Vision Semicon"
    assert entry(agreements_db, "park", park["id"])["name"] == \
        "Binxian Economic and Technological Development Zone"
    partner = publish(partner_registered("Korea Accelerator Association"))
    known = wait_known(agreements_db, "partner", partner.payload["partner_id"])
    assert known["name"] == "Korea Accelerator Association"

    rpc.profiles.update_company(actor("company", company), company["id"],
                                {"names": {"en": "Vision Semicon Korea"}})
    assert wait_known(agreements_db, "company", company["id"], version=2)["name"] == \
        "Vision Semicon Korea"

    # A late, older snapshot (a retry overtaken by the update) changes nothing.
    stale = publish(make_event("company.registered", {
        "company_id": company["id"], "version": 1, "names": {"en": "Old Name"},
        "country": "KR", "sectors": ["biopharmaceuticals"]}, producer="profiles"))
    eventually(lambda: check(
        handled(agreements_db, "agreements.directory", stale.event_id) == 1))
    assert entry(agreements_db, "company", company["id"]) == {
        "kind": "company", "id": company["id"], "version": 2, "name": "Vision Semicon Korea"}


def test_a_duplicate_directory_event_is_harmless(agreements, agreements_db, publish, vhost):
    partner = partner_registered("Seoul Bio Hub")
    publish(partner)
    publish(partner)  # redelivered: same event id

    def drained():
        assert handled(agreements_db, "agreements.directory", partner.event_id) == 1
        queues = queue_messages(vhost, "parkmatch.agreements.directory")
        assert "parkmatch.agreements.directory" in queues
        assert all(count == 0 for count in queues.values()), queues
    eventually(drained)
    assert entry(agreements_db, "partner", partner.payload["partner_id"]) == {
        "kind": "partner", "id": partner.payload["partner_id"], "version": 1,
        "name": "Seoul Bio Hub"}


# --- proposing and signing ------------------------------------------------------------------

def test_propose_from_a_match_then_both_sign_emits_one_signed_event(
        world, match, agreements_db, rpc, event_spy):
    company, park = world
    proposed = rpc.agreements.propose_agreement(
        actor("company", company), proposal(company, park, match_id=match["match_id"]))

    assert proposed["status"] == "proposed" and proposed["version"] == 1
    assert [p["signed_at"] for p in proposed["parties"]] == [None, None]
    assert proposed["proposed_by"] == {**actor("company", company), "name": "Vision Semicon"}
    assert proposed["sectors"] == ["biopharmaceuticals", "health_care"]
    assert proposed["documents"][0]["sha256"] == SHA
    event = event_spy.wait_for("agreement.proposed",
                               lambda e: e["payload"]["agreement_id"] == proposed["id"])
    assert event["producer"] == "agreements"
    assert event["payload"]["match_id"] == match["match_id"]
    assert event["payload"]["region"]["city"] == "Harbin"
    assert "terms" not in event["payload"]

    half = rpc.agreements.sign_agreement(actor("company", company), proposed["id"], {})
    assert half["status"] == "proposed" and half["version"] == 2
    full = rpc.agreements.sign_agreement(actor("park", park), proposed["id"])
    assert full["status"] == "signed" and full["version"] == 3
    assert full["signed_at"] == max(p["signed_at"] for p in full["parties"])

    signed = event_spy.wait_for("agreement.signed")
    assert signed["payload"]["agreement_id"] == proposed["id"]
    assert all(p["signed_at"] for p in signed["payload"]["parties"])

    again = rpc.agreements.sign_agreement(actor("company", company), proposed["id"], {})
    assert again == full
    assert outbox_count(agreements_db, "agreement.signed") == 1
    eventually(lambda: check(agreements_db.run(
        lambda uow: uow.connection.execute(text(
            "SELECT count(*) FROM outbox WHERE published_at IS NULL")).scalar_one()) == 0))
    assert len(event_spy.of_type("agreement.signed")) == 1

    history = rpc.agreements.get_agreement_history(actor("park", park), proposed["id"])["items"]
    assert [h["action"] for h in history] == ["proposed", "signed", "signed", "state_changed"]
    assert history[1]["actor"] == actor("company", company)
    assert history[3]["details"] == {"action": "sign", "from": "proposed", "to": "signed"}


def test_parties_signing_at_the_same_moment_complete_it_exactly_once(
        world, agreements_db, rpc, publish, service_config):
    from nameko.standalone.rpc import ClusterRpcProxy

    company, park = world
    partner = publish(partner_registered()).payload
    wait_known(agreements_db, "partner", partner["partner_id"])
    signers = [actor("company", company), actor("park", park),
               {"kind": "partner", "id": partner["partner_id"]}]
    proposed = rpc.agreements.propose_agreement(
        signers[0], {"kind": "cooperation", "title": "Three-way cooperation", "parties": signers})

    def sign(signer):
        with ClusterRpcProxy(service_config, timeout=30) as proxy:
            return proxy.agreements.sign_agreement(signer, proposed["id"], {})

    results = list(eventlet.GreenPool(3).imap(sign, signers))

    assert sorted(r["version"] for r in results) == [2, 3, 4]
    final = rpc.agreements.get_agreement(OPERATOR, proposed["id"])
    assert final["status"] == "signed" and final["version"] == 4
    assert outbox_count(agreements_db, "agreement.signed") == 1


def test_an_unknown_party_is_invalid_input_naming_the_field(world, agreements_db, rpc):
    company, park = world
    body = proposal(company, park, parties=[actor("company", company),
                                            {"kind": "park", "id": "no-such-park"}])
    with pytest.raises(InvalidInput) as caught:
        rpc.agreements.propose_agreement(actor("company", company), body)
    assert caught.value.details == {"parties[1].id": ["unknown park no-such-park"]}
    assert rpc.agreements.list_agreements(OPERATOR)["items"] == []
    assert outbox_count(agreements_db, "agreement.proposed") == 0


def test_a_malformed_proposal_names_every_bad_field(world, rpc):
    company, park = world
    with pytest.raises(InvalidInput) as caught:
        rpc.agreements.propose_agreement(actor("company", company), proposal(
            company, park, kind="handshake", parties=[actor("company", company)]))
    assert set(caught.value.details) == {"kind", "parties"}


def test_strangers_can_neither_propose_sign_nor_see(world, match, rpc):
    company, park = world
    stranger = actor("company", rpc.profiles.register_company(company_body())["company"])
    with pytest.raises(Forbidden):
        rpc.agreements.propose_agreement(stranger, proposal(company, park))
    proposed = rpc.agreements.propose_agreement(actor("park", park), proposal(company, park))

    with pytest.raises(Forbidden):
        rpc.agreements.sign_agreement(stranger, proposed["id"], {})
    with pytest.raises(Forbidden):
        rpc.agreements.get_agreement(stranger, proposed["id"])
    with pytest.raises(Forbidden):
        rpc.agreements.get_agreement_history(stranger, proposed["id"])["items"]
    assert rpc.agreements.list_agreements(stranger)["items"] == []
    assert rpc.agreements.get_agreement(actor("company", company), proposed["id"])["version"] == 1
    listed = rpc.agreements.list_agreements(actor("company", company))["items"]
    assert [a["id"] for a in listed] == [proposed["id"]]
    with pytest.raises(NotFound):
        rpc.agreements.get_agreement(OPERATOR, "no-such-agreement")
    with pytest.raises(NotFound):
        rpc.agreements.sign_agreement(actor("company", company), "no-such-agreement", {})


def test_proposing_before_the_match_is_known_is_invalid_until_it_arrives(
        world, agreements_db, rpc, publish):
    company, park = world
    found = match_event("match.found", company, park)
    body = proposal(company, park, match_id=found.payload["match_id"])
    with pytest.raises(InvalidInput) as caught:
        rpc.agreements.propose_agreement(actor("company", company), body)
    assert list(caught.value.details) == ["match_id"]

    publish(found)
    wait_match(agreements_db, found.payload["match_id"])
    assert rpc.agreements.propose_agreement(actor("company", company), body)["match_id"] == \
        found.payload["match_id"]


def test_a_withdrawn_match_stops_new_proposals_but_not_existing_agreements(
        world, match, agreements_db, rpc, publish, event_spy):
    company, park = world
    body = proposal(company, park, match_id=match["match_id"])
    existing = rpc.agreements.propose_agreement(actor("company", company), body)

    withdrawn = match_event("match.withdrawn", company, park, match_id=match["match_id"],
                            version=2, status="withdrawn")
    publish(withdrawn)
    wait_match(agreements_db, match["match_id"], status="withdrawn")
    publish(match_event("match.found", company, park, match_id=match["match_id"]))  # stale

    with pytest.raises(InvalidInput) as caught:
        rpc.agreements.propose_agreement(actor("company", company), body)
    assert "withdrawn" in caught.value.details["match_id"][0]

    rpc.agreements.sign_agreement(actor("company", company), existing["id"], {})
    done = rpc.agreements.sign_agreement(actor("park", park), existing["id"], {})
    assert done["status"] == "signed"
    event_spy.wait_for("agreement.signed", lambda e: e["payload"]["agreement_id"] == existing["id"])


def test_a_partner_sponsors_and_the_operator_records_historic_signatures(
        world, agreements_db, rpc, publish, event_spy):
    company, park = world
    partner = publish(partner_registered("KIC China")).payload
    wait_known(agreements_db, "partner", partner["partner_id"])
    sponsor = {"kind": "partner", "id": partner["partner_id"]}

    proposed = rpc.agreements.propose_agreement(sponsor, {
        "kind": "mou", "title": "Bio innovation exchange MOU",
        "parties": [actor("company", company), actor("park", park)]})
    assert proposed["sponsor_partner_id"] == partner["partner_id"]
    assert proposed["proposed_by"]["name"] == "KIC China"
    assert proposed["match_id"] is None and proposed["sectors"] == []
    assert [a["id"] for a in rpc.agreements.list_agreements(sponsor)["items"]] == [proposed["id"]]
    with pytest.raises(Forbidden):  # the sponsor brokers; the parties sign
        rpc.agreements.sign_agreement(sponsor, proposed["id"], {})
    with pytest.raises(InvalidInput) as caught:
        rpc.agreements.sign_agreement(OPERATOR, proposed["id"], {})
    assert "party" in caught.value.details

    rpc.agreements.sign_agreement(OPERATOR, proposed["id"], {
        "party": actor("company", company), "signed_at": "2024-07-29"})
    done = rpc.agreements.sign_agreement(OPERATOR, proposed["id"], {
        "party": actor("park", park), "signed_at": "2024-07-29T15:00:00+08:00"})

    assert done["status"] == "signed"
    assert datetime.fromisoformat(done["signed_at"]) == \
        datetime(2024, 7, 29, 7, 0, tzinfo=UTC)
    event = event_spy.wait_for("agreement.signed",
                               lambda e: e["payload"]["agreement_id"] == proposed["id"])
    assert event["payload"]["sponsor_partner_id"] == partner["partner_id"]
    history = rpc.agreements.get_agreement_history(sponsor, proposed["id"])["items"]
    assert [h["actor"]["kind"] for h in history] == ["partner", "operator", "operator", "operator"]
