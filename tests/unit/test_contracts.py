"""Event contracts: producers and consumers reject what breaks them."""
import json
from datetime import date

import pytest

from services.contracts import ContractError, make_event, parse_event
from services.contracts.events import CURRENT_VERSION, REGISTRY
from services.contracts.topology import CONSUMERS, consumers_of


def company_payload(**overrides):
    payload = {"company_id": "c1", "version": 1, "names": {"en": "DeepBrain", "ko": "딥브레인"},
               "country": "KR", "sectors": ["artificial_intelligence"],
               "founded_on": date(2016, 4, 1), "patents": 12}
    payload.update(overrides)
    return payload


def test_round_trip_keeps_envelope_and_loads_dates():
    event = make_event("company.registered", company_payload(), producer="profiles",
                       correlation_id="req-1")
    wire = json.loads(json.dumps(event.to_message()))
    parsed = parse_event(wire)
    assert parsed.event_id == event.event_id
    assert parsed.correlation_id == "req-1" and parsed.causation_id is None
    assert parsed.payload["founded_on"] == date(2016, 4, 1)
    assert parsed.payload["certifications"] is None  # not said = unknown, not "none"


def test_producer_refuses_an_invalid_payload_naming_the_field():
    with pytest.raises(ContractError) as caught:
        make_event("company.registered", company_payload(sectors=["teleportation"]),
                   producer="profiles")
    assert "sectors" in caught.value.errors


def test_consumer_refuses_unknown_version_and_broken_envelope():
    event = make_event("company.registered", company_payload(), producer="profiles")
    with pytest.raises(ContractError, match="version 9"):
        parse_event(dict(event.to_message(), version=9))
    with pytest.raises(ContractError) as caught:
        parse_event(dict(event.to_message(), event_id="not-a-uuid", producer=""))
    assert {"event_id", "producer"} <= set(caught.value.errors)
    with pytest.raises(ContractError):
        parse_event("a string")


def test_names_need_one_language():
    with pytest.raises(ContractError):
        make_event("company.registered", company_payload(names={"ko": " "}), producer="p")


def test_every_event_type_has_a_consumer_and_a_current_version():
    types = {event_type for event_type, _ in REGISTRY}
    assert types == set(CURRENT_VERSION)
    for event_type in types:
        assert consumers_of(event_type), f"{event_type} would be published into a void"
    assert all(t in types for ts in CONSUMERS.values() for t in ts)


def test_event_names_read_as_past_tense_facts():
    for event_type in CURRENT_VERSION:
        verb = event_type.split(".")[1]
        assert verb.endswith("ed") or verb in ("found", "withdrawn", "due", "overdue"), event_type
        # obligation.due / obligation.overdue are the names issue #4 gives:
        # facts about a date that has come, not commands


def test_criterion_values_of_the_wrong_shape_are_refused_not_crashed_on():
    from services.contracts.events import CriterionSchema
    errors = CriterionSchema().validate(
        {"kind": "certification_any_of", "value": [{}, [], [1.5, None]]})
    assert "value" in errors
    assert "value" in CriterionSchema().validate({"kind": "min_patents", "value": []})
