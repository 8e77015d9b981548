"""Introduction rules on plain data: who may ask and answer, duplicates and
the cap, expiry, and that no contact is in a view or event before acceptance."""
from datetime import UTC, datetime, timedelta

import pytest

from services.agreements import domain
from services.contracts import make_event
from services.contracts.actors import OPERATOR
from services.contracts.errors import Conflict, Forbidden

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
MATCH = {"id": "m1", "version": 1, "status": "active", "company_id": "c1", "park_id": "p1",
         "demand_id": "d1", "sectors": ["biopharmaceuticals"], "score": 91.0,
         "region": {"country": "CN", "province": "Heilongjiang", "city": "Harbin"}}
COMPANY = {"kind": "company", "id": "c1"}
PARK = {"kind": "park", "id": "p1"}
OTHER_PARK = {"kind": "park", "id": "p2"}
PARTNER = {"kind": "partner", "id": "kic"}
CONTACT = {"person": "Park Jisoo", "email": "jisoo@kic.example", "phone": None}


def request(**overrides):
    body = {"match_id": "m1", "message": "We would like to introduce you",
            "contact": None, "requested_by": None, "sponsor_partner_id": None}
    body.update(overrides)
    return body


def introduction(requester=PARK, **overrides):
    body = request(**overrides)
    who, sponsor = domain.choose_requester(requester, body, MATCH)
    return domain.new_introduction(body, who, sponsor, MATCH, NOW, 14)


def test_the_park_asks_for_itself_a_partner_sponsors_the_operator_records():
    assert domain.choose_requester(PARK, request(), MATCH) == (PARK, None)
    assert domain.choose_requester(PARTNER, request(), MATCH) == (PARTNER, "kic")
    assert domain.choose_requester(OPERATOR, request(), MATCH) == (PARK, None)
    assert domain.choose_requester(OPERATOR, request(requested_by=PARTNER), MATCH) == \
        (PARTNER, "kic")
    for who, body in ((COMPANY, request()), (OTHER_PARK, request()),
                      (PARTNER, request(sponsor_partner_id="someone-else")),
                      (PARK, request(requested_by=PARTNER))):
        with pytest.raises(Forbidden):
            domain.choose_requester(who, body, MATCH)


def test_a_request_needs_an_active_known_match_and_a_partner_needs_a_contact():
    assert list(domain.introduction_request_problems(request(), PARK, None, "m9")) == \
        ["match_id"]
    withdrawn = {**MATCH, "status": "withdrawn"}
    assert "withdrawn" in domain.introduction_request_problems(
        request(), PARK, withdrawn, "m1")["match_id"][0]
    assert list(domain.introduction_request_problems(request(), PARTNER, MATCH, "m1")) == \
        ["contact"]
    assert domain.introduction_request_problems(request(contact=CONTACT), PARTNER, MATCH,
                                                "m1") == {}


def test_it_expires_after_the_ttl_and_only_while_open():
    intro = introduction()
    assert intro["expires_at"] == NOW + timedelta(days=14)
    assert domain.expire_introduction(intro, NOW + timedelta(days=13, hours=23)) is None
    expired = domain.expire_introduction(intro, NOW + timedelta(days=14))
    assert expired["status"] == "expired" and expired["version"] == 2
    accepted, _ = domain.decide_introduction(COMPANY, intro, "accepted", None, NOW)
    assert domain.expire_introduction(accepted, NOW + timedelta(days=30)) is None


def test_only_the_company_or_operator_answers_once_and_not_after_expiry():
    intro = introduction()
    for who in (PARK, PARTNER, {"kind": "company", "id": "c2"}):
        with pytest.raises(Forbidden):
            domain.decide_introduction(who, intro, "accepted", None, NOW)
    declined, changed = domain.decide_introduction(COMPANY, intro, "declined", "not now", NOW)
    assert changed and declined["decline_reason"] == "not now"
    assert domain.decide_introduction(COMPANY, declined, "declined", None, NOW) == \
        (declined, False)
    with pytest.raises(Conflict):
        domain.decide_introduction(COMPANY, declined, "accepted", None, NOW)
    with pytest.raises(Conflict) as caught:
        domain.decide_introduction(COMPANY, intro, "accepted", None, NOW + timedelta(days=15))
    assert "expired" in caught.value.message
    accepted, changed = domain.decide_introduction(OPERATOR, intro, "accepted", "ignored", NOW)
    assert changed and accepted["decline_reason"] is None


