"""Allocation with capacities: which eligible companies get a demand's places
when more want it than it has (issue #3 §6).

Plain Python, no broker and no database. A round is a hospital–resident
game: companies are the residents, demands the hospitals, a demand's
`places` its capacity. Companies propose (deferred acceptance, Gale–Shapley
with capacities), so the result is the company-optimal stable matching: no
company and demand would both rather have each other than what they got,
and every company gets the best demand it can get in any stable matching.

Who ranks whom:

- a company ranks only the demands it is eligible for (an active match):
  first the ones it listed in its stated preferences, in its order; then the
  remaining eligible ones by match score, best first, ties by demand id;
- a demand ranks the eligible companies by match score, best first, ties by
  company id.

Both sides therefore list exactly the eligible pairs (mutual acceptability).
`solve` takes any lists and keeps only the pairs both sides list.

Every company that did not get a demand it ranked above what it got (for a
company without a place: every demand it ranked) gets a "why not" answer,
read off the stable result: that demand is full with companies it ranks
higher. Stability guarantees it; `why_not` checks it anyway.

Speed: ids become integers, each company's list carries, next to every
demand, the rank that demand gives the company (looked up once), and each
demand keeps its admitted companies in a heap keyed by rank, so a proposal
is O(log places) and the whole round O(pairs · log places).
"""
import heapq
from dataclasses import dataclass, field

from .. import messages

FULL = "full_with_higher_ranked"
# the why-not texts are templates in the one catalogue, messages.MESSAGES
WHY_NOT_MESSAGES = {FULL: "allocation.full_with_higher_ranked"}
LANGUAGES = messages.LANGUAGES


# --- the solver ------------------------------------------------------------------

def solve(company_prefs, demand_prefs, capacities):
    """Company-optimal stable matching.

    company_prefs: {company_id: [demand_id, ...]} best first;
    demand_prefs: {demand_id: [company_id, ...]} best first;
    capacities: {demand_id: places (>= 1)}.
    A pair counts only if both sides list it. Returns
    {demand_id: [company_id, ...]} for every demand in `demand_prefs`, each
    list in the demand's order (best first).
    """
    demand_ids = list(demand_prefs)
    demand_index = {d: i for i, d in enumerate(demand_ids)}
    company_ids = list(company_prefs)
    company_index = {c: i for i, c in enumerate(company_ids)}

    # order[d][r]: the company at rank r of demand d; rank_of[d]: its inverse
    order = []
    rank_of = []
    for d in demand_ids:
        listed = [company_index[c] for c in demand_prefs[d] if c in company_index]
        order.append(listed)
        rank_of.append({c: r for r, c in enumerate(listed)})

    # each company's acceptable demands, with the rank each gives it
    lists = []
    for c in company_ids:
        i = company_index[c]
        demands, ranks = [], []
        for d in company_prefs[c]:
            j = demand_index.get(d)
            if j is None:
                continue
            r = rank_of[j].get(i)
            if r is not None:
                demands.append(j)
                ranks.append(r)
        lists.append((demands, ranks))

    held = _deferred_acceptance(lists, [capacities[d] for d in demand_ids], order)
    return {demand_ids[j]: [company_ids[order[j][-key]] for key in sorted(heap, reverse=True)]
            for j, heap in enumerate(held)}


def _deferred_acceptance(lists, capacity, order):
    """lists[c] = (demand indexes best first, the rank each gives c);
    returns per demand a heap of -rank of its admitted companies (the worst
    admitted on top)."""
    held = [[] for _ in capacity]
    next_choice = [0] * len(lists)
    free = list(range(len(lists) - 1, -1, -1))
    push, replace = heapq.heappush, heapq.heapreplace
    while free:
        c = free.pop()
        demands, ranks = lists[c]
        i, end = next_choice[c], len(demands)
        while i < end:
            j, r = demands[i], ranks[i]
            i += 1
            heap = held[j]
            if len(heap) < capacity[j]:
                push(heap, -r)
                break
            if -heap[0] > r:  # the worst admitted ranks below c: c takes its place
                loser = order[j][-replace(heap, -r)]
                free.append(loser)
                break
        next_choice[c] = i
    return held


# --- a round from matches --------------------------------------------------------

@dataclass
class Allocation:
    """The outcome of one round.

    assignments: {demand_id: [company_id, ...]} best-ranked first;
    placed: {company_id: demand_id or None};
    company_rankings / demand_rankings: the lists the round used;
    why_not: {company_id: [answer, ...]} for every demand a company ranked
    above the one it got (all it ranked if it got none).
    """
    assignments: dict
    placed: dict
    company_rankings: dict
    demand_rankings: dict
    why_not: dict = field(default_factory=dict)

    @property
    def unplaced(self):
        return sorted(c for c, d in self.placed.items() if d is None)


