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
from fractions import Fraction
from typing import NamedTuple

from services.contracts import taxonomy
from services.contracts.actors import is_actor, is_operator

from .messages import language, message, render, render_all

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
ACTIVE, WITHDRAWN = "active", "withdrawn"
OPEN = "open"

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


def required_months(minimum_years):
    """A requirement in years, taken in whole calendar months."""
    return round(minimum_years * 12)


# --- criteria -----------------------------------------------------------------

# The share of a criterion's weight an outcome earns. An unknown value earns
# half: it never passes a hard criterion, and as a preference it is neither
# rewarded like a met one nor punished like a missed one (README, "How a
# match is scored").
UNKNOWN_CREDIT = 0.5

# A near miss fails at most this many hard criteria (never the sector).
NEAR_MISS_MAX_GAPS = 2


class Finding(NamedTuple):
    outcome: str
    company_value: object
    message: dict               # messages.message(...)
    credit: float = None        # None: 1 when met, 0 when not, UNKNOWN_CREDIT when unknown
    gap: dict = None            # what would close it (a message), when not met


def _undisclosed(subject, company_value=None):
    return Finding(UNKNOWN, company_value, message("undisclosed", subject=subject),
                   gap=message("gap.undisclosed", subject=subject))


def _sectors(company, wanted, today):
    held = list(company["sectors"])
    weight, relation, best_wanted, best_held = taxonomy.best_affinity(wanted, held)
    if relation == taxonomy.EXACT:
        common = [code for code in held if code in wanted]
        return Finding(MET, held, message("sectors.exact", common=common), credit=weight)
    if relation in (taxonomy.CHILD, taxonomy.RELATED):
        return Finding(MET, held, message(f"sectors.{relation}", held=best_held,
                                          wanted=best_wanted, credit=weight), credit=weight)
    return Finding(NOT_MET, held, message("sectors.none", held=held, wanted=list(wanted)),
                   credit=0.0)


def _space(company, offered, today):
    needed = company.get("space_needed_m2")
    if needed is None:
        return None  # the company states no space need: nothing to fit
    if needed <= offered:
        return Finding(MET, needed, message("space.met", needed=needed, offered=offered))
    return Finding(NOT_MET, needed, message("space.not_met", needed=needed, offered=offered),
                   gap=message("gap.space", needed=needed, offered=offered,
                               short=needed - offered))


def _facilities(company, offered, today):
    needed = company.get("facilities_needed")
    if not needed:
        return None  # no facility needed: nothing to provide
    needed = list(needed)
    missing = [code for code in needed if code not in offered]
    if not missing:
        return Finding(MET, needed, message("facilities.met", needed=needed))
    return Finding(NOT_MET, needed, message("facilities.not_met", needed=needed, missing=missing),
                   gap=message("gap.facilities", missing=missing))


def _incentives(company, offered, today):
    wanted = company.get("incentives_wanted")
    if not wanted:
        return None  # no preference stated
    wanted = list(wanted)
    granted = [code for code in wanted if code in offered]
    if granted:
        return Finding(MET, wanted, message("incentives.met", wanted=wanted, granted=granted))
    return Finding(NOT_MET, wanted, message("incentives.not_met", wanted=wanted))


def _min_patents(company, minimum, today):
    patents = company.get("patents")
    if patents is None:
        return _undisclosed("patents")
    text = message("patents.compared", patents=patents, minimum=minimum)
    if patents >= minimum:
        return Finding(MET, patents, text)
    return Finding(NOT_MET, patents, text,
                   gap=message("gap.patents", more=minimum - patents, has=patents, needs=minimum))


def _min_years_since_founding(company, minimum_years, today):
    founded = company.get("founded_on")
    if founded is None:
        return _undisclosed("founded_on")
    # Compare calendar dates, not day counts: founded exactly N years ago
    # today counts. A fractional requirement is taken in whole months.
    eligible_on = add_months(founded, required_months(minimum_years))
    text = message("founding.compared", founded=founded.isoformat(),
                   years=years_elapsed(founded, today), minimum=minimum_years)
    if eligible_on <= today:
        return Finding(MET, founded.isoformat(), text)
    return Finding(NOT_MET, founded.isoformat(), text,
                   gap=message("gap.founding", founded=founded.isoformat(),
                               eligible_on=eligible_on.isoformat()))


