"""Allocation use cases (issue #3 §6): companies state which of their matched
demands they want most; the operator runs allocation rounds over the active
matches; everyone reads the part of a round that concerns them.

The rules live in `allocation/domain.py`; this module reads and stores, one unit of
work each.
"""
import uuid
from datetime import datetime

from services.contracts.actors import (
    is_actor,
    is_operator,
    require_authenticated,
    require_operator,
    require_owner_or_operator,
)
from services.contracts.errors import Forbidden, InvalidInput, NotFound
from services.platform import clock, pages
from services.platform.validation import load_input

from .. import domain, messages, storage
from ..schemas import CompanyMatchesQuery
from . import domain as allocation
from .schemas import (
    AllocationRoundIn,
    AllocationRoundOut,
    AllocationRoundSummary,
    DemandPreferencesIn,
    DemandPreferencesOut,
    LangQuery,
    ParkRoundsQuery,
    RoundQuery,
)


def _flat(details, prefix=""):
    """marshmallow's nested errors ({"demand_ids": {2: [...]}}) as dotted
    field names ({"demand_ids.2": [...]})."""
    flat = {}
    for key, value in details.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(_flat(value, name))
        else:
            flat[name] = value
    return flat


def _load(schema, data):
    try:
        return load_input(schema, data)
    except InvalidInput as exc:
        raise InvalidInput(_flat(exc.details)) from None


def _company_id_valid(company_id):
    load_input(CompanyMatchesQuery(), {"company_id": company_id})


# --- a company's stated preferences -------------------------------------------------------

def set_demand_preferences(db, actor, company_id, body):
    """Replace the company's order of preference among the demands it is
    matched with. Each id must be an active match of the company, once."""
    _company_id_valid(company_id)
    require_owner_or_operator(actor, "company", company_id, "this company's demand preferences")
    demand_ids = _load(DemandPreferencesIn(), body)["demand_ids"]

    def work(uow):
        conn = uow.connection
        if storage.get_company(conn, company_id) is None:
            raise NotFound(f"no company {company_id} known to matching")
        active = storage.active_demand_ids_of_company(conn, company_id)
        problems, seen = {}, set()
        for n, demand_id in enumerate(demand_ids):
            if demand_id in seen:
                problems[f"demand_ids.{n}"] = [f"{demand_id} is listed twice"]
            elif demand_id not in active:
                problems[f"demand_ids.{n}"] = [
                    f"the company has no active match with demand {demand_id}"]
            seen.add(demand_id)
        if problems:
            raise InvalidInput(problems)
        storage.save_demand_preferences(conn, company_id, demand_ids, clock.now())
        return storage.get_demand_preferences(conn, company_id)

    return DemandPreferencesOut().dump({"company_id": company_id, **db.run(work)})


def get_demand_preferences(db, actor, company_id):
    _company_id_valid(company_id)
    require_owner_or_operator(actor, "company", company_id, "this company's demand preferences")

    def work(uow):
        if storage.get_company(uow.connection, company_id) is None:
            raise NotFound(f"no company {company_id} known to matching")
        return storage.get_demand_preferences(uow.connection, company_id) or \
            {"demand_ids": [], "updated_at": None}

    return DemandPreferencesOut().dump({"company_id": company_id, **db.run(work)})


# --- rounds ------------------------------------------------------------------------------------

