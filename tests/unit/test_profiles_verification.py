"""The rules of a company registered through the web app, pending until an
owner confirms the e-mail address: who releases it, and what its events
carry (plain domain functions and the PersonV1 contract, no broker)."""
from datetime import UTC, date, datetime

import pytest

from services.contracts import ContractError, make_event, parse_event
from services.contracts.topology import consumers_of
from services.profiles import domain

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)


def person(**overrides):
    payload = {"person_id": "p-1", "organisation": {"kind": "company", "id": "c-1"},
               "email": "minji@example.kr", "name": "Kim Minji", "language": "ko",
               "role": "owner", "changed_at": NOW, "verified_at": NOW}
    payload.update(overrides)
    return payload


def a_company(pending):
    return domain.new_company({"names": {"en": "Vision Semicon"}, "country": "KR",
                               "sectors": ["biopharmaceuticals"], "founded_on": date(2020, 1, 2),
                               "contact": {"email": "minji@example.kr"}},
                              NOW, pending_verification=pending)


def test_a_verified_owner_of_a_company_names_that_company():
    assert domain.verified_owner_company(person()) == "c-1"


@pytest.mark.parametrize("overrides", [
    {"verified_at": None},                                  # not confirmed yet
    {"role": "member"},                                     # a colleague, not an owner
    {"role": None},
    {"organisation": {"kind": "park", "id": "c-1"}},        # a park's person
    {"organisation": {"kind": "partner", "id": "c-1"}},
])
def test_nobody_else_releases_a_company(overrides):
    assert domain.verified_owner_company(person(**overrides)) is None


def test_a_pending_company_is_released_at_the_same_version_and_its_flag_never_travels():
    company = a_company(pending=True)
    assert domain.is_pending(company)
    assert not domain.is_pending(a_company(pending=False))
    free = domain.released(company)
    assert not domain.is_pending(free) and free["version"] == company["version"] == 1
    assert domain.is_pending(company), "released() returns a copy"
    snapshot = domain.company_snapshot(company)
    assert domain.PENDING not in snapshot and "contact" not in snapshot
    make_event("company.registered", domain.company_snapshot(free), producer="profiles")


def test_person_events_carry_verified_at_and_older_ones_without_it_still_parse():
    sent = make_event("person.updated", person(), producer="accounts")
    assert sent.payload["verified_at"] == NOW.isoformat()
    assert parse_event(sent.to_message()).payload["verified_at"] == NOW
    older = {k: v for k, v in person().items() if k != "verified_at"}
    message = make_event("person.enrolled", older, producer="accounts").to_message()
    assert "verified_at" not in message["payload"]
    assert parse_event(message).payload["verified_at"] is None
    unconfirmed = make_event("person.enrolled", person(verified_at=None), producer="accounts")
    assert parse_event(unconfirmed.to_message()).payload["verified_at"] is None


def test_verified_at_must_be_an_aware_time():
    message = make_event("person.updated", person(), producer="accounts").to_message()
    message["payload"]["verified_at"] = "2026-05-04T09:30:00"
    with pytest.raises(ContractError):
        parse_event(message)


def test_profiles_consumes_the_person_events_that_can_confirm_an_address():
    assert "profiles.people_verified" in consumers_of("person.enrolled")
    assert "profiles.people_verified" in consumers_of("person.updated")
    assert "profiles.people_verified" not in consumers_of("person.removed")