def company_rankings(scores, stated=None):
    """scores: {company_id: {demand_id: score}} (its eligible demands);
    stated: {company_id: [demand_id, ...]} (its own order; ids that are not
    eligible are ignored). Stated ones first, the rest by score desc, ties
    by demand id."""
    stated = stated or {}
    rankings = {}
    for company_id, eligible in scores.items():
        first = []
        seen = set()
        for demand_id in stated.get(company_id) or ():
            if demand_id in eligible and demand_id not in seen:
                first.append(demand_id)
                seen.add(demand_id)
        rest = sorted((d for d in eligible if d not in seen), key=lambda d: (-eligible[d], d))
        rankings[company_id] = first + rest
    return rankings


def demand_rankings(scores):
    """Each demand's eligible companies by score desc, ties by company id."""
    by_demand = {}
    for company_id, eligible in scores.items():
        for demand_id, score in eligible.items():
            by_demand.setdefault(demand_id, []).append((-score, company_id))
    return {demand_id: [c for _, c in sorted(pairs)] for demand_id, pairs in by_demand.items()}


def scores_from_matches(matches):
    """[(company_id, demand_id, score)] -> {company_id: {demand_id: score}}."""
    scores = {}
    for company_id, demand_id, score in matches:
        scores.setdefault(company_id, {})[demand_id] = score
    return scores


def allocate(scores, places, stated=None):
    """Run a round.

    scores: {company_id: {demand_id: score}} for every eligible pair (the
    active matches); places: {demand_id: places} (every demand in `scores`);
    stated: {company_id: [demand_id, ...]} companies' stated preferences.
    """
    companies = company_rankings(scores, stated)
    demands = demand_rankings(scores)
    assignments = solve(companies, demands, {d: places[d] for d in demands})
    placed = dict.fromkeys(companies)
    for demand_id, admitted in assignments.items():
        for company_id in admitted:
            placed[company_id] = demand_id
    allocation = Allocation(assignments, placed, companies, demands)
    allocation.why_not = why_not(allocation, scores, places)
    return allocation


def why_not(allocation, scores, places):
    """{company_id: [answer, ...]}: for each demand a company ranked above
    the one it got, why it did not get it. Raises if the result is not
    stable (an answer would be false)."""
    # a demand's admitted companies with their ranks and scores, built once
    admitted_of = {}
    for demand_id, admitted in allocation.assignments.items():
        admitted_of[demand_id] = [{"company_id": c, "score": scores[c][demand_id]}
                                  for c in admitted]
    position = {}  # (demand, company) -> 1-based rank, only where needed

    def rank(demand_id, company_id):
        key = demand_id
        if key not in position:
            position[key] = {c: r for r, c in enumerate(allocation.demand_rankings[demand_id], 1)}
        return position[key][company_id]

    answers = {}
    for company_id, ranking in allocation.company_rankings.items():
        got = allocation.placed[company_id]
        entries = []
        for demand_id in ranking:
            if demand_id == got:
                break
            admitted = admitted_of[demand_id]
            own_rank = rank(demand_id, company_id)
            if len(admitted) < places[demand_id] or \
                    rank(demand_id, admitted[-1]["company_id"]) > own_rank:
                raise AssertionError(f"not stable: {company_id} and {demand_id} block")
            entries.append({
                "demand_id": demand_id,
                "reason": FULL,
                "places": places[demand_id],
                "admitted_ranked_higher": admitted,
                "lowest_admitted_score": admitted[-1]["score"],
                "score": scores[company_id][demand_id],
                "rank": own_rank,
            })
        if entries:
            answers[company_id] = entries
    return answers


# --- words -------------------------------------------------------------------------

def why_not_message(answer, demand):
    """One answer as a catalogue message (id and parameters). demand:
    {"title", "park_names"} (what the round stored about it)."""
    return messages.message(
        WHY_NOT_MESSAGES[answer["reason"]],
        park=demand.get("park_names") or {}, title=demand.get("title"),
        admitted=len(answer["admitted_ranked_higher"]),
        lowest=answer["lowest_admitted_score"], score=answer["score"])


def why_not_text(answer, demand, lang="en"):
    """One answer in words, in `lang` (en, ko, zh; anything else is en)."""
    return messages.render(why_not_message(answer, demand), lang)