def _demands_in_scope(conn, scope, today):
    """{demand_id: snapshot} of the open demands the round covers, and the
    active (company, demand, score) pairs among them."""
    if "demand_ids" in scope:
        wanted = list(dict.fromkeys(scope["demand_ids"]))
        known = {d["demand_id"]: d for d in storage.demands_by_id(conn, wanted)}
        problems = {}
        for n, demand_id in enumerate(scope["demand_ids"]):
            if demand_id not in known:
                problems[f"demand_ids.{n}"] = [f"no demand {demand_id} known to matching"]
            elif (state := domain.demand_state(known[demand_id], today)) != domain.OPEN:
                problems[f"demand_ids.{n}"] = [
                    f"demand {demand_id} is not open ({messages.render_state(state)})"]
        if problems:
            raise InvalidInput(problems)
        return known, storage.active_pairs(conn, list(known))
    if "park_id" in scope:
        ids = storage.demand_ids_of_park(conn, scope["park_id"])
        if not ids:
            raise InvalidInput({"park_id": [
                f"no demand of park {scope['park_id']} is known to matching"]})
        known = {d["demand_id"]: d for d in storage.demands_by_id(conn, ids)
                 if domain.demand_state(d, today) == domain.OPEN}
        return known, storage.active_pairs(conn, list(known))
    pairs = storage.active_pairs(conn)
    known = {d["demand_id"]: d for d in storage.demands_by_id(conn, {p[1] for p in pairs})
             if domain.demand_state(d, today) == domain.OPEN}
    return known, [p for p in pairs if p[1] in known]


def _round_record(scope, demands, result, scores, stated, names, now):
    ranks = {d: {c: r for r, c in enumerate(listed, 1)}
             for d, listed in result.demand_rankings.items()}
    round_demands = []
    for demand_id in sorted(demands):
        demand = demands[demand_id]
        admitted = result.assignments.get(demand_id, [])
        round_demands.append({
            "demand_id": demand_id, "title": demand["title"],
            "park_id": demand["park"]["park_id"], "park_names": demand["park"]["names"],
            "places": demand["places"],
            "candidates": len(result.demand_rankings.get(demand_id, [])),
            "admitted": [{"company_id": c, "score": scores[c][demand_id],
                          "rank": ranks[demand_id][c]} for c in admitted],
        })
    companies = []
    for company_id in sorted(result.company_rankings):
        ranking = result.company_rankings[company_id]
        got = result.placed[company_id]
        companies.append({
            "company_id": company_id, "names": names.get(company_id) or {},
            "demand_id": got, "choice": None if got is None else ranking.index(got) + 1,
            "ranking": ranking,
            "stated_preferences": bool(set(stated.get(company_id) or ()) & set(ranking)),
            "why_not": result.why_not.get(company_id, []),
        })
    return {
        "round_id": str(uuid.uuid4()),
        "created_at": now,
        "scope": {"demand_ids": scope.get("demand_ids"), "park_id": scope.get("park_id")},
        "summary": {"demands": len(round_demands), "companies": len(companies),
                    "places": sum(d["places"] for d in round_demands),
                    "placed": sum(len(d["admitted"]) for d in round_demands),
                    "unplaced": len(result.unplaced)},
        "demands": round_demands,
        "companies": companies,
        "unplaced": result.unplaced,
    }


def run_allocation_round(db, actor, body, lang="en"):
    """Allocate the places of the open demands in scope (body: nothing for
    every open demand with active matches, {"demand_ids": [...]} or
    {"park_id": ...}) among their eligible companies, and store the round."""
    require_operator(actor, "allocation rounds")
    scope = _load(AllocationRoundIn(), body if body is not None else {})
    lang = _load(LangQuery(), {"lang": lang or "en"})["lang"]
    today, now = clock.today(), clock.now()

    def work(uow):
        conn = uow.connection
        demands, pairs = _demands_in_scope(conn, scope, today)
        scores = allocation.scores_from_matches(pairs)
        stated = storage.all_demand_preferences(conn)
        names = {c["company_id"]: c["names"] for c in storage.companies_by_id(conn, scores)}
        result = allocation.allocate(scores, {d: demands[d]["places"] for d in demands}, stated)
        record = _round_record(scope, demands, result, scores, stated, names, now)
        storage.insert_allocation_round(conn, record)
        return record

    return AllocationRoundOut().dump(view_of(db.run(work), actor, lang))


