"""Agreement rules on plain data: the transition table, who may propose,
sign and see, and signing that is idempotent and completes exactly once."""
from datetime import UTC, datetime, timedelta

import pytest

from services.agreements import domain
from services.contracts import make_event
from services.contracts.actors import OPERATOR
from services.contracts.errors import Conflict, Forbidden, InvalidInput

NOW = datetime(2024, 7, 29, 9, 0, tzinfo=UTC)
COMPANY = {"kind": "company", "id": "c1"}
PARK = {"kind": "park", "id": "p1"}
PARTNER = {"kind": "partner", "id": "seoul-bio-hub"}
OTHER_PARTNER = {"kind": "partner", "id": "kic-china"}
STRANGER = {"kind": "company", "id": "someone-else"}

DIRECTORY = {
    ("company", "c1"): {"kind": "company", "id": "c1", "version": 1, "name": "Vision Semicon"},
    ("park", "p1"): {"kind": "park", "id": "p1", "version": 1, "name": "Binxian ETDZ"},
    ("partner", "seoul-bio-hub"): {"kind": "partner", "id": "seoul-bio-hub", "version": 1,
                                   "name": "Seoul Bio Hub"},
}
MATCH = {"id": "m1", "version": 1, "status": "active", "company_id": "c1", "park_id": "p1",
         "demand_id": "d1", "sectors": ["biopharmaceuticals", "health_care"],
         "region": {"country": "CN", "province": "Heilongjiang", "city": "Harbin"}}


def proposal(**overrides):
    body = {"kind": "mou", "title": "Korea-China High-Tech Valley tenancy MOU",
            "match_id": "m1", "parties": [COMPANY, PARK], "sponsor_partner_id": None,
            "terms": None, "documents": [], "proposed_by": None}
    body.update(overrides)
    return body


def proposed_agreement(**overrides):
    body = proposal(**overrides)
    proposer, sponsor = domain.choose_proposer(COMPANY, body)
    return domain.new_agreement(body, proposer, sponsor, DIRECTORY, MATCH, NOW)


# --- the transition table ---------------------------------------------------------

# Every transition a person may request, and only those (the rest come from
# signatures or the timer).
REQUESTABLE = {
    ("draft", "proposed"), ("draft", "terminated"),
    ("proposed", "terminated"),
    ("signed", "active"), ("signed", "terminated"),
    ("active", "completed"), ("active", "terminated"),
}


def test_the_states_are_the_vocabulary_and_the_lifecycle_starts_at_proposed():
    from services.contracts.vocabulary import AGREEMENT_STATES
    assert domain.STATES == AGREEMENT_STATES
    assert domain.INITIAL_STATE == "proposed"
    assert set(domain.TERMINAL_STATES) == {"completed", "terminated", "expired"}


@pytest.mark.parametrize("state", domain.STATES)
@pytest.mark.parametrize("target", domain.STATES)
def test_every_requested_transition_is_allowed_or_a_conflict_naming_the_allowed_ones(
        state, target):
    allowed = sorted(t for s, t in REQUESTABLE if s == state)
    agreement = {"id": "a1", "version": 1, "status": state, "parties": [],
                 "sponsor_partner_id": None}
    if (state, target) in REQUESTABLE:
        moved, entry = domain.transition(agreement, target, OPERATOR, NOW, reason="because")
        assert moved["status"] == target and moved["version"] == 2
        assert entry["details"]["from"] == state and entry["details"]["to"] == target
        assert entry["details"]["reason"] == "because"
        return
    with pytest.raises(Conflict) as caught:
        domain.require_transition(agreement, target)
    assert caught.value.details["state"] == state
    assert caught.value.details["allowed_transitions"] == allowed
    for name in allowed:
        assert name in caught.value.message
    if not allowed:
        assert "nothing" in caught.value.message


