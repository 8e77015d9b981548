"""Obligation schedules and their due dates.

A schedule is {"kind": "once", "due_on": date} or {"kind": "recurring",
"rrule": RFC 5545 RRULE, "starts_on": date}. Obligations fall due on dates, so
only YEARLY, MONTHLY, WEEKLY and DAILY rules are taken, and only the rule parts
that can never make an empty or endless search (dateutil walks day by day to
the year 9999 looking for a date an impossible rule never yields)."""
from datetime import datetime, timedelta
from itertools import islice

from dateutil import rrule as _rrule

FREQUENCIES = {"YEARLY": _rrule.YEARLY, "MONTHLY": _rrule.MONTHLY,
               "WEEKLY": _rrule.WEEKLY, "DAILY": _rrule.DAILY}
ALLOWED_PARTS = {
    "YEARLY": {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTH", "BYMONTHDAY", "WKST"},
    "MONTHLY": {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTHDAY", "BYDAY", "WKST"},
    "WEEKLY": {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST"},
    "DAILY": {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST"},
}
MAX_COUNT = 1000
MAX_INTERVAL = 1200


def _midnight(day):
    return datetime(day.year, day.month, day.day)


def _rule_parts(text):
    parts = {}
    for item in text.split(";"):
        name, _, value = item.partition("=")
        parts[name.strip().upper()] = value.strip()
    return parts


def rrule_problems(text, starts_on):
    """Reasons the rule is refused (empty if it is fine): the dateutil parser's
    own reason for a malformed rule, and this service's limits."""
    text = text.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if "\n" in text or "DTSTART" in text.upper():
        return ["give only the RRULE part; the first occurrence is starts_on"]
    parts = _rule_parts(text)
    freq = parts.get("FREQ", "").upper()
    if not freq:
        return ["FREQ is required (YEARLY, MONTHLY, WEEKLY or DAILY)"]
    try:
        rule = _rrule.rrulestr(text, dtstart=_midnight(starts_on))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        return [f"not a valid RFC 5545 recurrence rule: {exc}"]
    if freq not in FREQUENCIES:
        return [f"FREQ={freq} is finer than a day; obligations fall due on dates: use "
                "YEARLY, MONTHLY, WEEKLY or DAILY"]
    unsupported = sorted(set(parts) - ALLOWED_PARTS[freq])
    if unsupported:
        return [f"{', '.join(unsupported)} not supported with FREQ={freq} (allowed: "
                f"{', '.join(sorted(ALLOWED_PARTS[freq]))})"]
    problems = []
    if rule._count is not None and not 1 <= rule._count <= MAX_COUNT:
        problems.append(f"COUNT must be between 1 and {MAX_COUNT}")
    if not 1 <= rule._interval <= MAX_INTERVAL:
        problems.append(f"INTERVAL must be between 1 and {MAX_INTERVAL}")
    for day in rule._bymonthday or ():
        if not (1 <= abs(day) <= 28):
            problems.append("BYMONTHDAY must be 1..28 or -1..-28 (every month has those "
                            "days; use -1 for the last day)")
            break
    if rule._bynweekday:
        if parts.get("BYDAY") and rule._bymonthday:
            problems.append("use BYDAY or BYMONTHDAY, not both")
        for _, nth in rule._bynweekday:
            if not 1 <= abs(nth) <= 4:
                problems.append("a numbered BYDAY must be 1..4 or -1..-4 (e.g. 1MO, -1FR)")
                break
    if rule._byweekday and rule._bymonthday:
        problems.append("use BYDAY or BYMONTHDAY, not both")
    if not problems and first_occurrence({"kind": "recurring", "rrule": text,
                                          "starts_on": starts_on}) is None:
        problems.append("the rule yields no date on or after starts_on (check UNTIL)")
    return sorted(set(problems))


def _rule(schedule):
    text = schedule["rrule"].strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    return _rrule.rrulestr(text, dtstart=_midnight(schedule["starts_on"]))


def occurrences(schedule, until):
    """Every due date of the schedule up to and including `until`, in order."""
    if schedule["kind"] == "once":
        return [schedule["due_on"]] if schedule["due_on"] <= until else []
    rule = _rule(schedule)
    bound = _midnight(until)
    if rule._until is not None and rule._until < bound:
        bound = rule._until
    # COUNT is applied by hand over an UNTIL-bounded copy: dateutil would not
    # take both, and the bound keeps every walk finite.
    bounded = rule.replace(count=None, until=bound)
    dates = (moment.date() for moment in bounded)
    if rule._count is not None:
        dates = islice(dates, rule._count)
    return list(dates)


def first_occurrence(schedule):
    start = schedule["due_on"] if schedule["kind"] == "once" else schedule["starts_on"]
    found = occurrences(schedule, start + timedelta(days=366 * 12))
    return found[0] if found else None


def next_occurrences(schedule, today, limit=3, horizon_days=366 * 12):
    return [day for day in occurrences(schedule, today + timedelta(days=horizon_days))
            if day >= today][:limit]


def is_occurrence(schedule, day):
    return day in occurrences(schedule, day)
