"""The agreement lifecycle, obligations and their reminders, and the park
funnel, in the agreements service on the real broker and a real database.
Time moves with PARKMATCH_CLOCK_FILE; two containers of the service share the
database so their timers compete."""
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from services.agreements import usecases
from services.agreements.service import AgreementsService
from services.contracts.actors import OPERATOR
from services.contracts.errors import Conflict, Forbidden, InvalidInput
from services.platform import clock
from tests.conftest import eventually, holds
from tests.service.conftest import (
    SHA,
    actor,
    outbox_count,
    proposal,
)

START = datetime(2031, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def moved_clock(monkeypatch, tmp_path):
    path = tmp_path / "clock"
    monkeypatch.setenv("PARKMATCH_CLOCK_FILE", str(path))
    monkeypatch.setenv("PARKMATCH_AGREEMENTS_TIMER_INTERVAL", "0.2")
    clock.travel_to(path, START)
    return lambda instant: clock.travel_to(path, instant)


@pytest.fixture
def timers(moved_clock, run_service, agreements_db):
    """Two more processes' worth of the service on the same database, with
    fast timers (the fixture's first container keeps its 60 s timer)."""
    for _ in range(2):
        run_service(AgreementsService, database_urls={"agreements": agreements_db.url})
    return moved_clock


def signed(rpc, company, park, **overrides):
    proposed = rpc.agreements.propose_agreement(actor("park", park),
                                                proposal(company, park, **overrides))
    rpc.agreements.sign_agreement(actor("company", company), proposed["id"], {})
    return rpc.agreements.sign_agreement(actor("park", park), proposed["id"], {})


def test_the_lifecycle_through_requests_and_the_timer_with_history_and_events(
        world, match, agreements_db, rpc, event_spy, timers):
    company, park = world
    draft = rpc.agreements.propose_agreement(actor("company", company), proposal(
        company, park, match_id=match["match_id"], draft=True,
        starts_on=(START + timedelta(days=30)).date().isoformat(),
        ends_on=(START + timedelta(days=395)).date().isoformat()))
    assert draft["status"] == "draft" and draft["allowed_transitions"] == \
        ["proposed", "terminated"]
    with pytest.raises(Conflict) as caught:
        rpc.agreements.sign_agreement(actor("company", company), draft["id"], {})
    assert caught.value.details["allowed_transitions"] == ["proposed", "terminated"]
    assert outbox_count(agreements_db, "agreement.proposed") == 0

    proposed = rpc.agreements.transition_agreement(actor("company", company), draft["id"],
                                                   {"to": "proposed"})
    assert proposed["status"] == "proposed"
    with pytest.raises(Conflict) as caught:
        rpc.agreements.transition_agreement(actor("park", park), draft["id"],
                                            {"to": "completed"})
    assert "allowed from proposed: terminated" in str(caught.value)
    assert caught.value.details["allowed_transitions"] == ["terminated"]
    with pytest.raises(InvalidInput) as caught:
        rpc.agreements.transition_agreement(actor("park", park), draft["id"], {"to": "gone"})
    assert list(caught.value.details) == ["to"]

    with_doc = rpc.agreements.add_document(actor("park", park), draft["id"], {
        "url": "https://example.org/tenancy-v2.pdf", "sha256": "ab" * 32,
        "title": "Tenancy contract v2"})
    assert with_doc["documents"][-1]["title"] == "Tenancy contract v2"
    with pytest.raises(InvalidInput) as caught:
        rpc.agreements.add_document(actor("park", park), draft["id"], {
            "url": "https://example.org/x.pdf", "sha256": "not-a-hash", "title": "x"})
    assert list(caught.value.details) == ["sha256"]

    rpc.agreements.sign_agreement(actor("company", company), draft["id"], {})
    rpc.agreements.sign_agreement(actor("park", park), draft["id"], {})
    assert rpc.agreements.get_agreement(OPERATOR, draft["id"])["status"] == "signed"

    timers(START + timedelta(days=30, hours=1))
    eventually(lambda: holds(rpc.agreements.get_agreement(OPERATOR, draft["id"])["status"]
                             == "active"))
    timers(START + timedelta(days=397))
    eventually(lambda: holds(rpc.agreements.get_agreement(OPERATOR, draft["id"])["status"]
                             == "expired"))
    with pytest.raises(Conflict) as caught:
        rpc.agreements.transition_agreement(OPERATOR, draft["id"], {"to": "terminated",
                                                                     "reason": "late"})
    assert caught.value.details["allowed_transitions"] == []

    time.sleep(0.8)  # more ticks of both timers
    for event_type in ("agreement.proposed", "agreement.signed", "agreement.activated",
                       "agreement.expired"):
        assert outbox_count(agreements_db, event_type) == 1, event_type
        found = event_spy.wait_for(event_type)
        assert found["payload"]["agreement_id"] == draft["id"]
    assert event_spy.wait_for("agreement.activated")["payload"]["starts_on"] == \
        (START + timedelta(days=30)).date().isoformat()
    history = rpc.agreements.get_agreement_history(actor("company", company), draft["id"])["items"]
    moves = [(h["details"]["from"], h["details"]["to"], h["actor"]["kind"])
             for h in history if h["action"] == "state_changed"]
    assert moves == [("draft", "proposed", "company"), ("proposed", "signed", "park"),
                     ("signed", "active", "system"), ("active", "expired", "system")]
    assert [h["action"] for h in history][:2] == ["drafted", "state_changed"]
    assert "document_added" in [h["action"] for h in history]


def test_obligation_reminders_go_out_once_per_window_and_overdue(
        world, agreements_db, rpc, event_spy, timers):
    company, park = world
    tenancy = signed(rpc, company, park, kind="tenancy",
                     title="Incubation tenancy, rent-free for two years")
    rent_free_ends = (START + timedelta(days=100)).date()
    ending = rpc.agreements.add_obligation(actor("park", park), tenancy["id"], {
        "title": "End of the rent-free period: agree the rent",
        "owner": actor("company", company),
        "schedule": {"kind": "once", "due_on": rent_free_ends.isoformat()}})
    assert ending["remind_days_before"] == [90, 60, 30]
    assert ending["next_occurrences"] == [rent_free_ends.isoformat()]
    with pytest.raises(InvalidInput) as caught:
        rpc.agreements.add_obligation(actor("park", park), tenancy["id"], {
            "title": "hourly report", "owner": actor("company", company),
            "schedule": {"kind": "recurring", "rrule": "FREQ=HOURLY",
                         "starts_on": "2031-01-10"}})
    assert list(caught.value.details) == ["schedule.rrule"]
    stranger = {"kind": "park", "id": "someone-else"}
    with pytest.raises(Forbidden):
        rpc.agreements.list_obligations(stranger, tenancy["id"])["items"]

    def reminders():
        return [(e["payload"]["reminder"], e["payload"]["days_until_due"])
                for e in event_spy.of_type("obligation.due") + event_spy.of_type(
                    "obligation.overdue") if e["payload"]["obligation_id"] == ending["id"]]

    timers(START + timedelta(days=10, hours=1))      # 90 days before
    eventually(lambda: holds(reminders() == [("due_in_90_days", 90)]))
    timers(START + timedelta(days=55, hours=1))      # 45 days before
    eventually(lambda: holds(len(reminders()) == 2))
    timers(START + timedelta(days=101, hours=1))     # one day late
    eventually(lambda: holds(len(reminders()) == 3))
    time.sleep(1.0)
    assert reminders() == [("due_in_90_days", 90), ("due_in_60_days", 45), ("overdue", -1)]
    assert outbox_count(agreements_db, "obligation.due") == 2
    assert outbox_count(agreements_db, "obligation.overdue") == 1
    overdue = event_spy.wait_for("obligation.overdue")
    assert overdue["payload"]["owner"] == actor("company", company)
    assert overdue["payload"]["agreement_kind"] == "tenancy"

    # a restart of the bookkeeping changes nothing: the same run again emits nothing
    assert usecases.send_obligation_reminders(agreements_db) == 0

    listed = rpc.agreements.list_obligations(actor("company", company), tenancy["id"])["items"]
    assert listed[0]["overdue_occurrences"] == [rent_free_ends.isoformat()]
    late = rpc.agreements.record_fulfilment(
        actor("company", company), tenancy["id"], ending["id"],
        {"occurrence_on": rent_free_ends.isoformat(), "evidence": {"note": "rent agreed"}})
    assert late["on_time"] is False
    with pytest.raises(Conflict):
        rpc.agreements.record_fulfilment(
            actor("company", company), tenancy["id"], ending["id"],
            {"occurrence_on": rent_free_ends.isoformat(), "evidence": {"note": "again"}})
    with pytest.raises(Forbidden):  # the owner (or the operator) records it
        rpc.agreements.record_fulfilment(
            actor("park", park), tenancy["id"], ending["id"],
            {"occurrence_on": rent_free_ends.isoformat(), "evidence": {"note": "x"}})


def test_recurring_meetings_fulfilled_on_time_count_in_the_park_funnel(
        world, match, agreements_db, rpc, moved_clock):
    company, park = world
    mou = signed(rpc, company, park, kind="mou", title="Exchange MOU",
                 match_id=match["match_id"])
    meetings = rpc.agreements.add_obligation(actor("park", park), mou["id"], {
        "title": "Economic and trade exchange meeting",
        "owner": actor("park", park),
        "schedule": {"kind": "recurring", "rrule": "FREQ=MONTHLY;INTERVAL=6;COUNT=10",
                     "starts_on": (START + timedelta(days=5)).date().isoformat()},
        "remind_days_before": [30, 7]})
    first, second = (date.fromisoformat(d) for d in meetings["next_occurrences"][:2])
    assert (second.year - first.year) * 12 + second.month - first.month == 6
    with pytest.raises(InvalidInput) as caught:
        rpc.agreements.record_fulfilment(actor("park", park), mou["id"], meetings["id"], {
            "occurrence_on": (first + timedelta(days=1)).isoformat(),
            "evidence": {"note": "held"}})
    assert list(caught.value.details) == ["occurrence_on"]
    moved_clock(START + timedelta(days=5))
    on_time = rpc.agreements.record_fulfilment(
        actor("park", park), mou["id"], meetings["id"],
        {"occurrence_on": first.isoformat(),
         "evidence": {"url": "https://example.org/minutes.pdf", "sha256": SHA,
                      "note": "first meeting held in Harbin"}})
    assert on_time["on_time"] is True
    moved_clock(datetime(second.year, second.month, second.day, tzinfo=UTC)
                + timedelta(days=3))
    intro = rpc.agreements.request_introduction(actor("park", park),
                                                {"match_id": match["match_id"]})
    rpc.agreements.accept_introduction(actor("company", company), intro["id"], {})

    funnel = rpc.agreements.get_funnel(actor("park", park), {"park_id": park["id"]})
    counts = {s["stage"]: s["count"] for s in funnel["stages"]}
    assert counts == {"matches": 1, "introductions_requested": 1,
                      "introductions_accepted": 1, "agreements_proposed": 1,
                      "agreements_signed": 1, "obligations_due": 2,
                      "obligations_met_on_time": 1}
    assert funnel["on_time_rate"] == 0.5 and funnel["overall_conversion"] == 1.0
    with pytest.raises(Forbidden):
        rpc.agreements.get_funnel(actor("company", company), {"park_id": park["id"]})
    with pytest.raises(InvalidInput):
        rpc.agreements.get_funnel(OPERATOR, {"park_id": park["id"], "partner_id": "x"})
    rows = agreements_db.run(lambda uow: uow.connection.execute(
        text("SELECT count(*) FROM obligation_fulfilments")).scalar_one())
    assert rows == 1


def reminders_sent(agreements_db, obligation_id):
    return agreements_db.run(lambda uow: sorted(
        (str(row[0]), row[1]) for row in uow.connection.execute(text(
            "SELECT occurrence_on, reminder FROM obligation_reminders "
            "WHERE obligation_id = :o"), {"o": obligation_id})))


def test_an_obligation_is_changed_and_cancelled_by_its_owner_with_an_audit_trail(
        world, agreements_db, rpc, event_spy, timers):
    company, park = world
    as_company, as_park = actor("company", company), actor("park", park)
    agreement = signed(rpc, company, park)
    first_due = (START + timedelta(days=40)).date()
    obligation = rpc.agreements.add_obligation(as_park, agreement["id"], {
        "title": "Quarterly report", "owner": as_company,
        "schedule": {"kind": "once", "due_on": first_due.isoformat()},
        "remind_days_before": [30]})
    ob_id = obligation["id"]
    timers(START + timedelta(days=15))
    sent = event_spy.wait_for("obligation.due")
    assert sent["payload"]["occurrence_on"] == first_due.isoformat()

    # only the owner party or the operator may change it; bad input names the field
    with pytest.raises(Forbidden):
        rpc.agreements.change_obligation(as_park, agreement["id"], ob_id, {"title": "Nope"})
    with pytest.raises(InvalidInput) as caught:
        rpc.agreements.change_obligation(as_company, agreement["id"], ob_id, {
            "schedule": {"kind": "recurring", "rrule": "FREQ=HOURLY",
                         "starts_on": "2031-03-01"}})
    assert list(caught.value.details) == ["schedule.rrule"]
    with pytest.raises(InvalidInput):
        rpc.agreements.change_obligation(as_company, agreement["id"], ob_id, {})

    # a new schedule: monthly from day 50; the reminder already sent stays sent
    starts = (START + timedelta(days=50)).date()
    changed = rpc.agreements.change_obligation(as_company, agreement["id"], ob_id, {
        "schedule": {"kind": "recurring", "rrule": "FREQ=MONTHLY;COUNT=3",
                     "starts_on": starts.isoformat()}})
    assert changed["schedule"]["rrule"] == "FREQ=MONTHLY;COUNT=3"
    assert changed["next_occurrences"][0] == starts.isoformat()
    assert changed["schedule_since"] == (START + timedelta(days=15)).date().isoformat()
    assert changed["changed_by"]["kind"] == "company" and changed["status"] == "active"
    renamed = rpc.agreements.change_obligation(OPERATOR, agreement["id"], ob_id, {
        "title": "Monthly report", "remind_days_before": [30, 7]})
    assert renamed["title"] == "Monthly report" and renamed["remind_days_before"] == [30, 7]
    # nothing changed: no history entry
    rpc.agreements.change_obligation(OPERATOR, agreement["id"], ob_id, {"title": "Monthly report"})

    # the new occurrence gets its reminders; the old one none more
    timers(START + timedelta(days=21))
    eventually(lambda: holds(any(e["payload"]["occurrence_on"] == starts.isoformat()
                                 for e in event_spy.of_type("obligation.due"))))
    timers(START + timedelta(days=34))  # the old date's 7-day window
    time.sleep(0.8)
    assert reminders_sent(agreements_db, ob_id) == [
        (first_due.isoformat(), "due_in_30_days"), (starts.isoformat(), "due_in_30_days")]

    # cancelled: kept with its history; nothing more falls due or is reminded
    with pytest.raises(Forbidden):
        rpc.agreements.cancel_obligation(as_park, agreement["id"], ob_id, {})
    cancelled = rpc.agreements.cancel_obligation(as_company, agreement["id"], ob_id,
                                                 {"reason": "replaced by the annual audit"})
    assert cancelled["status"] == "cancelled" and cancelled["next_occurrences"] == []
    assert cancelled["cancellation_reason"] == "replaced by the annual audit"
    assert rpc.agreements.cancel_obligation(OPERATOR, agreement["id"], ob_id)["cancelled_at"] \
        == cancelled["cancelled_at"]
    with pytest.raises(Conflict) as caught:
        rpc.agreements.change_obligation(OPERATOR, agreement["id"], ob_id, {"title": "Again"})
    assert caught.value.details == {"state": "cancelled", "allowed_actions": []}
    timers(START + timedelta(days=45))  # the new date's 7-day window, then overdue
    time.sleep(0.6)
    timers(START + timedelta(days=52))
    time.sleep(0.8)
    assert len(reminders_sent(agreements_db, ob_id)) == 2
    assert outbox_count(agreements_db, "obligation.overdue") == 0
    [listed] = rpc.agreements.list_obligations(as_park, agreement["id"])["items"]
    assert listed["status"] == "cancelled" and listed["overdue_occurrences"] == []

    history = [h for h in rpc.agreements.get_agreement_history(as_park, agreement["id"])["items"]
               if h["action"].startswith("obligation_")]
    assert [(h["action"], h["actor"]["kind"]) for h in history] == [
        ("obligation_added", "park"), ("obligation_changed", "company"),
        ("obligation_changed", "operator"), ("obligation_cancelled", "company")]
    assert history[1]["details"]["changes"]["schedule"] == {
        "from": {"kind": "once", "due_on": first_due.isoformat()},
        "to": {"kind": "recurring", "rrule": "FREQ=MONTHLY;COUNT=3",
               "starts_on": starts.isoformat()}}
    assert history[2]["details"]["changes"] == {
        "title": {"from": "Quarterly report", "to": "Monthly report"},
        "remind_days_before": {"from": [30], "to": [30, 7]}}
    assert history[3]["details"]["reason"] == "replaced by the annual audit"
