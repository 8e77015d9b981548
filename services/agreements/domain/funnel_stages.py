"""The funnel of one park or partner: matches -> introductions -> agreements
-> obligations met on time, each stage with its count and its conversion."""
from .obligations import chased_from, chased_until
from .schedules import occurrences

FUNNEL_STAGES = ("matches", "introductions_requested", "introductions_accepted",
                 "agreements_proposed", "agreements_signed", "obligations_due",
                 "obligations_met_on_time")


def _rate(count, base):
    if count is None or not base:
        return None
    return round(count / base, 4)


def funnel(counts):
    """Stages in order, each with its count and its conversion from the stage
    before (null when that is 0 or unknown). `counts` maps stage -> number
    (matches may be None when the count is unavailable)."""
    stages, previous = [], None
    for index, name in enumerate(FUNNEL_STAGES):
        count = counts.get(name, 0)
        # obligations_due is the base of the last step, not a step after signing
        # (one agreement owes many occurrences): it has no conversion.
        no_rate = index == 0 or name == "obligations_due"
        stages.append({"stage": name, "count": count,
                       "conversion": None if no_rate else _rate(count, previous)})
        previous = count
    first = counts.get("matches")
    return {"stages": stages,
            "overall_conversion": _rate(counts.get("agreements_signed", 0), first),
            "on_time_rate": _rate(counts.get("obligations_met_on_time", 0),
                                  counts.get("obligations_due", 0))}


def funnel_counts(matches, introductions, agreements, obligations, fulfilments, today):
    """Counts for one park or partner from its own records. Occurrences due so
    far (on or after the day each obligation was recorded, up to today) are
    "obligations due"; those fulfilled on time, "met on time"."""
    due = 0
    fulfilled = {}
    for record in fulfilments:
        fulfilled.setdefault(record["obligation_id"], {})[record["occurrence_on"]] = record
    on_time = 0
    for obligation in obligations:
        recorded_on = chased_from(obligation)
        done = fulfilled.get(obligation["id"], {})
        until = chased_until(obligation)
        for day in occurrences(obligation["schedule"],
                               today if until is None else min(until, today)):
            if day < recorded_on and day not in done:
                continue
            due += 1
            if done.get(day, {}).get("on_time"):
                on_time += 1
    return {
        "matches": matches,
        "introductions_requested": len(introductions),
        "introductions_accepted": sum(1 for i in introductions if i["status"] == "accepted"),
        "agreements_proposed": sum(1 for a in agreements if a["status"] != "draft"),
        "agreements_signed": sum(1 for a in agreements if a.get("signed_at")),
        "obligations_due": due,
        "obligations_met_on_time": on_time,
    }