def _funding_or_market_validation(company, _value, today):
    funding = company.get("funding_raised_krw")
    validated = company.get("market_validation")
    values = {"funding_raised_krw": funding, "market_validation": validated}
    has_funding = funding is not None and funding > 0
    if has_funding and validated is True:
        return Finding(MET, values, message("funding.met_both", funding=funding))
    if has_funding:
        return Finding(MET, values, message("funding.met_funding", funding=funding))
    if validated is True:
        return Finding(MET, values, message("funding.met_validation"))
    if funding is not None and validated is not None:
        return Finding(NOT_MET, values, message("funding.not_met"), gap=message("gap.funding"))
    if funding is None and validated is None:
        return _undisclosed("funding_and_validation", values)
    if funding is None:  # no market validation, funding not said
        return Finding(UNKNOWN, values,
                       message("funding.no_validation_funding_unknown", subject="funding"),
                       gap=message("gap.undisclosed", subject="funding"))
    return Finding(UNKNOWN, values,
                   message("funding.no_funding_validation_unknown", subject="market_validation"),
                   gap=message("gap.undisclosed", subject="market_validation"))


def _certification_any_of(company, accepted, today):
    held = company.get("certifications")
    if held is None:
        return _undisclosed("certifications")
    held, accepted = list(held), list(accepted)
    qualifying = [code for code in held if code in accepted]
    if qualifying:
        return Finding(MET, held, message("certification.held", held=qualifying,
                                          accepted=accepted))
    if not held:
        return Finding(NOT_MET, held, message("certification.none", accepted=accepted),
                       gap=message("gap.certification_none", accepted=accepted))
    return Finding(NOT_MET, held, message("certification.held", held=held, accepted=accepted),
                   gap=message("gap.certification", accepted=accepted, held=held))


def _headcount(company, bounds, today):
    headcount = company.get("headcount")
    if headcount is None:
        return _undisclosed("headcount")
    low, high = bounds.get("min"), bounds.get("max")
    if low is not None and high is not None:
        text = message("headcount.between", headcount=headcount, min=low, max=high)
    elif low is not None:
        text = message("headcount.at_least", headcount=headcount, min=low)
    else:
        text = message("headcount.at_most", headcount=headcount, max=high)
    if low is not None and headcount < low:
        return Finding(NOT_MET, headcount, text,
                       gap=message("gap.headcount_min", headcount=headcount, min=low))
    if high is not None and headcount > high:
        return Finding(NOT_MET, headcount, text,
                       gap=message("gap.headcount_max", headcount=headcount, max=high))
    return Finding(MET, headcount, text)


def market_key(market):
    """Markets are compared without case or surrounding space."""
    return market.strip().casefold()


def _export_markets(company, wanted, today):
    held = company.get("export_markets")
    if held is None:
        return _undisclosed("export_markets")
    held, wanted = list(held), list(wanted)
    keys = {market_key(market) for market in wanted}
    common = [market for market in held if market_key(market) in keys]
    if common:
        return Finding(MET, held, message("markets.met", common=common, wanted=wanted))
    text = (message("markets.not_met", held=held, wanted=wanted) if held
            else message("markets.none", wanted=wanted))
    return Finding(NOT_MET, held, text, gap=message("gap.markets", wanted=wanted))


EVALUATORS = {
    "sectors": _sectors,
    "space": _space,
    "facilities": _facilities,
    "incentives": _incentives,
    "min_patents": _min_patents,
    "min_years_since_founding": _min_years_since_founding,
    "funding_or_market_validation": _funding_or_market_validation,
    "certification_any_of": _certification_any_of,
    "headcount": _headcount,
    "export_markets": _export_markets,
}

# Kinds whose value defaults to what the demand offers (its sectors, space,
# facilities, incentives), explained first (offer) or last (incentives).
OFFER_KINDS = ("sectors", "space", "facilities")
PREFERENCE_ONLY_KINDS = ("incentives",)


def criteria_of(demand):
    """Every criterion a demand sets, in the order they are explained: what
    it offers (sectors, space, facilities; required with weight 1 unless the
    demand's own criteria say otherwise), then its screening criteria, then
    the incentives a company may prefer (always a preference).

    A criterion of an offer kind without a value takes the demand's own
    field (`sectors`, `space_offered_m2`, `facilities`, `incentives`)."""
    given = {c["kind"]: c for c in demand.get("criteria") or []}
    offered = {"sectors": demand.get("sectors"), "space": demand.get("space_offered_m2"),
               "facilities": list(demand.get("facilities") or []),
               "incentives": list(demand.get("incentives") or [])}

    def criterion(kind, default_required):
        own = given.get(kind) or {}
        value = own.get("value")
        if value is None:
            value = offered[kind]
        required = bool(own.get("required", default_required)) and \
            kind not in PREFERENCE_ONLY_KINDS
        return {"kind": kind, "value": value, "required": required,
                "weight": float(own.get("weight", 1.0))}

    offer = [criterion(kind, True) for kind in OFFER_KINDS]
    offer = [c for c in offer if c["value"] is not None]  # a demand may offer no space
    screening = [{"kind": c["kind"], "value": c["value"], "required": bool(c.get("required", True)),
                  "weight": float(c.get("weight", 1.0))}
                 for c in demand.get("criteria") or []
                 if c["kind"] not in OFFER_KINDS + PREFERENCE_ONLY_KINDS]
    return offer + screening + [criterion("incentives", False)]