def test_signed_and_expired_are_reached_only_by_signatures_and_the_timer():
    with pytest.raises(Conflict) as caught:
        domain.require_transition({"status": "proposed"}, "signed")
    assert "signatures" in caught.value.message
    assert caught.value.details["other_transitions"]["signed"].startswith("reached when")
    assert domain.require_transition({"status": "proposed"}, "signed", "signatures") == "sign"
    with pytest.raises(Conflict):
        domain.require_transition({"status": "active"}, "expired")
    assert domain.require_transition({"status": "active"}, "expired", "timer") == "expire"
    assert domain.require_transition({"status": "signed"}, "active", "timer") == "activate"


def test_every_transition_leads_to_a_state_the_table_knows_and_has_an_event():
    for state, targets in domain.TRANSITIONS.items():
        for target, action in targets.items():
            assert target in domain.TRANSITIONS, f"{state} leads to unknown {target}"
            assert action in domain.ACTION_WAYS
            assert domain.STATE_EVENTS[target] in __import__(
                "services.contracts.events", fromlist=["CURRENT_VERSION"]).CURRENT_VERSION


def test_terminating_needs_a_reason_and_strangers_may_not_change_an_agreement():
    agreement = proposed_agreement()
    with pytest.raises(InvalidInput) as caught:
        domain.requested_transition(COMPANY, agreement, "terminated", None, NOW)
    assert list(caught.value.details) == ["reason"]
    with pytest.raises(Forbidden):
        domain.requested_transition(STRANGER, agreement, "terminated", "no", NOW)
    moved, entry = domain.requested_transition(PARK, agreement, "terminated", "plans changed",
                                               NOW)
    assert moved["status"] == "terminated" and entry["actor"] == PARK


def test_the_timer_starts_signed_agreements_on_their_date_and_expires_ended_ones():
    day = NOW.date()
    signed = {"status": "signed", "starts_on": day, "ends_on": None}
    assert domain.due_automatic_transitions(signed, day) == ["active"]
    assert domain.due_automatic_transitions(signed, day - timedelta(days=1)) == []
    ended = {"status": "active", "starts_on": None, "ends_on": day - timedelta(days=1)}
    assert domain.due_automatic_transitions(ended, day) == ["expired"]
    assert domain.due_automatic_transitions({**ended, "ends_on": day}, day) == []
    both = {"status": "signed", "starts_on": day - timedelta(days=30),
            "ends_on": day - timedelta(days=2)}
    assert domain.due_automatic_transitions(both, day) == ["active", "expired"]
    assert domain.due_automatic_transitions({"status": "proposed", "starts_on": day,
                                             "ends_on": None}, day) == []


def test_documents_are_added_once_and_not_to_a_final_agreement():
    agreement = proposed_agreement()
    doc = {"url": "https://example.org/mou.pdf", "sha256": "ab" * 32, "title": "MOU"}
    added, history = domain.add_document(agreement, doc, PARK, NOW)
    assert added["documents"] == [doc] and added["version"] == 2
    assert history[0]["action"] == "document_added"
    again, history = domain.add_document(added, doc, PARK, NOW)
    assert again is added and history == []
    with pytest.raises(Conflict):
        domain.add_document({**agreement, "status": "terminated"}, doc, PARK, NOW)
    with pytest.raises(Forbidden):
        domain.add_document(agreement, doc, STRANGER, NOW)


# --- who may propose -----------------------------------------------------------------

def test_a_party_proposes_for_itself():
    assert domain.choose_proposer(PARK, proposal()) == (PARK, None)


def test_a_partner_that_is_not_a_party_becomes_the_sponsor():
    assert domain.choose_proposer(PARTNER, proposal()) == (PARTNER, "seoul-bio-hub")
    assert domain.choose_proposer(PARTNER, proposal(sponsor_partner_id="seoul-bio-hub")) == \
        (PARTNER, "seoul-bio-hub")


def test_a_partner_cannot_propose_on_behalf_of_another_sponsor():
    with pytest.raises(Forbidden):
        domain.choose_proposer(OTHER_PARTNER, proposal(sponsor_partner_id="seoul-bio-hub"))


