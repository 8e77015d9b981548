"""Obligation schedules (RFC 5545 rules through dateutil, with this service's
limits), reminder windows, and the funnel's arithmetic: plain functions."""
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from services.agreements import domain
from services.agreements.schemas import ObligationIn
from services.contracts import make_event

SEONGNAM = {"kind": "recurring", "rrule": "FREQ=MONTHLY;INTERVAL=6;COUNT=10",
            "starts_on": date(2024, 3, 15)}


# --- schedules --------------------------------------------------------------------------

def test_twice_a_year_for_five_years_is_ten_dates_six_months_apart():
    dates = domain.occurrences(SEONGNAM, date(2040, 1, 1))
    assert len(dates) == 10
    assert dates[:3] == [date(2024, 3, 15), date(2024, 9, 15), date(2025, 3, 15)]
    assert dates[-1] == date(2028, 9, 15)
    assert domain.occurrences(SEONGNAM, date(2024, 9, 14)) == [date(2024, 3, 15)]


def test_next_occurrences_start_today_and_count_stops_them():
    assert domain.next_occurrences(SEONGNAM, date(2024, 9, 15), limit=2) == [
        date(2024, 9, 15), date(2025, 3, 15)]
    assert domain.next_occurrences(SEONGNAM, date(2029, 1, 1)) == []
    once = {"kind": "once", "due_on": date(2025, 1, 31)}
    assert domain.next_occurrences(once, date(2025, 1, 1)) == [date(2025, 1, 31)]
    assert domain.is_occurrence(once, date(2025, 1, 31))
    assert not domain.is_occurrence(SEONGNAM, date(2024, 4, 15))


def test_until_and_an_rrule_prefix_are_understood():
    schedule = {"kind": "recurring", "rrule": "RRULE:FREQ=YEARLY;UNTIL=20270101",
                "starts_on": date(2024, 6, 1)}
    assert domain.occurrences(schedule, date(2030, 1, 1)) == [
        date(2024, 6, 1), date(2025, 6, 1), date(2026, 6, 1)]


@pytest.mark.parametrize("rule, fragment", [
    ("FREQ=HOURLY", "finer than a day"),
    ("FREQ=MINUTELY;COUNT=3", "finer than a day"),
    ("FREQ=SECONDLY", "finer than a day"),
    ("FREQ=MONTHLY;FOO=1", "unknown parameter 'FOO'"),
    ("FREQ=FORTNIGHTLY", "invalid 'FREQ'"),
    ("INTERVAL=2", "FREQ is required"),
    ("FREQ=MONTHLY;BYMONTHDAY=30", "BYMONTHDAY must be 1..28"),
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "not supported with FREQ=DAILY"),
    ("FREQ=MONTHLY;COUNT=0", "COUNT must be between"),
    ("FREQ=MONTHLY;COUNT=5000", "COUNT must be between"),
    ("FREQ=MONTHLY;UNTIL=20200101", "yields no date"),
    ("FREQ=MONTHLY;BYDAY=5FR", "numbered BYDAY"),
    ("DTSTART:20240101\nRRULE:FREQ=DAILY", "only the RRULE part"),
])
def test_a_bad_rule_is_refused_with_the_reason(rule, fragment):
    problems = domain.rrule_problems(rule, date(2024, 3, 15))
    assert problems and any(fragment in p for p in problems), problems


def test_the_api_schema_names_schedule_rrule_with_the_parsers_reason():
    errors = ObligationIn().validate({
        "title": "exchange meeting", "owner": {"kind": "park", "id": "p1"},
        "schedule": {"kind": "recurring", "rrule": "FREQ=MONTHLY;INTERVAL=six",
                     "starts_on": "2024-03-15"}})
    assert list(errors) == ["schedule.rrule"]
    assert "not a valid RFC 5545 recurrence rule" in errors["schedule.rrule"][0]
    errors = ObligationIn().validate({
        "title": "rent-free period ends", "owner": {"kind": "park", "id": "p1"},
        "schedule": {"kind": "once"}})
    assert list(errors) == ["schedule.due_on"]


def test_rules_that_could_search_forever_are_refused_quickly():
    started = time.monotonic()
    for rule in ("FREQ=DAILY;INTERVAL=7;BYDAY=MO", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
                 "FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=31"):
        assert domain.rrule_problems(rule, date(2024, 2, 6))
    assert time.monotonic() - started < 1.0


def test_allowed_rules_always_yield_within_their_bound():
    for rule in ("FREQ=WEEKLY;BYDAY=MO,TH;COUNT=4", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3",
                 "FREQ=YEARLY;BYMONTH=3,9;BYMONTHDAY=15", "FREQ=DAILY;INTERVAL=3"):
        assert domain.rrule_problems(rule, date(2024, 2, 6)) == [], rule
        schedule = {"kind": "recurring", "rrule": rule, "starts_on": date(2024, 2, 6)}
        assert domain.next_occurrences(schedule, date(2024, 2, 6))


# --- reminders ----------------------------------------------------------------------------

