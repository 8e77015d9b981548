"""What happens in matching. Each function is one unit of work (or, for the
calendar job, one per demand): snapshots are stored, pairs evaluated, matches
stored and their events emitted together.

Evaluations run SERIALIZABLE (PostgreSQL; SQLite takes the write lock up
front): a company and a demand arriving at the same moment in two processes
each read the other's table, so one of them is retried and sees the other.
"""
import logging
import threading
from contextlib import contextmanager

from services.contracts.actors import require_authenticated, require_owner_or_operator
from services.contracts.errors import Forbidden, NotFound
from services.platform import clock, pages
from services.platform.validation import load_input

from . import config, domain, engine, storage  # config: the default limit only
from .config import COMPANY_CONSUMER, DEMAND_CONSUMER
from .schemas import (
    CompanyMatchesQuery,
    CompanyNearMissesQuery,
    DemandMatchesQuery,
    DemandNearMissesQuery,
    MatchOut,
    MatchQuery,
    NearMissOut,
)

log = logging.getLogger(__name__)

# Serialisation failures are expected when many snapshots arrive at once;
# retrying in place is cheaper than a trip through the retry queues.
EVALUATION_ATTEMPTS = 30


def _now():
    return clock.now()


class _EvaluationSlots:
    """At most `limit` evaluations at once in this process (green threads
    under eventlet: threading is monkey-patched). Re-entrant per thread, so an
    evaluation that starts another (tests do) cannot wait for itself. The
    service's entrypoint sets the limit from its settings when its container
    starts (`configure`)."""

    def __init__(self, limit=config.DEFAULT_EVALUATIONS):
        self.limit = limit
        self._semaphore = None
        self._held = threading.local()

    def configure(self, limit):
        if self._semaphore is not None and limit != self.limit:
            raise RuntimeError("the evaluation limit is fixed once evaluations have started")
        self.limit = limit

    @contextmanager
    def __call__(self):
        if getattr(self._held, "depth", 0):
            self._held.depth += 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        if self._semaphore is None:
            self._semaphore = threading.BoundedSemaphore(self.limit)
        with self._semaphore:
            self._held.depth = 1
            try:
                yield
            finally:
                self._held.depth = 0


evaluation_slot = _EvaluationSlots()


def _settle(uow, company, demand, existing, near_miss, today, now):
    """Evaluate one pair; store and announce whatever changed about its
    match, and keep its near miss (never announced) current."""
    core = None
    if existing is None and near_miss is None:
        core = domain.assess(company, demand, today)  # no words for a pair that is neither
        if not (core["qualifies"] or core["near_miss"]):
            return None
    evaluation = domain.evaluate(company, demand, today, core)
    _keep_near_miss(uow.connection, evaluation, near_miss, now)
    change = domain.next_match(existing, evaluation, now)
    if change is None:
        return None
    match, event_type = change
    if existing is None:
        storage.insert_match(uow.connection, match)
    else:
        storage.save_match(uow.connection, match)
    uow.emit(event_type, domain.event_payload(match))
    return event_type


def _keep_near_miss(conn, evaluation, stored, now):
    company_id = evaluation["company"]["company_id"]
    demand_id = evaluation["demand"]["demand_id"]
    if not evaluation["near_miss"]:
        if stored is not None:
            storage.delete_near_miss(conn, company_id, demand_id)
        return
    record = domain.near_miss_record(evaluation, now)
    if stored is None:
        storage.insert_near_miss(conn, record)
    elif domain.near_miss_material(stored) != domain.near_miss_material(record):
        storage.save_near_miss(conn, record)


def _evaluate_demand(uow, demand, today, now):
    """The demand against every company; a demand that is not open only
    needs its existing matches withdrawn and near misses dropped. The numpy
    engine picks the companies worth explaining (matches, near misses);
    pairs with a stored match or near miss are always evaluated."""
    conn = uow.connection
    existing = {m["company"]["company_id"]: m
                for m in storage.matches_of_demand(conn, demand["demand_id"])}
    missed = {n["company"]["company_id"]: n
              for n in storage.near_misses_of_demand(conn, demand["demand_id"])}
    if domain.demand_state(demand, today) == domain.OPEN:
        everyone = storage.all_companies(conn)
        index = engine.DemandIndex([demand])
        result = index.evaluate(index.encode(everyone), today, scores="none")
        keep = (result["qualifies"] | result["near_miss"])[:, 0]
        companies = [c for c, kept in zip(everyone, keep, strict=True)
                     if kept or c["company_id"] in existing or c["company_id"] in missed]
    else:
        companies = storage.companies_by_id(conn, set(existing) | set(missed))
    emitted = [_settle(uow, company, demand, existing.get(company["company_id"]),
                       missed.get(company["company_id"]), today, now)
               for company in companies]
    return [event_type for event_type in emitted if event_type]


