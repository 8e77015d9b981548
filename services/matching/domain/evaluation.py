"""One evaluation: the company against the demand, its outcomes, score,
whether it is a match or a near miss, and its summary in every language."""
from ..messages import message, render_all
from .criteria import MET, assess_outcomes, with_texts
from .matches import match_id
from .scoring import score
from .snapshots import OPEN, demand_state

# A near miss fails at most this many hard criteria (never the sector).
NEAR_MISS_MAX_GAPS = 2


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