def get_allocation_round(db, actor, round_id, lang="en"):
    query = _load(RoundQuery(), {"round_id": round_id, "lang": lang or "en"})
    require_authenticated(actor)
    if actor.get("kind") not in ("operator", "park", "company"):
        raise Forbidden("only the operator, parks and companies may read allocation rounds")
    record = db.run(lambda uow: storage.get_allocation_round(uow.connection, round_id))
    if record is None:
        raise NotFound(f"no allocation round {round_id}")
    return AllocationRoundOut().dump(view_of(record, actor, query["lang"]))


def list_allocation_rounds(db, actor, limit=None, cursor=None):
    """A page of the rounds, newest first (operator only)."""
    page = pages.request("allocation_rounds", limit, cursor, (datetime, str))
    require_operator(actor, "the list of allocation rounds")
    rows = db.run(lambda uow: storage.allocation_rounds_page(uow.connection, page.after,
                                                             page.fetch))
    return page.page(rows, lambda row: (row["created_at"], row["round_id"]),
                     AllocationRoundSummary(many=True).dump)


def list_park_allocation_rounds(db, actor, park_id, limit=None, cursor=None):
    """A page of the rounds with a demand of the park, newest first (the park
    itself or the operator); each round is read whole with get_allocation_round."""
    _load(ParkRoundsQuery(), {"park_id": park_id})
    page = pages.request(f"allocation_rounds/park/{park_id}", limit, cursor, (datetime, str))
    require_owner_or_operator(actor, "park", park_id, "this park's allocation rounds")
    rows = db.run(lambda uow: storage.park_allocation_rounds_page(
        uow.connection, park_id, page.after, page.fetch))
    return page.page(rows, lambda row: (row["created_at"], row["round_id"]),
                     AllocationRoundSummary(many=True).dump)


# --- who sees what ---------------------------------------------------------------------------

def _with_texts(answers, demands, lang, keep=lambda demand_id: True, redact=False):
    shown = []
    for answer in answers:
        if not keep(answer["demand_id"]):
            continue
        entry = dict(answer, text=allocation.why_not_text(answer, demands[answer["demand_id"]],
                                                          lang))
        if redact:
            entry["admitted_ranked_higher"] = [{"score": a["score"]}
                                               for a in answer["admitted_ranked_higher"]]
        shown.append(entry)
    return shown


def view_of(record, actor, lang="en"):
    """The operator sees the whole round. A park sees its demands, their
    candidates (with where each was placed only if at this park) and why
    each candidate it turned away did not get its place. A company sees its
    own outcome and the demands it ranked, without other companies' ids."""
    demands = {d["demand_id"]: d for d in record["demands"]}
    head = {key: record[key] for key in ("round_id", "created_at", "scope", "summary")}
    if is_operator(actor):
        return {**head, "view": "operator", "demands": record["demands"],
                "companies": [dict(c, why_not=_with_texts(c["why_not"], demands, lang))
                              for c in record["companies"]],
                "unplaced": record["unplaced"]}
    if actor.get("kind") == "park":
        own = {d for d, demand in demands.items() if is_actor(actor, "park", demand["park_id"])}
        candidates = [c for c in record["companies"] if own & set(c["ranking"])]
        return {**head, "view": "park",
                "demands": [demands[d] for d in sorted(own)],
                "companies": [{
                    "company_id": c["company_id"], "names": c["names"],
                    "demand_id": c["demand_id"] if c["demand_id"] in own else None,
                    "why_not": _with_texts(c["why_not"], demands, lang, keep=own.__contains__),
                } for c in candidates],
                "unplaced": [c["company_id"] for c in candidates if c["demand_id"] is None]}
    mine = [c for c in record["companies"] if is_actor(actor, "company", c["company_id"])]
    ranked = set(mine[0]["ranking"]) if mine else set()
    return {**head, "view": "company",
            "demands": [dict(d, admitted=[{"score": a["score"], "rank": a["rank"]}
                                          for a in d["admitted"]])
                        for d in record["demands"] if d["demand_id"] in ranked],
            "companies": [dict(c, why_not=_with_texts(c["why_not"], demands, lang, redact=True))
                          for c in mine],
            "unplaced": [c["company_id"] for c in mine if c["demand_id"] is None]}
