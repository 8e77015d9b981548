"""Matching rules on plain data: how a company fares on each criterion of a
demand, the score, and how a match moves through its life.

No broker, no database: snapshots come in as the contracts load them (dates
as `date`), and everything that goes out is JSON-ready.

Criteria are table-driven: `EVALUATORS` maps a criterion kind to a function
`(company, value, today) -> Finding | None` (None: does not apply to this
company). A new kind needs one function and one entry.
"""
import math
import uuid
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import NamedTuple

from services.contracts.actors import is_actor, is_operator

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
ACTIVE, WITHDRAWN = "active", "withdrawn"
OPEN = "open"

# Outcomes of a demand's window and status, and the reason a match is
# withdrawn when its demand is not open.
DEMAND_NOT_OPEN_REASONS = {
    "closed": "demand closed",
    "expired": "demand expired",
    "not_yet_open": "demand not open yet",
}

# One fixed namespace: the same (company, demand) pair always gets the same
# match id, so two processes evaluating it at once collide on the key instead
# of creating two matches.
_MATCH_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://parkmatch/matches")


def match_id(company_id, demand_id):
    return str(uuid.uuid5(_MATCH_NAMESPACE, f"{company_id}/{demand_id}"))


def is_newer(snapshot, stored):
    """Snapshots can arrive twice or out of order (retries, competing
    consumers): only a higher version replaces what we hold."""
    return stored is None or snapshot["version"] > stored["version"]


def demand_state(demand, today):
    if demand["status"] != OPEN:
        return "closed"
    if demand.get("valid_until") is not None and demand["valid_until"] < today:
        return "expired"
    if demand["valid_from"] > today:
        return "not_yet_open"
    return OPEN


# --- wording ----------------------------------------------------------------

def _codes(codes):
    return ", ".join(codes)


def _plural(count, noun):
    return f"{_number(count)} {noun}" + ("" if count == 1 else "s")


def _number(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}"


def _did_not_say(what):
    return f"{what} unknown: the company did not say"


# --- calendar ---------------------------------------------------------------