def test_a_stranger_may_not_propose():
    with pytest.raises(Forbidden):
        domain.choose_proposer(STRANGER, proposal())


def test_the_operator_proposes_for_the_first_party_or_the_one_it_names():
    assert domain.choose_proposer(OPERATOR, proposal()) == (COMPANY, None)
    assert domain.choose_proposer(OPERATOR, proposal(proposed_by=PARK)) == (PARK, None)


def test_only_the_operator_may_name_someone_else_as_proposer():
    with pytest.raises(Forbidden):
        domain.choose_proposer(COMPANY, proposal(proposed_by=PARK))
    assert domain.choose_proposer(COMPANY, proposal(proposed_by=COMPANY)) == (COMPANY, None)


# --- what a proposal must satisfy -------------------------------------------------------

def test_a_valid_proposal_has_no_problems():
    assert domain.proposal_problems(proposal(), COMPANY, None, DIRECTORY, MATCH) == {}


def test_unknown_parties_and_sponsor_are_named_by_field():
    body = proposal(match_id=None, parties=[COMPANY, {"kind": "park", "id": "nowhere"}])
    problems = domain.proposal_problems(body, COMPANY, "ghost-partner", DIRECTORY, None)
    assert problems == {"parties[1].id": ["unknown park nowhere"],
                        "sponsor_partner_id": ["unknown partner ghost-partner"]}


def test_the_match_must_be_known_active_and_its_company_and_park_parties():
    unknown = domain.proposal_problems(proposal(), COMPANY, None, DIRECTORY, None)
    assert list(unknown) == ["match_id"] and "unknown match m1" in unknown["match_id"][0]

    withdrawn = {**MATCH, "status": "withdrawn"}
    problems = domain.proposal_problems(proposal(), COMPANY, None, DIRECTORY, withdrawn)
    assert "withdrawn" in problems["match_id"][0]

    body = proposal(parties=[COMPANY, PARTNER])
    problems = domain.proposal_problems(body, COMPANY, None, DIRECTORY, MATCH)
    assert problems == {"parties": ["must include park p1 of match m1"]}


def test_a_proposer_named_by_the_operator_must_take_part():
    body = proposal(match_id=None)
    problems = domain.proposal_problems(body, PARTNER, None, DIRECTORY, None)
    assert list(problems) == ["proposed_by"]
    assert domain.proposal_problems(body, PARTNER, "seoul-bio-hub", DIRECTORY, None) == {}


def test_a_new_agreement_is_proposed_unsigned_with_sector_and_region_from_its_match():
    agreement = proposed_agreement()
    assert agreement["status"] == "proposed" and agreement["version"] == 1
    assert [p["signed_at"] for p in agreement["parties"]] == [None, None]
    assert [p["name"] for p in agreement["parties"]] == ["Vision Semicon", "Binxian ETDZ"]
    assert agreement["proposed_by"] == {**COMPANY, "name": "Vision Semicon"}
    assert agreement["sectors"] == ["biopharmaceuticals", "health_care"]
    assert agreement["region"]["city"] == "Harbin"
    without_match = domain.new_agreement(proposal(match_id=None), COMPANY, None, DIRECTORY,
                                         None, NOW)
    assert without_match["sectors"] == [] and without_match["region"] is None


def test_the_snapshot_satisfies_the_event_contract_and_keeps_terms_private():
    agreement = proposed_agreement(terms="free rent for two years")
    event = make_event("agreement.proposed", domain.agreement_snapshot(agreement),
                       producer="agreements")
    assert event.payload["agreement_id"] == agreement["id"]
    assert event.payload["proposed_by"]["kind"] == "company"
    assert "terms" not in event.payload


# --- who may sign, and signing ---------------------------------------------------------

