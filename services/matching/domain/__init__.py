"""Matching rules on plain data, one module per subdomain:

- snapshots:    which company or demand snapshot is newer; a demand's state on a day
- calendar:     whole calendar months and a company's age in years
- criteria:     how a company fares on each criterion of a demand (`EVALUATORS`),
                the criteria a demand sets, an outcome's texts
- scoring:      the score, in whole hundredths like the numpy engine
- evaluation:   one evaluation: outcomes, score, match or near miss, summaries
- near_misses:  what is stored for a near miss, how near misses are listed and shown
- matches:      a match's life: its id, found/updated/withdrawn, its event payload,
                how matches are listed, who may see one, its texts in a language

No broker, no database: snapshots come in as the contracts load them (dates
as `date`), and everything that goes out is JSON-ready. The names below are
the public face of the package: callers write `domain.evaluate(...)` without
knowing the module."""
# ruff: noqa: F401  (re-exports)
from .calendar import add_months, required_months, years_elapsed
from .criteria import (
    EVALUATORS,
    MET,
    NOT_MET,
    OFFER_KINDS,
    PREFERENCE_ONLY_KINDS,
    UNKNOWN,
    UNKNOWN_CREDIT,
    Finding,
    assess_outcomes,
    criteria_of,
    localized_outcome,
    market_key,
    material_outcome,
    outcomes_for,
    with_texts,
)
from .evaluation import NEAR_MISS_MAX_GAPS, assess, evaluate, match_company, match_demand
from .matches import (
    ACTIVE,
    WITHDRAWN,
    event_payload,
    localized_match,
    match_id,
    may_see_match,
    next_match,
    ranked,
)
from .near_misses import (
    localized_near_miss,
    near_miss_material,
    near_miss_record,
    ranked_near_misses,
)
from .scoring import credit_units, score, score_from_units, weight_units
from .snapshots import OPEN, demand_state, is_newer