def _credit(finding):
    if finding.credit is not None:
        return float(finding.credit)
    return {MET: 1.0, NOT_MET: 0.0, UNKNOWN: UNKNOWN_CREDIT}[finding.outcome]


def assess_outcomes(company, demand, today):
    """(outcomes, gaps): one outcome per applicable criterion, with its
    message but no rendered text; gaps are (criterion, message) for every
    required criterion not met."""
    outcomes, gaps = [], []
    for criterion in criteria_of(demand):
        finding = EVALUATORS[criterion["kind"]](company, criterion["value"], today)
        if finding is None:
            continue
        outcomes.append({
            "criterion": criterion["kind"],
            "outcome": finding.outcome,
            "required": criterion["required"],
            "weight": criterion["weight"],
            "credit": _credit(finding),
            "company_value": finding.company_value,
            "demand_value": criterion["value"],
            "message": finding.message,
        })
        if criterion["required"] and finding.outcome != MET and finding.gap is not None:
            gaps.append({"criterion": criterion["kind"], "outcome": finding.outcome,
                         "message": finding.gap})
    return outcomes, gaps


def with_texts(outcome):
    texts = render_all(outcome["message"])
    return {**outcome, "explanation": texts["en"], "explanations": texts}


def outcomes_for(company, demand, today):
    return [with_texts(o) for o in assess_outcomes(company, demand, today)[0]]


# --- the score ----------------------------------------------------------------
# In whole hundredths (weights and credits), so that the numpy engine and this
# module compute the very same number.

def weight_units(weight):
    return round(float(weight) * 100)


def credit_units(outcome):
    credit = outcome.get("credit")
    if credit is None:
        credit = {MET: 1.0, NOT_MET: 0.0, UNKNOWN: UNKNOWN_CREDIT}[outcome["outcome"]]
    return round(float(credit) * 100)