# One numpy index of every demand per database, per process. It is used only
# when it holds exactly what the transaction sees: demands are never deleted
# and a stored change always raises a version, so (count, sum of versions)
# read in the transaction tells whether the cache is current (and, on
# PostgreSQL, that read makes concurrent demand writes conflict, as before).
_DEMAND_INDEXES = {}


def _demand_index(conn):
    key = str(conn.engine.url)
    fingerprint = storage.demands_fingerprint(conn)
    cached = _DEMAND_INDEXES.get(key)
    if cached is None or cached[0] != fingerprint:
        cached = (fingerprint, engine.DemandIndex(storage.all_demands(conn)))
        _DEMAND_INDEXES[key] = cached
    return cached[1]


def _evaluate_company(uow, company, today, now):
    conn = uow.connection
    company_id = company["company_id"]
    existing = {m["demand"]["demand_id"]: m for m in storage.matches_of_company(conn, company_id)}
    missed = {n["demand"]["demand_id"]: n
              for n in storage.near_misses_of_company(conn, company_id)}
    index = _demand_index(conn)
    wanted = {index.ids[position] for position in index.candidates(company, today)}
    emitted = [_settle(uow, company, demand, existing.get(demand["demand_id"]),
                       missed.get(demand["demand_id"]), today, now)
               for demand in storage.demands_by_id(conn, wanted | set(existing) | set(missed))]
    return [event_type for event_type in emitted if event_type]


# --- events --------------------------------------------------------------------

def company_changed(db, event, today=None):
    """company.registered / company.updated: keep the snapshot, evaluate the
    company against every open demand (and the demands it matched before)."""
    snapshot, today = event.payload, today or clock.today()

    def work(uow):
        conn, now = uow.connection, _now()
        stored = storage.get_company(conn, snapshot["company_id"])
        if not domain.is_newer(snapshot, stored):
            return []
        storage.save_company(conn, snapshot, now, is_new=stored is None)
        return _evaluate_company(uow, snapshot, today, now)

    with evaluation_slot():
        return db.handle(COMPANY_CONSUMER, event, work, serializable=True,
                         attempts=EVALUATION_ATTEMPTS)


def demand_changed(db, event, today=None):
    """park_demand.published / park_demand.updated: keep the snapshot and
    evaluate the demand against every company."""
    snapshot, today = event.payload, today or clock.today()

    def work(uow):
        conn, now = uow.connection, _now()
        stored = storage.get_demand(conn, snapshot["demand_id"])
        if not domain.is_newer(snapshot, stored):
            return []
        storage.save_demand(conn, snapshot, today, now, is_new=stored is None)
        return _evaluate_demand(uow, snapshot, today, now)

    with evaluation_slot():
        return db.handle(DEMAND_CONSUMER, event, work, serializable=True,
                         attempts=EVALUATION_ATTEMPTS)


# --- the calendar --------------------------------------------------------------

def follow_calendar(db, today=None):
    """Withdraw the matches of demands whose window has closed (and match
    demands whose window has opened), and evaluate again the near misses a
    day's passing may close (a company old enough now). One unit of work per
    demand or pair, so one failure does not hold up the others; the next run
    tries it again."""
    today = today or clock.today()
    emitted = []
    for demand_id in db.run(lambda uow: storage.demands_due_on(uow.connection, today)):
        def work(uow, demand_id=demand_id):
            demand = storage.get_demand(uow.connection, demand_id)
            storage.mark_demand_evaluated(uow.connection, demand_id, today)
            return _evaluate_demand(uow, demand, today, _now())
        try:
            with evaluation_slot():
                emitted += db.run(work, serializable=True, attempts=EVALUATION_ATTEMPTS)
        except Exception:  # logged; the next tick retries this demand
            log.exception("matching: could not re-evaluate demand %s", demand_id)
    for company_id, demand_id in db.run(
            lambda uow: storage.near_misses_due_on(uow.connection, today)):
        def recheck(uow, company_id=company_id, demand_id=demand_id):
            conn = uow.connection
            return [_settle(uow, storage.get_company(conn, company_id),
                            storage.get_demand(conn, demand_id),
                            storage.get_match(conn, domain.match_id(company_id, demand_id)),
                            storage.get_near_miss(conn, company_id, demand_id), today, _now())]
        try:
            with evaluation_slot():
                emitted += [e for e in db.run(recheck, serializable=True,
                                              attempts=EVALUATION_ATTEMPTS) if e]
        except Exception:  # logged; the next tick retries this pair
            log.exception("matching: could not re-evaluate near miss %s/%s", company_id,
                          demand_id)
    return emitted


# --- queries ---------------------------------------------------------------------

MATCH_POSITION = (str, float, str)   # storage.MATCH_ORDER: status, score, match id