def add_months(start, months):
    """`start` moved by whole calendar months; a day the target month lacks
    (31st, 29 February) becomes that month's last day."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def years_elapsed(start, today):
    """Whole calendar years since `start` plus the elapsed share of the
    current one, rounded down to a tenth, so the figure shown never claims an
    age the company has not reached yet."""
    if start > today:
        return 0.0
    years = today.year - start.year
    if add_months(start, 12 * years) > today:
        years -= 1
    last = add_months(start, 12 * years)
    following = add_months(start, 12 * (years + 1))
    exact = years + Fraction((today - last).days, (following - last).days)
    return math.floor(exact * 10) / 10


# --- criteria -----------------------------------------------------------------

class Finding(NamedTuple):
    outcome: str
    company_value: object
    explanation: str


def _sectors(company, wanted, today):
    sectors = company["sectors"]
    common = [code for code in sectors if code in wanted]
    if common:
        return Finding(MET, sectors, f"sectors in common: {_codes(common)}")
    return Finding(NOT_MET, sectors, f"no sector in common: the company works in "
                                     f"{_codes(sectors)}; wanted: {_codes(wanted)}")


def _space(company, offered, today):
    needed = company.get("space_needed_m2")
    if needed is None:
        return None  # the company states no space need: nothing to fit
    if needed <= offered:
        return Finding(MET, needed, f"needs {_number(needed)} m²; {_number(offered)} m² offered")
    return Finding(NOT_MET, needed,
                   f"needs {_number(needed)} m²; only {_number(offered)} m² offered")


def _facilities(company, offered, today):
    needed = company.get("facilities_needed")
    if not needed:
        return None  # no facility needed: nothing to provide
    missing = [code for code in needed if code not in offered]
    if not missing:
        return Finding(MET, needed, f"needs {_codes(needed)}; all offered")
    return Finding(NOT_MET, needed, f"needs {_codes(needed)}; not offered: {_codes(missing)}")


def _incentives(company, offered, today):
    wanted = company.get("incentives_wanted")
    if not wanted:
        return None  # no preference stated
    granted = [code for code in wanted if code in offered]
    if granted:
        return Finding(MET, wanted, f"wants {_codes(wanted)}; offered: {_codes(granted)}")
    return Finding(NOT_MET, wanted, f"wants {_codes(wanted)}; none of them offered")


def _min_patents(company, minimum, today):
    patents = company.get("patents")
    if patents is None:
        return Finding(UNKNOWN, None, _did_not_say("patents"))
    text = f"holds {_plural(patents, 'patent')}; at least {_number(minimum)} required"
    return Finding(MET if patents >= minimum else NOT_MET, patents, text)


def _min_years_since_founding(company, minimum_years, today):
    founded = company.get("founded_on")
    if founded is None:
        return Finding(UNKNOWN, None, _did_not_say("founding date"))
    # Compare calendar dates, not day counts: founded exactly N years ago
    # today counts. A fractional requirement is taken in whole months.
    old_enough_on = add_months(founded, round(minimum_years * 12))
    text = (f"founded {founded.isoformat()}, {_number(years_elapsed(founded, today))} years ago; "
            f"at least {_plural(minimum_years, 'year')} required")
    return Finding(MET if old_enough_on <= today else NOT_MET, founded.isoformat(), text)


def _funding_or_market_validation(company, _value, today):
    funding = company.get("funding_raised_krw")
    validated = company.get("market_validation")
    values = {"funding_raised_krw": funding, "market_validation": validated}
    has_funding = funding is not None and funding > 0
    if has_funding or validated is True:
        held = ([f"raised {_number(funding)} KRW"] if has_funding else []) + \
               (["has market validation"] if validated else [])
        return Finding(MET, values, " and ".join(held) + "; funding or market validation required")
    known_absent = ([] if funding is None else ["no funding raised"]) + \
                   ([] if validated is None else ["no market validation"])
    if funding is not None and validated is not None:
        return Finding(NOT_MET, values, " and ".join(known_absent) +
                       "; funding or market validation required")
    unknown = [name for name, value in (("funding", funding), ("market validation", validated))
               if value is None]
    return Finding(UNKNOWN, values, "; ".join(known_absent + [_did_not_say(" and ".join(unknown))]))


def _certification_any_of(company, accepted, today):
    held = company.get("certifications")
    if held is None:
        return Finding(UNKNOWN, None, _did_not_say("certification"))
    qualifying = [code for code in held if code in accepted]
    if qualifying:
        return Finding(MET, held, f"holds {_codes(qualifying)}; one of {_codes(accepted)} required")
    holds = f"holds {_codes(held)}" if held else "holds no certification"
    return Finding(NOT_MET, held, f"{holds}; one of {_codes(accepted)} required")


EVALUATORS = {
    "sectors": _sectors,
    "space": _space,
    "facilities": _facilities,
    "incentives": _incentives,
    "min_patents": _min_patents,
    "min_years_since_founding": _min_years_since_founding,
    "funding_or_market_validation": _funding_or_market_validation,
    "certification_any_of": _certification_any_of,
}


def criteria_of(demand):
    """Every criterion a demand sets, in the order they are explained: what
    it offers (sectors, space, facilities; all required), then its own
    screening criteria, then the incentives a company may prefer."""
    offer = [{"kind": "sectors", "value": demand["sectors"], "required": True, "weight": 1.0}]
    if demand.get("space_offered_m2") is not None:
        offer.append({"kind": "space", "value": demand["space_offered_m2"],
                      "required": True, "weight": 1.0})
    offer.append({"kind": "facilities", "value": list(demand.get("facilities") or []),
                  "required": True, "weight": 1.0})
    preference = {"kind": "incentives", "value": list(demand.get("incentives") or []),
                  "required": False, "weight": 1.0}
    return offer + list(demand.get("criteria") or []) + [preference]


def outcomes_for(company, demand, today):
    outcomes = []
    for criterion in criteria_of(demand):
        finding = EVALUATORS[criterion["kind"]](company, criterion["value"], today)
        if finding is None:
            continue
        outcomes.append({
            "criterion": criterion["kind"],
            "outcome": finding.outcome,
            "required": bool(criterion.get("required", True)),
            "weight": float(criterion.get("weight", 1.0)),
            "company_value": finding.company_value,
            "demand_value": criterion["value"],
            "explanation": finding.explanation,
        })
    return outcomes


def score(outcomes):
    """100 x the weight of what is met over all weight, to one decimal
    (half up, not Python's round-half-even)."""
    total = sum(Decimal(str(o["weight"])) for o in outcomes)
    if not total:
        return 0.0
    met = sum(Decimal(str(o["weight"])) for o in outcomes if o["outcome"] == MET)
    return float((100 * met / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# --- one evaluation ----------------------------------------------------------

def match_company(company):
    return {key: company[key] for key in ("company_id", "names", "country", "sectors")}


def match_demand(demand):
    park = demand["park"]
    return {"demand_id": demand["demand_id"], "title": demand["title"],
            "park_id": park["park_id"], "park_names": park["names"], "region": park["region"],
            "sectors": demand["sectors"]}


def _unmet_required(outcomes):
    return [o for o in outcomes if o["required"] and o["outcome"] != MET]


def _summary(state, outcomes, demand):
    title = demand["title"]
    if state != OPEN:
        return f"{title} is not open ({DEMAND_NOT_OPEN_REASONS[state]})"
    required = [o for o in outcomes if o["required"]]
    unmet = _unmet_required(outcomes)
    if unmet:
        return (f"Does not meet {len(unmet)} of {len(required)} required criteria of {title}: "
                f"{_codes(o['criterion'] for o in unmet)}")
    text = (f"Meets the one required criterion of {title}" if len(required) == 1
            else f"Meets all {len(required)} required criteria of {title}")
    sectors = next(o for o in outcomes if o["criterion"] == "sectors")
    common = [code for code in sectors["company_value"] if code in sectors["demand_value"]]
    text += f"; sectors in common: {_codes(common)}"
    preferences = [o for o in outcomes if not o["required"]]
    if preferences:
        met = sum(1 for o in preferences if o["outcome"] == MET)
        text += f"; {met} of {_plural(len(preferences), 'preference')} met"
    return text


def _withdrawn_reason(state, outcomes):
    if state != OPEN:
        return DEMAND_NOT_OPEN_REASONS[state]
    return "required criteria not met: " + "; ".join(
        f"{o['criterion']} ({o['explanation']})" for o in _unmet_required(outcomes))


def evaluate(company, demand, today):
    """The company against the demand: outcomes, score, whether it is a
    match (demand open and every required criterion met) and the words."""
    outcomes = outcomes_for(company, demand, today)
    state = demand_state(demand, today)
    qualifies = state == OPEN and not _unmet_required(outcomes)
    return {
        "match_id": match_id(company["company_id"], demand["demand_id"]),
        "company": match_company(company),
        "demand": match_demand(demand),
        "score": score(outcomes),
        "outcomes": outcomes,
        "summary": _summary(state, outcomes, demand),
        "qualifies": qualifies,
        "withdrawn_reason": None if qualifies else _withdrawn_reason(state, outcomes),
    }


# --- a match's life ----------------------------------------------------------

def _material(match):
    """What makes a match different for its readers. Explanations are left
    out: an age in words moves every day, and that alone is no news."""
    return {
        "company": match["company"],
        "demand": match["demand"],
        "score": match["score"],
        "outcomes": [{k: v for k, v in o.items() if k != "explanation"}
                     for o in match["outcomes"]],
    }


def _record(evaluation, version, status, created_at, now):
    return {
        "match_id": evaluation["match_id"],
        "version": version,
        "status": status,
        "company": evaluation["company"],
        "demand": evaluation["demand"],
        "score": evaluation["score"],
        "outcomes": evaluation["outcomes"],
        "summary": evaluation["summary"],
        "withdrawn_reason": None if status == ACTIVE else evaluation["withdrawn_reason"],
        "created_at": created_at,
        "updated_at": now,
    }


def next_match(existing, evaluation, now):
    """What an evaluation does to the pair's match: (new record, event type),
    or None when nothing changes (and so nothing is emitted)."""
    qualifies = evaluation["qualifies"]
    if existing is None:
        return (_record(evaluation, 1, ACTIVE, now, now), "match.found") if qualifies else None
    version, created_at = existing["version"] + 1, existing["created_at"]
    if existing["status"] == WITHDRAWN:
        if not qualifies:
            return None
        return _record(evaluation, version, ACTIVE, created_at, now), "match.found"
    if not qualifies:
        return _record(evaluation, version, WITHDRAWN, created_at, now), "match.withdrawn"
    if _material(existing) == _material(evaluation):
        return None
    return _record(evaluation, version, ACTIVE, created_at, now), "match.updated"


def event_payload(record):
    """The MatchV1 payload of a stored match."""
    return {key: value for key, value in record.items() if key not in ("created_at", "updated_at")}


def ranked(matches, include_withdrawn=False):
    """Active matches best first, ties broken by match id so every call
    lists them in the same order; withdrawn ones (if asked for) after."""
    shown = [m for m in matches if include_withdrawn or m["status"] == ACTIVE]
    return sorted(shown, key=lambda m: (m["status"] != ACTIVE, -m["score"], m["match_id"]))


def may_see_match(actor, match):
    """The matched company, the demand's park, any partner (matches carry no
    private data) and the operator."""
    return (is_operator(actor)
            or (actor or {}).get("kind") == "partner"
            or is_actor(actor, "company", match["company"]["company_id"])
            or is_actor(actor, "park", match["demand"]["park_id"]))