def score_from_units(earned, total):
    """100 x earned / total to one decimal, half up: with earned = sum of
    weight x credit and total = sum of weight x 100, both in hundredths."""
    if not total:
        return 0.0
    return ((2000 * earned + total) // (2 * total)) / 10


def score(outcomes):
    """100 x (sum of weight x credit) / (sum of weight), to one decimal (half
    up, not Python's round-half-even). Credit: 1 met, 0 not met, 0.5 unknown;
    the sector criterion earns its affinity (1 exact, 0.8 child, 0.5 related)."""
    total = sum(weight_units(o["weight"]) * 100 for o in outcomes)
    earned = sum(weight_units(o["weight"]) * credit_units(o) for o in outcomes)
    return score_from_units(earned, total)


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


def _summary_message(state, outcomes, demand):
    title = demand["title"]
    if state != OPEN:
        return message("summary.not_open", title=title, state=state)
    required = [o for o in outcomes if o["required"]]
    unmet = _unmet_required(outcomes)
    if unmet:
        return message("summary.unmet", unmet_count=len(unmet), required_count=len(required),
                       title=title, unmet=[o["criterion"] for o in unmet])
    if not required:
        parts = [message("summary.no_requirements", title=title)]
    elif len(required) == 1:
        parts = [message("summary.meets_one", title=title)]
    else:
        parts = [message("summary.meets_all", required_count=len(required), title=title)]
    parts += [o["message"] for o in outcomes
              if o["criterion"] == "sectors" and o["outcome"] == MET]
    preferences = [o for o in outcomes if not o["required"]]
    if preferences:
        met = sum(1 for o in preferences if o["outcome"] == MET)
        parts.append(message("summary.preferences", met=met, total=len(preferences)))
    return message("clauses", parts=parts)


def _withdrawn_message(state, outcomes):
    if state != OPEN:
        return message("withdrawn.not_open", state=state)
    return message("withdrawn.unmet", items=[
        message("criterion.item", criterion=o["criterion"], explanation=o["message"])
        for o in _unmet_required(outcomes)])


def assess(company, demand, today):
    """The core of an evaluation, without any text: what the numpy engine
    computes too (outcomes, score, qualifies, near miss)."""
    outcomes, gaps = assess_outcomes(company, demand, today)
    state = demand_state(demand, today)
    unmet = _unmet_required(outcomes)
    qualifies = state == OPEN and not unmet
    near_miss = (state == OPEN and 1 <= len(unmet) <= NEAR_MISS_MAX_GAPS
                 and all(o["criterion"] != "sectors" for o in unmet))
    return {"outcomes": outcomes, "gaps": gaps, "state": state, "score": score(outcomes),
            "qualifies": qualifies, "near_miss": near_miss, "hard_unmet": len(unmet)}


def evaluate(company, demand, today, core=None):
    """The company against the demand: outcomes, score, whether it is a
    match (demand open and every required criterion met), whether it is a
    near miss, and the words in every language. `core`: what
    `assess(company, demand, today)` returned, if the caller has it."""
    if core is None:
        core = assess(company, demand, today)
    outcomes, state = core["outcomes"], core["state"]
    summary = _summary_message(state, outcomes, demand)
    summaries = render_all(summary)
    withdrawn = None if core["qualifies"] else _withdrawn_message(state, outcomes)
    withdrawn_texts = None if withdrawn is None else render_all(withdrawn)
    return {
        "match_id": match_id(company["company_id"], demand["demand_id"]),
        "company": match_company(company),
        "demand": match_demand(demand),
        "score": core["score"],
        "outcomes": [with_texts(o) for o in outcomes],
        "summary": summaries["en"],
        "summaries": summaries,
        "summary_message": summary,
        "qualifies": core["qualifies"],
        "near_miss": core["near_miss"],
        "gaps": core["gaps"],
        "withdrawn_reason": None if withdrawn is None else withdrawn_texts["en"],
        "withdrawn_reasons": withdrawn_texts,
        "withdrawn_message": withdrawn,
    }


# --- near misses -----------------------------------------------------------------

def near_miss_record(evaluation, now):
    """What is stored for a near miss: the evaluation and, per gap, what
    would close it. `recheck_on` is the day a gap closes by time alone (a
    company old enough then), when the calendar looks at it again."""
    eligible = [date.fromisoformat(g["message"]["params"]["eligible_on"])
                for g in evaluation["gaps"] if g["message"]["id"] == "gap.founding"]
    return {
        "company": evaluation["company"],
        "demand": evaluation["demand"],
        "score": evaluation["score"],
        "outcomes": evaluation["outcomes"],
        "gaps": [_gap_with_texts(gap) for gap in evaluation["gaps"]],
        "recheck_on": min(eligible).isoformat() if eligible else None,
        "updated_at": now,
    }


def _gap_with_texts(gap):
    texts = render_all(gap["message"])
    return {**gap, "text": texts["en"], "texts": texts}


def near_miss_material(record):
    """What makes a near miss different (texts and the time aside)."""
    return {"company": record["company"], "demand": record["demand"], "score": record["score"],
            "outcomes": [_material_outcome(o) for o in record["outcomes"]],
            "gaps": [{k: v for k, v in g.items() if k not in ("text", "texts")}
                     for g in record["gaps"]],
            "recheck_on": record["recheck_on"]}


def ranked_near_misses(records):
    """Fewest gaps first, then the best score, then by company id."""
    return sorted(records, key=lambda r: (len(r["gaps"]), -r["score"],
                                          r["company"]["company_id"]))


def localized_near_miss(record, lang):
    lang = language(lang)
    recheck = record.get("recheck_on")
    return {**record, "lang": lang,
            "recheck_on": date.fromisoformat(recheck) if recheck else None,
            "outcomes": [localized_outcome(o, lang) for o in record["outcomes"]],
            "gaps": [{**g, "text": render(g["message"], lang)} for g in record["gaps"]]}


def localized_outcome(outcome, lang):
    if outcome.get("message"):
        return {**outcome, "explanation": render(outcome["message"], lang)}
    return outcome


def localized_match(match, lang):
    """A stored match with its texts in `lang` (rendered from the stored
    message ids, so every language reads the same facts)."""
    lang = language(lang)
    shown = {**match, "lang": lang,
             "outcomes": [localized_outcome(o, lang) for o in match["outcomes"]]}
    if match.get("summary_message"):
        shown["summary"] = render(match["summary_message"], lang)
    if match.get("withdrawn_message") and match.get("status") == WITHDRAWN:
        shown["withdrawn_reason"] = render(match["withdrawn_message"], lang)
    return shown


# --- a match's life ----------------------------------------------------------

_TEXT_KEYS = ("explanation", "explanations", "message")


def _material_outcome(outcome):
    return {k: v for k, v in outcome.items() if k not in _TEXT_KEYS}


def _material(match):
    """What makes a match different for its readers. Explanations are left
    out: an age in words moves every day, and that alone is no news."""
    return {
        "company": match["company"],
        "demand": match["demand"],
        "score": match["score"],
        "outcomes": [_material_outcome(o) for o in match["outcomes"]],
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
        "summaries": evaluation["summaries"],
        "summary_message": evaluation["summary_message"],
        "withdrawn_reason": None if status == ACTIVE else evaluation["withdrawn_reason"],
        "withdrawn_reasons": None if status == ACTIVE else evaluation["withdrawn_reasons"],
        "withdrawn_message": None if status == ACTIVE else evaluation["withdrawn_message"],
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
