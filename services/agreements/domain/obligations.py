"""Obligations of an agreement: recording them, their reminders, recording a
fulfilment of one occurrence, changing and cancelling them, and how they read.

An obligation is "active" or "cancelled" (kept, with its fulfilments and
history; nothing more falls due); while its agreement is final, it is frozen."""
from datetime import date, datetime, timedelta

from services.contracts.actors import is_operator
from services.contracts.errors import Conflict, Forbidden, InvalidInput
from services.platform.lifecycle import StateMachine
from services.platform.records import new_id

from .lifecycle import AGREEMENT_LIFECYCLE
from .parties import actor_ref, as_ref, is_party, key
from .schedules import is_occurrence, next_occurrences, occurrences
from .visibility import may_see

# The 409s of this API have always listed what may still be done as "allowed_actions".
OBLIGATION_LIFECYCLE = StateMachine({"active": {"cancelled"}, "cancelled": ()},
                                    what="obligation", allowed_key="allowed_actions")
DEFAULT_REMINDERS = (30, 7)
TENANCY_REMINDERS = (90, 60, 30)  # e.g. the end of a rent-free period


def default_reminders(agreement_kind):
    return list(TENANCY_REMINDERS if agreement_kind == "tenancy" else DEFAULT_REMINDERS)


# --- reminders ----------------------------------------------------------------------------

def reminder_name(days_before):
    return f"due_in_{days_before}_days"


def reminder_for(occurrence_on, today, remind_days_before):
    """(reminder, days until due) that applies to an unfulfilled occurrence
    today, or None. Before the due date the narrowest window that contains
    today applies (90, 60, 30 days: 45 days ahead is the 60-day reminder); a
    window already passed when the obligation was recorded is not sent late.
    After the due date: "overdue"."""
    days = (occurrence_on - today).days
    if days < 0:
        return "overdue", days
    for window in sorted(set(remind_days_before)):
        if days <= window:
            return reminder_name(window), days
    return None


def reminders_due(obligation, today, fulfilled_on_dates):
    """[(occurrence_on, reminder, days until due)] for one obligation today.
    Only occurrences on or after the day the obligation was recorded count:
    history recorded later is not chased."""
    if is_cancelled(obligation):
        return []
    recorded_on = chased_from(obligation)
    windows = obligation["remind_days_before"]
    horizon = today + timedelta(days=max(windows, default=0))
    found = []
    for occurrence_on in occurrences(obligation["schedule"], horizon):
        if occurrence_on < recorded_on or occurrence_on in fulfilled_on_dates:
            continue
        reminder = reminder_for(occurrence_on, today, windows)
        if reminder:
            found.append((occurrence_on, *reminder))
    return found


def reminder_payload(obligation, agreement, occurrence_on, reminder, days_until_due):
    """Contract ObligationReminderV1."""
    return {
        "obligation_id": obligation["id"], "occurrence_on": occurrence_on,
        "reminder": reminder, "days_until_due": days_until_due,
        "title": obligation["title"], "owner": as_ref(obligation["owner"]),
        "agreement_id": agreement["id"], "agreement_title": agreement["title"],
        "agreement_kind": agreement["kind"],
        "parties": [as_ref(p) for p in agreement["parties"]],
        "sponsor_partner_id": agreement["sponsor_partner_id"],
        "sectors": list(agreement.get("sectors") or []), "region": agreement.get("region"),
    }


def reminder_event_type(reminder):
    return "obligation.overdue" if reminder == "overdue" else "obligation.due"


# --- recording and fulfilling ----------------------------------------------------

def new_obligation(agreement, data, actor, now):
    if not may_see(actor, agreement):
        raise Forbidden("only the parties, the sponsor partner and the operator may record "
                        "obligations")
    AGREEMENT_LIFECYCLE.require_not_final(agreement["status"], "no new obligations")
    if not is_party(agreement, data["owner"]):
        raise InvalidInput({"owner": [f"{data['owner']['kind']} {data['owner']['id']} is not "
                                      "a party to this agreement"]})
    reminders = data.get("remind_days_before")
    return {
        "id": new_id(), "agreement_id": agreement["id"], "title": data["title"],
        "owner": as_ref(data["owner"]), "schedule": data["schedule"],
        "remind_days_before": sorted(set(
            default_reminders(agreement["kind"]) if reminders is None else reminders),
            reverse=True),
        "created_at": now, "created_by": actor_ref(actor),
    }


def fulfilment(obligation, agreement, data, actor, today, now, already):
    """A fulfilment record for one occurrence; on time when recorded (or
    fulfilled, for history) on or before the due date."""
    owner = obligation["owner"]
    if not (is_operator(actor) or key(actor_ref(actor)) == key(owner)):
        raise Forbidden("only the obligation's owner party or the operator may record its "
                        "fulfilment")
    occurrence_on = data["occurrence_on"]
    if not is_occurrence(obligation["schedule"], occurrence_on):
        upcoming = next_occurrences(obligation["schedule"], occurrence_on, limit=1)
        hint = f"; the next one is {upcoming[0].isoformat()}" if upcoming else ""
        raise InvalidInput({"occurrence_on": [
            f"{occurrence_on.isoformat()} is not a due date of this obligation{hint}"]})
    if already:
        raise Conflict(f"the occurrence of {occurrence_on.isoformat()} was already fulfilled",
                       {"occurrence_on": occurrence_on.isoformat()})
    fulfilled_on = data.get("fulfilled_on") or today
    if fulfilled_on > today:
        raise InvalidInput({"fulfilled_on": ["cannot be in the future"]})
    return {"obligation_id": obligation["id"], "agreement_id": agreement["id"],
            "occurrence_on": occurrence_on, "fulfilled_on": fulfilled_on,
            "on_time": fulfilled_on <= occurrence_on, "evidence": data["evidence"],
            "recorded_by": actor_ref(actor), "recorded_at": now}