def test_repeats_return_the_open_one_declined_is_a_conflict_expired_allows_anew():
    intro = introduction()
    assert domain.existing_request_outcome(intro) is intro
    with pytest.raises(Conflict):
        domain.existing_request_outcome({**intro, "status": "declined"})
    assert domain.existing_request_outcome({**intro, "status": "expired"}) is None
    assert domain.open_key(intro) == "m1|park|p1"
    assert domain.open_key({**intro, "status": "accepted"}) is None


def test_the_cap_on_open_requests_is_a_conflict_saying_the_cap():
    domain.require_below_cap(19, 20)
    with pytest.raises(Conflict) as caught:
        domain.require_below_cap(20, 20)
    assert caught.value.details == {"open_requests": 20, "cap": 20}


def test_views_and_events_carry_no_contact_before_acceptance():
    intro = introduction(PARTNER, contact=CONTACT)
    view = domain.introduction_view(intro, {"company": {"email": "ceo@c1.example"}})
    assert view["contacts"] is None and "requester_contact" not in view
    snapshot = domain.introduction_snapshot(intro)
    make_event("introduction.requested", snapshot, producer="agreements")  # fits IntroductionV1
    assert "jisoo@kic.example" not in str(snapshot) and "message" not in snapshot
    accepted, _ = domain.decide_introduction(COMPANY, intro, "accepted", None, NOW)
    contacts = domain.introduction_contacts(accepted, {"company": {"email": "ceo@c1.example"},
                                                       "park": None})
    assert contacts["requester"] == CONTACT and contacts["company"]["email"] == "ceo@c1.example"
    assert domain.introduction_view(accepted, contacts)["contacts"] == contacts


def test_a_park_requester_without_a_given_contact_offers_its_profile_contact():
    intro, _ = domain.decide_introduction(COMPANY, introduction(), "accepted", None, NOW)
    park_contact = {"email": "invest@binxian.example"}
    assert domain.introduction_contacts(intro, {"company": None, "park": park_contact})[
        "requester"] == park_contact


def test_the_sides_may_see_it_strangers_may_not():
    intro = introduction(PARTNER, contact=CONTACT)
    for who in (COMPANY, PARK, PARTNER, OPERATOR):
        assert domain.may_see_introduction(who, intro)
    for who in (OTHER_PARK, {"kind": "partner", "id": "other"}, {"kind": "company", "id": "c2"},
                None):
        assert not domain.may_see_introduction(who, intro)


def test_the_requester_or_the_operator_withdraws_an_open_request_once():
    intro = introduction(PARTNER, contact=CONTACT)
    for stranger in (COMPANY, PARK, OTHER_PARK, {"kind": "partner", "id": "other"}):
        with pytest.raises(Forbidden):
            domain.withdraw_introduction(stranger, intro, None, NOW)
    withdrawn, changed = domain.withdraw_introduction(PARTNER, intro, "the company moved",
                                                      NOW + timedelta(days=1))
    assert changed and withdrawn["status"] == "withdrawn"
    assert withdrawn["version"] == intro["version"] + 1
    assert withdrawn["decided_by"] == PARTNER
    assert withdrawn["withdrawal_reason"] == "the company moved"
    assert domain.open_key(withdrawn) is None  # frees the place under the cap
    again, changed = domain.withdraw_introduction(PARTNER, withdrawn, None, NOW)
    assert not changed and again is withdrawn
    # a withdrawn request may be made again
    assert domain.existing_request_outcome(withdrawn) is None
    by_operator, changed = domain.withdraw_introduction(OPERATOR, intro, None, NOW)
    assert changed and by_operator["decided_by"]["kind"] == "operator"


def test_withdrawing_an_answered_or_expired_request_is_a_conflict_naming_the_actions():
    intro = introduction(PARK)
    accepted, _ = domain.decide_introduction(COMPANY, intro, "accepted", None, NOW)
    with pytest.raises(Conflict) as caught:
        domain.withdraw_introduction(PARK, accepted, None, NOW)
    assert caught.value.details == {"state": "accepted", "allowed_actions": []}
    assert "only an open request can be withdrawn" in str(caught.value)
    with pytest.raises(Conflict) as caught:
        domain.withdraw_introduction(PARK, intro, None, NOW + timedelta(days=14))
    assert caught.value.details["state"] == "expired"
    assert domain.allowed_introduction_actions("requested") == [
        "acceptance (the company or the operator)", "declination (the company or the operator)",
        "withdrawal (the requester or the operator)"]
    # the company answering a withdrawn request is told so
    withdrawn, _ = domain.withdraw_introduction(PARK, intro, None, NOW)
    with pytest.raises(Conflict) as caught:
        domain.decide_introduction(COMPANY, withdrawn, "accepted", None, NOW)
    assert caught.value.details["state"] == "withdrawn"