def test_a_party_signs_for_itself_and_nobody_else():
    agreement = proposed_agreement()
    assert domain.signing_party(PARK, agreement, None) == PARK
    assert domain.signing_party(PARK, agreement, PARK) == PARK
    with pytest.raises(Forbidden):
        domain.signing_party(PARK, agreement, COMPANY)
    with pytest.raises(Forbidden):
        domain.signing_party(STRANGER, agreement, None)
    with pytest.raises(Forbidden):  # the sponsor brokers, it does not sign
        domain.signing_party(PARTNER, {**agreement, "sponsor_partner_id": PARTNER["id"]}, None)


def test_the_operator_signs_on_behalf_of_a_named_party():
    agreement = proposed_agreement()
    assert domain.signing_party(OPERATOR, agreement, PARK) == PARK
    with pytest.raises(InvalidInput) as caught:
        domain.signing_party(OPERATOR, agreement, None)
    assert "party" in caught.value.details
    with pytest.raises(InvalidInput):
        domain.signing_party(OPERATOR, agreement, STRANGER)


def test_the_last_signature_moves_the_agreement_to_signed_at_the_latest_time():
    agreement = proposed_agreement()
    later = NOW + timedelta(hours=2)

    first = domain.sign(agreement, PARK, later, PARK, NOW)
    assert not first.completed and first.changed
    assert first.agreement["status"] == "proposed" and first.agreement["version"] == 2
    assert [e["action"] for e in first.history] == ["signed"]

    historic = NOW - timedelta(days=30)  # recorded after the fact
    second = domain.sign(first.agreement, COMPANY, historic, OPERATOR, NOW)
    assert second.completed
    assert second.agreement["status"] == "signed" and second.agreement["version"] == 3
    assert second.agreement["signed_at"] == later
    assert [e["action"] for e in second.history] == ["signed", "state_changed"]
    assert second.history[0]["actor"] == {"kind": "operator", "id": "operator"}
    assert second.history[0]["details"]["party"] == COMPANY
    assert second.history[1]["details"] == {"action": "sign", "from": "proposed", "to": "signed"}


def test_signing_twice_changes_nothing():
    once = domain.sign(proposed_agreement(), PARK, NOW, PARK, NOW)
    again = domain.sign(once.agreement, PARK, NOW + timedelta(hours=1), PARK, NOW)
    assert again.agreement is once.agreement
    assert not again.changed and not again.completed

    done = domain.sign(once.agreement, COMPANY, NOW, COMPANY, NOW)
    after = domain.sign(done.agreement, COMPANY, NOW, COMPANY, NOW)
    assert after.agreement is done.agreement and not after.completed


def test_an_unsigned_party_cannot_sign_in_a_state_that_does_not_allow_it():
    # Not reachable yet (only "signed" follows "proposed"), but later states
    # such as "terminated" will hold agreements some parties never signed.
    agreement = {**proposed_agreement(), "status": "signed"}
    with pytest.raises(Conflict) as caught:
        domain.sign(agreement, PARK, NOW, PARK, NOW)
    assert caught.value.details["state"] == "signed"


# --- who may see ------------------------------------------------------------------------

def test_parties_the_sponsor_and_the_operator_may_see_an_agreement():
    agreement = {**proposed_agreement(), "sponsor_partner_id": PARTNER["id"]}
    for actor in (COMPANY, PARK, PARTNER, OPERATOR):
        assert domain.may_see(actor, agreement)
    for actor in (STRANGER, OTHER_PARTNER, None, {}):
        assert not domain.may_see(actor, agreement)
    with pytest.raises(Forbidden):
        domain.require_visible(OTHER_PARTNER, agreement)


# --- the directory ------------------------------------------------------------------------

def test_directory_entries_take_a_display_name_in_english_then_korean_then_chinese():
    payload = {"company_id": "c9", "version": 3, "names": {"ko": "비전세미콘", "en": " "}}
    assert domain.directory_entry("company.updated", payload) == {
        "kind": "company", "id": "c9", "version": 3, "name": "비전세미콘"}
    park = {"park_id": "p9", "version": 1, "names": {"zh": "宾县经济技术开发区"}}
    assert domain.directory_entry("park.registered", park)["name"] == "宾县经济技术开发区"
