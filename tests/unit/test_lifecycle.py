"""The one state-machine helper every status lifecycle uses, and the record
version helper."""
import pytest

from services.contracts.errors import Conflict
from services.platform.lifecycle import StateMachine
from services.platform.records import next_version

DOORS = StateMachine({"closed": {"open", "locked"}, "open": {"closed"}, "locked": {"closed"},
                      "broken": ()}, what="door")


def test_it_answers_what_may_follow_each_state():
    assert DOORS.states == ("closed", "open", "locked", "broken")
    assert DOORS.final_states == ("broken",)
    assert DOORS.allowed("closed") == ["locked", "open"]  # sorted
    assert DOORS.can("closed", "open") and not DOORS.can("open", "locked")
    assert DOORS.is_final("broken") and not DOORS.is_final("open")
    assert DOORS.allowed("unheard-of") == [] and DOORS.is_final("unheard-of")


def test_an_allowed_move_passes_and_a_disallowed_one_is_a_409_naming_the_allowed_ones():
    assert DOORS.require("closed", "locked") is None
    with pytest.raises(Conflict) as caught:
        DOORS.require("open", "locked")
    assert caught.value.status == 409
    assert caught.value.message == \
        "the door is open: it cannot become 'locked' from open (allowed from open: closed)"
    assert caught.value.details == {"state": "open", "allowed_transitions": ["closed"]}


def test_a_final_state_says_nothing_is_allowed_and_the_caller_says_why():
    with pytest.raises(Conflict) as caught:
        DOORS.require("broken", "open", why="it is off its hinges",
                      details={"requested": "open"})
    assert caught.value.message == \
        "the door is broken: it is off its hinges (allowed from broken: nothing, it is final)"
    assert caught.value.details == {"state": "broken", "requested": "open",
                                    "allowed_transitions": []}
    with pytest.raises(Conflict) as caught:
        DOORS.require_not_final("broken", "its paint is final")
    assert "its paint is final" in caught.value.message
    assert DOORS.require_not_final("open", "never said") is None


def test_the_details_key_and_the_allowed_list_can_be_what_an_api_already_publishes():
    gates = StateMachine({"shut": {"ajar"}, "ajar": ()}, what="gate", allowed_key="allowed_actions")
    with pytest.raises(Conflict) as caught:
        gates.require("ajar", "shut")
    assert caught.value.details == {"state": "ajar", "allowed_actions": []}
    refusal = DOORS.refusal("closed", "open", allowed=["locked"], allowed_key="allowed_actions")
    assert refusal.details == {"state": "closed", "allowed_actions": ["locked"]}
    assert refusal.message.endswith("(allowed from closed: locked)")


def test_a_table_naming_an_unknown_state_is_refused_at_once():
    with pytest.raises(ValueError, match="unknown states"):
        StateMachine({"a": {"b"}}, what="thing")


def test_next_version_copies_the_record_with_the_changes_and_the_version_up():
    record = {"id": "r1", "version": 3, "status": "open"}
    moved = next_version(record, status="closed", updated_at="now")
    assert moved == {"id": "r1", "version": 4, "status": "closed", "updated_at": "now"}
    assert record == {"id": "r1", "version": 3, "status": "open"}  # untouched
    with pytest.raises(TypeError):
        next_version(record, version=9)
