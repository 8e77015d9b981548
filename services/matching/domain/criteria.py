"""How a company fares on each criterion of a demand.

Criteria are table-driven: `EVALUATORS` maps a criterion kind to a function
`(company, value, today) -> Finding | None` (None: does not apply to this
company). A new kind needs one function and one entry.

An outcome is one applicable criterion's result (`assess_outcomes`); the
helpers at the end give it its texts, in every language or in one, or strip
them to what makes it different."""
from typing import NamedTuple

from services.contracts import taxonomy

from ..messages import message, render, render_all
from .calendar import add_months, required_months, years_elapsed

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"

# The share of a criterion's weight an outcome earns. An unknown value earns
# half: it never passes a hard criterion, and as a preference it is neither
# rewarded like a met one nor punished like a missed one (README, "How a
# match is scored").
UNKNOWN_CREDIT = 0.5


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


def localized_outcome(outcome, lang):
    if outcome.get("message"):
        return {**outcome, "explanation": render(outcome["message"], lang)}
    return outcome


_TEXT_KEYS = ("explanation", "explanations", "message")


def material_outcome(outcome):
    """The outcome without its texts: what makes it different."""
    return {k: v for k, v in outcome.items() if k not in _TEXT_KEYS}