def _match_position(match):
    return match["status"], match["score"], match["match_id"]


def list_company_matches(db, actor, company_id, include_withdrawn=False, lang="en",
                         limit=None, cursor=None):
    """A page of the company's matches, best first (domain.ranked's order)."""
    query = load_input(CompanyMatchesQuery(), {"company_id": company_id, "lang": lang,
                                               "include_withdrawn": include_withdrawn})
    page = pages.request(f"company_matches/{company_id}", limit, cursor, MATCH_POSITION)
    require_owner_or_operator(actor, "company", company_id, "this company's matches")

    def work(uow):
        if storage.get_company(uow.connection, company_id) is None:
            raise NotFound(f"no company {company_id} known to matching")
        return storage.company_matches_page(uow.connection, company_id,
                                            query["include_withdrawn"], page.after, page.fetch)

    return page.page(db.run(work), _match_position,
                     lambda shown: _matches_out(shown, query["lang"]))


def list_demand_matches(db, actor, demand_id, include_withdrawn=False, lang="en",
                        limit=None, cursor=None):
    """A page of the demand's ranked candidates, best first."""
    query = load_input(DemandMatchesQuery(), {"demand_id": demand_id, "lang": lang,
                                              "include_withdrawn": include_withdrawn})
    page = pages.request(f"demand_matches/{demand_id}", limit, cursor, MATCH_POSITION)
    require_authenticated(actor)

    def work(uow):
        _demand_of_park(uow.connection, actor, demand_id, "this demand's matches")
        return storage.demand_matches_page(uow.connection, demand_id,
                                           query["include_withdrawn"], page.after, page.fetch)

    return page.page(db.run(work), _match_position,
                     lambda shown: _matches_out(shown, query["lang"]))


def list_demand_near_misses(db, actor, demand_id, lang="en", limit=None, cursor=None):
    """A page of the companies that fail one or two hard criteria of the
    demand, fewest gaps first (domain.ranked_near_misses' order), with what
    would close each gap (the demand's park or the operator)."""
    query = load_input(DemandNearMissesQuery(), {"demand_id": demand_id, "lang": lang})
    page = pages.request(f"near_misses/{demand_id}", limit, cursor, (int, float, str))
    require_authenticated(actor)

    def work(uow):
        demand = _demand_of_park(uow.connection, actor, demand_id, "this demand's near misses")
        if domain.demand_state(demand, clock.today()) != domain.OPEN:
            return []
        return storage.demand_near_misses_page(uow.connection, demand_id, page.after, page.fetch)

    return page.page(db.run(work), lambda r: (len(r["gaps"]), r["score"],
                                              r["company"]["company_id"]),
                     lambda records: _near_misses_out(records, query["lang"]))


def list_company_near_misses(db, actor, company_id, lang="en", limit=None, cursor=None):
    """A page of the open demands the company fails by one or two hard
    criteria, fewest gaps first, then the best score, with what would close
    each gap (the company itself or the operator)."""
    query = load_input(CompanyNearMissesQuery(), {"company_id": company_id, "lang": lang})
    page = pages.request(f"company_near_misses/{company_id}", limit, cursor, (int, float, str))
    require_owner_or_operator(actor, "company", company_id, "this company's near misses")

    def work(uow):
        if storage.get_company(uow.connection, company_id) is None:
            raise NotFound(f"no company {company_id} known to matching")
        return storage.company_near_misses_page(uow.connection, company_id, clock.today(),
                                                page.after, page.fetch)

    return page.page(db.run(work), lambda r: (len(r["gaps"]), r["score"],
                                              r["demand"]["demand_id"]),
                     lambda records: _near_misses_out(records, query["lang"]))


def _near_misses_out(records, lang):
    return NearMissOut(many=True).dump([domain.localized_near_miss(r, lang) for r in records])


def _demand_of_park(conn, actor, demand_id, what):
    demand = storage.get_demand(conn, demand_id)
    if demand is None:
        raise NotFound(f"no demand {demand_id} known to matching")
    require_owner_or_operator(actor, "park", demand["park"]["park_id"], what)
    return demand


def get_match(db, actor, match_id, lang="en"):
    query = load_input(MatchQuery(), {"match_id": match_id, "lang": lang})
    require_authenticated(actor)
    match = db.run(lambda uow: storage.get_match(uow.connection, match_id))
    if match is None:
        raise NotFound(f"no match {match_id}")
    if not domain.may_see_match(actor, match):
        raise Forbidden("only the matched company, its park, partners or the operator "
                        "may see this match")
    return MatchOut().dump(domain.localized_match(match, query["lang"]))


def _matches_out(matches, lang):
    return MatchOut(many=True).dump([domain.localized_match(m, lang) for m in matches])