# --- changing and cancelling ------------------------------------------------------

def chased_from(obligation):
    """The first date whose occurrences are chased (reminded, listed overdue,
    counted due): the day it was recorded, or the day its schedule last
    changed (occurrences of a new schedule before the change are not owed)."""
    recorded_on = obligation["created_at"].date()
    since = obligation.get("schedule_since")
    if isinstance(since, str):
        since = date.fromisoformat(since)
    return max(recorded_on, since) if since else recorded_on


def chased_until(obligation):
    """The last date whose occurrences are owed: the day before it was
    cancelled, else None (no end but the schedule's)."""
    cancelled_at = obligation.get("cancelled_at")
    if not cancelled_at:
        return None
    if isinstance(cancelled_at, str):
        cancelled_at = datetime.fromisoformat(cancelled_at)
    return cancelled_at.date() - timedelta(days=1)


def is_cancelled(obligation):
    return bool(obligation.get("cancelled_at"))


def _require_owner_or_operator(actor, obligation, doing):
    if not (is_operator(actor) or key(actor_ref(actor)) == key(obligation["owner"])):
        raise Forbidden(f"only the obligation's owner party or the operator may {doing} it")


def obligation_status(obligation):
    return "cancelled" if is_cancelled(obligation) else "active"


def _require_changeable(agreement, obligation, doing):
    OBLIGATION_LIFECYCLE.require_not_final(obligation_status(obligation),
                                           f"it can no longer be {doing}")
    AGREEMENT_LIFECYCLE.require_not_final(agreement["status"],
                                          f"its obligations can no longer be {doing}",
                                          allowed_key=OBLIGATION_LIFECYCLE.allowed_key)


def _schedule_json(schedule):
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in schedule.items()}


def change_obligation(agreement, obligation, changes, actor, today, now):
    """(the obligation after PATCH {title?, schedule?, remind_days_before?},
    the audit details of what changed, or None when nothing did). A new
    schedule is chased from today: reminders already sent stay sent (their key
    is (obligation, occurrence, reminder)); the new occurrences get theirs."""
    _require_owner_or_operator(actor, obligation, "change")
    _require_changeable(agreement, obligation, "changed")
    updated, changed = dict(obligation), {}
    if changes.get("title") is not None and changes["title"] != obligation["title"]:
        changed["title"] = {"from": obligation["title"], "to": changes["title"]}
        updated["title"] = changes["title"]
    if changes.get("schedule") is not None and changes["schedule"] != obligation["schedule"]:
        changed["schedule"] = {"from": _schedule_json(obligation["schedule"]),
                               "to": _schedule_json(changes["schedule"])}
        updated["schedule"] = changes["schedule"]
        updated["schedule_since"] = today
    if changes.get("remind_days_before") is not None:
        reminders = sorted(set(changes["remind_days_before"]), reverse=True)
        if reminders != obligation["remind_days_before"]:
            changed["remind_days_before"] = {"from": obligation["remind_days_before"],
                                             "to": reminders}
            updated["remind_days_before"] = reminders
    if not changed:
        return obligation, None
    updated["changed_at"], updated["changed_by"] = now, actor_ref(actor)
    return updated, {"obligation_id": obligation["id"], "changes": changed}


def cancel_obligation(agreement, obligation, reason, actor, now):
    """(the obligation cancelled, whether it changed). It stays listed with its
    fulfilments and the reminders already sent; nothing more falls due or is
    reminded. Cancelling twice changes nothing."""
    _require_owner_or_operator(actor, obligation, "cancel")
    if is_cancelled(obligation):
        return obligation, False
    _require_changeable(agreement, obligation, "cancelled")
    return {**obligation, "cancelled_at": now, "cancelled_by": actor_ref(actor),
            "cancellation_reason": reason}, True


def obligation_view(obligation, fulfilments, today):
    fulfilled = {f["occurrence_on"] for f in fulfilments}
    recorded_on = chased_from(obligation)
    until = chased_until(obligation)
    last = today - timedelta(days=1) if until is None else min(until, today - timedelta(days=1))
    past = [day for day in occurrences(obligation["schedule"], last)
            if day >= recorded_on and day not in fulfilled]
    upcoming = [] if is_cancelled(obligation) else [
        day for day in next_occurrences(obligation["schedule"], today, limit=5)
        if day not in fulfilled][:3]
    return {**obligation,
            "status": obligation_status(obligation),
            "next_occurrences": upcoming,
            "overdue_occurrences": past,
            "fulfilments": sorted(fulfilments, key=lambda f: f["occurrence_on"])}