@pytest.mark.parametrize("days_ahead, expected", [
    (120, None), (91, None), (90, "due_in_90_days"), (61, "due_in_90_days"),
    (60, "due_in_60_days"), (45, "due_in_60_days"), (31, "due_in_60_days"),
    (30, "due_in_30_days"), (1, "due_in_30_days"), (0, "due_in_30_days"),
    (-1, "overdue"), (-400, "overdue"),
])
def test_tenancy_windows_90_60_30_then_overdue(days_ahead, expected):
    today = date(2025, 1, 1)
    found = domain.reminder_for(today + timedelta(days=days_ahead), today, [90, 60, 30])
    assert (found[0] if found else None) == expected
    if found:
        assert found[1] == days_ahead


def test_defaults_are_30_and_7_days_and_90_60_30_for_tenancy():
    assert domain.default_reminders("mou") == [30, 7]
    assert domain.default_reminders("tenancy") == [90, 60, 30]
    assert domain.reminder_for(date(2025, 1, 8), date(2025, 1, 1), [30, 7]) == \
        ("due_in_7_days", 7)


def obligation(schedule, created, windows=(30, 7)):
    return {"id": "o1", "agreement_id": "a1", "title": "exchange meeting",
            "owner": {"kind": "partner", "id": "p1"}, "schedule": schedule,
            "remind_days_before": list(windows),
            "created_at": datetime(created.year, created.month, created.day, tzinfo=UTC)}


def test_reminders_due_skip_fulfilled_and_history_before_recording():
    meeting = obligation(SEONGNAM, date(2024, 6, 1))
    # 2024-03-15 was before it was recorded: not chased; 2024-09-15 is 14 days ahead
    assert domain.reminders_due(meeting, date(2024, 9, 1), set()) == [
        (date(2024, 9, 15), "due_in_30_days", 14)]
    assert domain.reminders_due(meeting, date(2024, 9, 10), set()) == [
        (date(2024, 9, 15), "due_in_7_days", 5)]
    assert domain.reminders_due(meeting, date(2024, 9, 16), set()) == [
        (date(2024, 9, 15), "overdue", -1)]
    assert domain.reminders_due(meeting, date(2024, 9, 16), {date(2024, 9, 15)}) == []


def test_a_reminder_payload_fits_its_contract():
    meeting = obligation(SEONGNAM, date(2024, 6, 1))
    agreement = {"id": "a1", "title": "MOU", "kind": "mou", "sponsor_partner_id": None,
                 "parties": [{"kind": "partner", "id": "p1", "name": "x", "signed_at": None},
                             {"kind": "park", "id": "k1", "name": "y", "signed_at": None}],
                 "sectors": [], "region": None}
    for reminder in ("due_in_30_days", "overdue"):
        payload = domain.reminder_payload(meeting, agreement, date(2024, 9, 15), reminder, 3)
        event = make_event(domain.reminder_event_type(reminder), payload, producer="agreements")
        assert event.type == ("obligation.overdue" if reminder == "overdue"
                              else "obligation.due")


# --- the funnel ----------------------------------------------------------------------------

def test_funnel_counts_and_conversions():
    intros = [{"status": "accepted"}, {"status": "accepted"}, {"status": "declined"},
              {"status": "requested"}]
    agreements = [{"status": "draft", "signed_at": None}, {"status": "proposed",
                                                          "signed_at": None},
                  {"status": "active", "signed_at": "2024-01-01"}]
    once = obligation({"kind": "once", "due_on": date(2024, 7, 1)}, date(2024, 6, 1))
    late = {**obligation({"kind": "once", "due_on": date(2024, 7, 2)}, date(2024, 6, 1)),
            "id": "o2"}
    later = {**obligation({"kind": "once", "due_on": date(2025, 7, 2)}, date(2024, 6, 1)),
             "id": "o3"}
    fulfilments = [{"obligation_id": "o1", "occurrence_on": date(2024, 7, 1), "on_time": True},
                   {"obligation_id": "o2", "occurrence_on": date(2024, 7, 2), "on_time": False}]
    counts = domain.funnel_counts(8, intros, agreements, [once, late, later], fulfilments,
                                  date(2024, 8, 1))
    assert counts == {"matches": 8, "introductions_requested": 4,
                      "introductions_accepted": 2, "agreements_proposed": 2,
                      "agreements_signed": 1, "obligations_due": 2,
                      "obligations_met_on_time": 1}
    result = domain.funnel(counts)
    assert [s["stage"] for s in result["stages"]] == list(domain.FUNNEL_STAGES)
    assert [s["conversion"] for s in result["stages"]] == [None, 0.5, 0.5, 1.0, 0.5, None, 0.5]
    assert result["overall_conversion"] == 0.125
    assert result["on_time_rate"] == 0.5


def test_funnel_with_nothing_or_unknown_matches_has_no_rates():
    result = domain.funnel(domain.funnel_counts(None, [], [], [], [], date(2024, 1, 1)))
    assert result["stages"][0]["count"] is None
    assert all(s["conversion"] is None for s in result["stages"])
    assert result["overall_conversion"] is None and result["on_time_rate"] is None
