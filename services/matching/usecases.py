"""What happens in matching. Each function is one unit of work (or, for the
calendar job, one per demand): snapshots are stored, pairs evaluated, matches
stored and their events emitted together.

Evaluations run SERIALIZABLE (PostgreSQL; SQLite takes the write lock up
front): a company and a demand arriving at the same moment in two processes
each read the other's table, so one of them is retried and sees the other.
"""
import logging
from datetime import date, datetime, timezone

from services.contracts.actors import require_authenticated, require_owner_or_operator
from services.contracts.errors import Forbidden, NotFound
from services.platform.validation import load_input

from . import domain, storage
from .config import COMPANY_CONSUMER, DEMAND_CONSUMER
from .schemas import CompanyMatchesQuery, DemandMatchesQuery, MatchOut, MatchQuery

log = logging.getLogger(__name__)

# Serialisation failures are expected when many snapshots arrive at once;
# retrying in place is cheaper than a trip through the retry queues.
EVALUATION_ATTEMPTS = 30


def _now():
    return datetime.now(timezone.utc)


def _settle(uow, company, demand, existing, today, now):
    """Evaluate one pair and store and announce whatever changed."""
    change = domain.next_match(existing, domain.evaluate(company, demand, today), now)
    if change is None:
        return None
    match, event_type = change
    if existing is None:
        storage.insert_match(uow.connection, match)
    else:
        storage.save_match(uow.connection, match)
    uow.emit(event_type, domain.event_payload(match))
    return event_type


def _evaluate_demand(uow, demand, today, now):
    """The demand against every company; a demand that is not open only
    needs its existing matches withdrawn."""
    conn = uow.connection
    existing = {m["company"]["company_id"]: m
                for m in storage.matches_of_demand(conn, demand["demand_id"])}
    if domain.demand_state(demand, today) == domain.OPEN:
        companies = storage.all_companies(conn)
    else:
        companies = storage.companies_by_id(conn, existing)
    emitted = [_settle(uow, company, demand, existing.get(company["company_id"]), today, now)
               for company in companies]
    return [event_type for event_type in emitted if event_type]


# --- events --------------------------------------------------------------------

def company_changed(db, event, today=None):
    """company.registered / company.updated: keep the snapshot, evaluate the
    company against every open demand (and the demands it matched before)."""
    snapshot, today = event.payload, today or date.today()

    def work(uow):
        conn, now = uow.connection, _now()
        stored = storage.get_company(conn, snapshot["company_id"])
        if not domain.is_newer(snapshot, stored):
            return []
        storage.save_company(conn, snapshot, now, is_new=stored is None)
        existing = {m["demand"]["demand_id"]: m
                    for m in storage.matches_of_company(conn, snapshot["company_id"])}
        emitted = [_settle(uow, snapshot, demand, existing.get(demand["demand_id"]), today, now)
                   for demand in storage.demands_to_evaluate_for_company(
                       conn, snapshot["company_id"], today)]
        return [event_type for event_type in emitted if event_type]

    return db.handle(COMPANY_CONSUMER, event, work, serializable=True,
                     attempts=EVALUATION_ATTEMPTS)


def demand_changed(db, event, today=None):
    """park_demand.published / park_demand.updated: keep the snapshot and
    evaluate the demand against every company."""
    snapshot, today = event.payload, today or date.today()

    def work(uow):
        conn, now = uow.connection, _now()
        stored = storage.get_demand(conn, snapshot["demand_id"])
        if not domain.is_newer(snapshot, stored):
            return []
        storage.save_demand(conn, snapshot, today, now, is_new=stored is None)
        return _evaluate_demand(uow, snapshot, today, now)

    return db.handle(DEMAND_CONSUMER, event, work, serializable=True,
                     attempts=EVALUATION_ATTEMPTS)


# --- the calendar --------------------------------------------------------------

def follow_calendar(db, today=None):
    """Withdraw the matches of demands whose window has closed (and match
    demands whose window has opened). One unit of work per demand, so one
    failure does not hold up the others; the next run tries it again."""
    today = today or date.today()
    emitted = []
    for demand_id in db.run(lambda uow: storage.demands_due_on(uow.connection, today)):
        def work(uow, demand_id=demand_id):
            demand = storage.get_demand(uow.connection, demand_id)
            storage.mark_demand_evaluated(uow.connection, demand_id, today)
            return _evaluate_demand(uow, demand, today, _now())
        try:
            emitted += db.run(work, serializable=True, attempts=EVALUATION_ATTEMPTS)
        except Exception:  # logged; the next tick retries this demand
            log.exception("matching: could not re-evaluate demand %s", demand_id)
    return emitted


# --- queries ---------------------------------------------------------------------

def list_company_matches(db, actor, company_id, include_withdrawn=False):
    query = load_input(CompanyMatchesQuery(), {"company_id": company_id,
                                          "include_withdrawn": include_withdrawn})
    require_owner_or_operator(actor, "company", company_id, "this company's matches")

    def work(uow):
        if storage.get_company(uow.connection, company_id) is None:
            raise NotFound(f"no company {company_id} known to matching")
        return storage.matches_of_company(uow.connection, company_id)

    return MatchOut(many=True).dump(domain.ranked(db.run(work), query["include_withdrawn"]))


def list_demand_matches(db, actor, demand_id, include_withdrawn=False):
    query = load_input(DemandMatchesQuery(), {"demand_id": demand_id,
                                         "include_withdrawn": include_withdrawn})
    require_authenticated(actor)

    def work(uow):
        demand = storage.get_demand(uow.connection, demand_id)
        if demand is None:
            raise NotFound(f"no demand {demand_id} known to matching")
        require_owner_or_operator(actor, "park", demand["park"]["park_id"],
                                  "this demand's matches")
        return storage.matches_of_demand(uow.connection, demand_id)

    return MatchOut(many=True).dump(domain.ranked(db.run(work), query["include_withdrawn"]))


def get_match(db, actor, match_id):
    load_input(MatchQuery(), {"match_id": match_id})
    require_authenticated(actor)
    match = db.run(lambda uow: storage.get_match(uow.connection, match_id))
    if match is None:
        raise NotFound(f"no match {match_id}")
    if not domain.may_see_match(actor, match):
        raise Forbidden("only the matched company, its park, partners or the operator "
                        "may see this match")
    return MatchOut().dump(match)
