"""The operator's people: listed addresses (PARKMATCH_OPERATOR_EMAILS) act
as the operator, exactly as the operator key; nobody else does."""
from datetime import UTC, datetime

import pytest

from services.accounts import domain
from services.accounts.config import Settings, operator_emails
from services.contracts.actors import OPERATOR, is_operator

NOW = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)


def test_the_setting_is_read_as_address_keys(monkeypatch):
    monkeypatch.setenv("PARKMATCH_OPERATOR_EMAILS", " Ops@Parkmatch.EXAMPLE, ,b@x.example ")
    assert Settings.from_env().operator_emails == {"ops@parkmatch.example", "b@x.example"}
    monkeypatch.delenv("PARKMATCH_OPERATOR_EMAILS")
    assert Settings.from_env().operator_emails == frozenset()
    with pytest.raises(ValueError, match="PARKMATCH_OPERATOR_EMAILS"):
        operator_emails("ops@parkmatch.example,not-an-address")


def test_an_operator_person_acts_as_the_operator():
    person = domain.new_operator_person(" Ops@Parkmatch.EXAMPLE ", "zh", NOW)
    assert (person["organisation_kind"], person["organisation_id"]) == ("operator", "operator")
    assert (person["role"], person["language"], person["email"]) == \
        ("owner", "zh", "Ops@parkmatch.example")
    assert person["verified_at"] is None
    actor = domain.actor_of(person)
    assert actor == {**OPERATOR, "person_id": person["id"], "role": "owner"}
    assert is_operator(actor)


def test_without_a_language_the_operator_person_reads_english():
    assert domain.new_operator_person("ops@parkmatch.example", None, NOW)["language"] == "en"


def test_a_person_of_a_company_never_acts_as_the_operator():
    person = domain.new_person({"kind": "company", "id": "c1"}, "ops@parkmatch.example",
                               "Ops", "en", "owner", NOW, NOW)
    listed = operator_emails("ops@parkmatch.example")
    assert domain.still_allowed(person, listed)
    assert not is_operator(domain.actor_of(person))


def test_an_address_removed_from_the_setting_is_no_longer_allowed():
    person = domain.new_operator_person("ops@parkmatch.example", "en", NOW)
    assert domain.still_allowed(person, operator_emails("OPS@parkmatch.example"))
    assert not domain.still_allowed(person, operator_emails("other@parkmatch.example"))
    assert not domain.still_allowed(person, frozenset())
