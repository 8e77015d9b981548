"""The matching database: its own copy of company and demand snapshots, and
the matches. Snapshots and matches are JSON documents next to the columns
that are queried."""
from datetime import date

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    and_,
    delete,
    func,
    or_,
    select,
)

from services.platform.outbox import messaging_tables
from services.platform.serialization import from_document, to_document
from services.platform.sql import as_utc, dialect_insert, filtered_keyset_page, keyset_page

metadata = MetaData()
messaging_tables(metadata)

ID = 80  # ids are minted by profiles (uuid4 today); leave room

companies = Table(
    "companies", metadata,
    Column("company_id", String(ID), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("document", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

demands = Table(
    "demands", metadata,
    Column("demand_id", String(ID), primary_key=True),
    Column("park_id", String(ID), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=True),
    # The day the demand was last evaluated against every company: if that
    # was before its window opened, the calendar job evaluates it again.
    Column("evaluated_on", Date, nullable=False),
    Column("document", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

matches = Table(
    "matches", metadata,
    Column("match_id", String(36), primary_key=True),
    Column("company_id", String(ID), nullable=False),
    Column("demand_id", String(ID), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("score", Float, nullable=False),
    # The MatchV1 payload as last emitted, kept exactly as JSON (no date
    # conversion) so it compares equal to a fresh evaluation.
    Column("document", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("company_id", "demand_id", name="uq_matches_company_demand"),
    # a company's matches by index, not by scanning: on PostgreSQL a scan
    # would make every two concurrent company evaluations conflict (0002)
    Index("ix_matches_company_id", "company_id"),
)

# Companies that fail one or two hard criteria of an open demand (never its
# sector), with what would close each gap. Never announced; kept current on
# every evaluation of the pair (migration 0002).
near_misses = Table(
    "near_misses", metadata,
    Column("company_id", String(ID), primary_key=True),
    Column("demand_id", String(ID), primary_key=True),
    Column("park_id", String(ID), nullable=False),
    Column("gap_count", Integer, nullable=False),
    Column("score", Float, nullable=False),
    # The day a gap closes by time alone (the company is old enough then):
    # the calendar job evaluates the pair again on that day.
    Column("recheck_on", Date, nullable=True, index=True),
    Column("document", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_near_misses_demand_id", "demand_id"),
)


# --- companies ----------------------------------------------------------------

def get_company(conn, company_id):
    row = conn.execute(select(companies.c.document)
                       .where(companies.c.company_id == company_id)).first()
    return from_document(row.document) if row else None


def save_company(conn, snapshot, now, is_new):
    values = {"version": snapshot["version"], "document": to_document(snapshot), "updated_at": now}
    if is_new:
        conn.execute(companies.insert().values(company_id=snapshot["company_id"], **values))
    else:
        conn.execute(companies.update()
                     .where(companies.c.company_id == snapshot["company_id"]).values(**values))


def all_companies(conn):
    rows = conn.execute(select(companies.c.document).order_by(companies.c.company_id)).all()
    return [from_document(row.document) for row in rows]


def companies_by_id(conn, company_ids):
    if not company_ids:
        return []
    rows = conn.execute(select(companies.c.document)
                        .where(companies.c.company_id.in_(sorted(company_ids)))
                        .order_by(companies.c.company_id)).all()
    return [from_document(row.document) for row in rows]


# --- demands --------------------------------------------------------------------

def get_demand(conn, demand_id):
    row = conn.execute(select(demands.c.document)
                       .where(demands.c.demand_id == demand_id)).first()
    return from_document(row.document) if row else None


def save_demand(conn, snapshot, evaluated_on, now, is_new):
    values = {
        "park_id": snapshot["park"]["park_id"], "version": snapshot["version"],
        "status": snapshot["status"], "valid_from": snapshot["valid_from"],
        "valid_until": snapshot.get("valid_until"), "evaluated_on": evaluated_on,
        "document": to_document(snapshot), "updated_at": now,
    }
    if is_new:
        conn.execute(demands.insert().values(demand_id=snapshot["demand_id"], **values))
    else:
        conn.execute(demands.update()
                     .where(demands.c.demand_id == snapshot["demand_id"]).values(**values))


def mark_demand_evaluated(conn, demand_id, evaluated_on):
    conn.execute(demands.update().where(demands.c.demand_id == demand_id)
                 .values(evaluated_on=evaluated_on))


def _is_open(today):
    return (demands.c.status == "open") & (demands.c.valid_from <= today) & \
        or_(demands.c.valid_until.is_(None), demands.c.valid_until >= today)


def all_demands(conn):
    rows = conn.execute(select(demands.c.document).order_by(demands.c.demand_id)).all()
    return [from_document(row.document) for row in rows]


def demands_by_id(conn, demand_ids):
    if not demand_ids:
        return []
    rows = conn.execute(select(demands.c.document)
                        .where(demands.c.demand_id.in_(sorted(demand_ids)))
                        .order_by(demands.c.demand_id)).all()
    return [from_document(row.document) for row in rows]


def demands_fingerprint(conn):
    """(count, sum of versions) of all demands: every stored change of a
    demand moves it (snapshots only ever replace a lower version)."""
    count, versions = conn.execute(
        select(func.count(), func.coalesce(func.sum(demands.c.version), 0))).one()
    return int(count), int(versions)


def demand_versions(conn):
    return dict(conn.execute(select(demands.c.demand_id, demands.c.version)).all())


def demands_due_on(conn, today):
    """Ids of demands the calendar changed: expired ones still holding active
    matches, and open ones last evaluated before their window opened."""
    has_active = select(matches.c.demand_id).where(matches.c.status == "active")
    has_near_misses = select(near_misses.c.demand_id)
    expired = (demands.c.valid_until < today) & (demands.c.demand_id.in_(has_active)
                                                 | demands.c.demand_id.in_(has_near_misses))
    opened = _is_open(today) & (demands.c.evaluated_on < demands.c.valid_from)
    return list(conn.execute(select(demands.c.demand_id).where(expired | opened)
                             .order_by(demands.c.demand_id)).scalars())


# --- matches ----------------------------------------------------------------------

def _match(row):
    return {**row.document, "created_at": as_utc(row.created_at),
            "updated_at": as_utc(row.updated_at)}


_MATCH_COLUMNS = (matches.c.document, matches.c.created_at, matches.c.updated_at)


def get_match(conn, match_id):
    row = conn.execute(select(*_MATCH_COLUMNS).where(matches.c.match_id == match_id)).first()
    return _match(row) if row else None


def matches_of_company(conn, company_id):
    rows = conn.execute(select(*_MATCH_COLUMNS).where(matches.c.company_id == company_id)).all()
    return [_match(row) for row in rows]


def matches_of_demand(conn, demand_id):
    rows = conn.execute(select(*_MATCH_COLUMNS).where(matches.c.demand_id == demand_id)).all()
    return [_match(row) for row in rows]


# domain.ranked's order: active first ("active" < "withdrawn"), best score,
# then match id; near misses as domain.ranked_near_misses: fewest gaps, best
# score, company id. Listed by keyset pages in this same order.
MATCH_ORDER = ((matches.c.status, False), (matches.c.score, True), (matches.c.match_id, False))


def _matches_page(conn, condition, include_withdrawn, after, size):
    query = select(*_MATCH_COLUMNS).where(condition)
    if not include_withdrawn:
        query = query.where(matches.c.status == "active")
    return [_match(row) for row in conn.execute(keyset_page(query, MATCH_ORDER, after, size))]


def company_matches_page(conn, company_id, include_withdrawn, after, size):
    return _matches_page(conn, matches.c.company_id == company_id, include_withdrawn, after,
                         size)


def demand_matches_page(conn, demand_id, include_withdrawn, after, size):
    return _matches_page(conn, matches.c.demand_id == demand_id, include_withdrawn, after, size)


def _match_values(match):
    return {"version": match["version"], "status": match["status"], "score": match["score"],
            "document": {k: v for k, v in match.items() if k not in ("created_at", "updated_at")},
            "updated_at": match["updated_at"]}


def insert_match(conn, match):
    conn.execute(matches.insert().values(
        match_id=match["match_id"], company_id=match["company"]["company_id"],
        demand_id=match["demand"]["demand_id"], created_at=match["created_at"],
        **_match_values(match)))


def save_match(conn, match):
    conn.execute(matches.update().where(matches.c.match_id == match["match_id"])
                 .values(**_match_values(match)))


# --- near misses --------------------------------------------------------------------

def _near_miss(row):
    return {**row.document, "updated_at": as_utc(row.updated_at)}


_NEAR_MISS_COLUMNS = (near_misses.c.document, near_misses.c.updated_at)


def near_misses_of_company(conn, company_id):
    rows = conn.execute(select(*_NEAR_MISS_COLUMNS)
                        .where(near_misses.c.company_id == company_id)).all()
    return [_near_miss(row) for row in rows]


def near_misses_of_demand(conn, demand_id):
    rows = conn.execute(select(*_NEAR_MISS_COLUMNS)
                        .where(near_misses.c.demand_id == demand_id)).all()
    return [_near_miss(row) for row in rows]


NEAR_MISS_ORDER = ((near_misses.c.gap_count, False), (near_misses.c.score, True),
                   (near_misses.c.company_id, False))


COMPANY_NEAR_MISS_ORDER = ((near_misses.c.gap_count, False), (near_misses.c.score, True),
                           (near_misses.c.demand_id, False))


def demand_near_misses_page(conn, demand_id, after, size):
    query = select(*_NEAR_MISS_COLUMNS).where(near_misses.c.demand_id == demand_id)
    return [_near_miss(row)
            for row in conn.execute(keyset_page(query, NEAR_MISS_ORDER, after, size))]


def company_near_misses_page(conn, company_id, today, after, size):
    """The company's near misses of demands open `today` (the calendar drops
    an expired demand's near misses only on its next run)."""
    query = select(*_NEAR_MISS_COLUMNS).join(
        demands, demands.c.demand_id == near_misses.c.demand_id).where(
        (near_misses.c.company_id == company_id) & _is_open(today))
    return [_near_miss(row)
            for row in conn.execute(keyset_page(query, COMPANY_NEAR_MISS_ORDER, after, size))]


def get_near_miss(conn, company_id, demand_id):
    row = conn.execute(select(*_NEAR_MISS_COLUMNS).where(
        (near_misses.c.company_id == company_id) & (near_misses.c.demand_id == demand_id))).first()
    return _near_miss(row) if row else None


def _near_miss_values(record):
    recheck = record["recheck_on"]
    return {"park_id": record["demand"]["park_id"], "gap_count": len(record["gaps"]),
            "score": record["score"],
            "recheck_on": date.fromisoformat(recheck) if recheck else None,
            "document": {k: v for k, v in record.items() if k != "updated_at"},
            "updated_at": record["updated_at"]}


def insert_near_miss(conn, record):
    conn.execute(near_misses.insert().values(
        company_id=record["company"]["company_id"], demand_id=record["demand"]["demand_id"],
        **_near_miss_values(record)))


def save_near_miss(conn, record):
    conn.execute(near_misses.update().where(
        (near_misses.c.company_id == record["company"]["company_id"])
        & (near_misses.c.demand_id == record["demand"]["demand_id"]))
        .values(**_near_miss_values(record)))


def delete_near_miss(conn, company_id, demand_id):
    conn.execute(delete(near_misses).where(
        and_(near_misses.c.company_id == company_id, near_misses.c.demand_id == demand_id)))


def near_misses_due_on(conn, today):
    """(company id, demand id) of near misses a day's passing may close."""
    return [tuple(row) for row in conn.execute(
        select(near_misses.c.company_id, near_misses.c.demand_id)
        .where(near_misses.c.recheck_on <= today)
        .order_by(near_misses.c.company_id, near_misses.c.demand_id)).all()]
# --- allocation (issue #3 §6) ---------------------------------------------------------

# A company's own order of the demands it is matched with (allocation rounds
# use it before the score order).
demand_preferences = Table(
    "demand_preferences", metadata,
    Column("company_id", String(ID), primary_key=True),
    Column("demand_ids", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# One row per allocation round: what it covered, the counts, and the whole
# outcome (assignments and why-not answers) as one JSON document.
allocation_rounds = Table(
    "allocation_rounds", metadata,
    Column("round_id", String(36), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("scope", JSON, nullable=False),
    Column("summary", JSON, nullable=False),
    Column("document", JSON, nullable=False),
)


def get_demand_preferences(conn, company_id):
    row = conn.execute(select(demand_preferences.c.demand_ids, demand_preferences.c.updated_at)
                       .where(demand_preferences.c.company_id == company_id)).first()
    return {"demand_ids": list(row.demand_ids), "updated_at": as_utc(row.updated_at)} \
        if row else None


def save_demand_preferences(conn, company_id, demand_ids, now):
    values = {"demand_ids": list(demand_ids), "updated_at": now}
    conn.execute(dialect_insert(conn, demand_preferences)
                 .values(company_id=company_id, **values)
                 .on_conflict_do_update(index_elements=[demand_preferences.c.company_id],
                                        set_=values))


def all_demand_preferences(conn):
    """{company_id: [demand_id, ...]} for every company that stated some."""
    rows = conn.execute(select(demand_preferences.c.company_id,
                               demand_preferences.c.demand_ids)).all()
    return {row.company_id: list(row.demand_ids) for row in rows}


def active_demand_ids_of_company(conn, company_id):
    return set(conn.execute(select(matches.c.demand_id)
                            .where((matches.c.company_id == company_id)
                                   & (matches.c.status == "active"))).scalars())


def active_pairs(conn, demand_ids=None):
    """(company_id, demand_id, score) of every active match, or of those of
    `demand_ids`."""
    query = select(matches.c.company_id, matches.c.demand_id, matches.c.score) \
        .where(matches.c.status == "active")
    if demand_ids is not None:
        query = query.where(matches.c.demand_id.in_(sorted(demand_ids)))
    return [tuple(row) for row in conn.execute(query).all()]


def demand_ids_of_park(conn, park_id):
    return list(conn.execute(select(demands.c.demand_id).where(demands.c.park_id == park_id)
                             .order_by(demands.c.demand_id)).scalars())


def insert_allocation_round(conn, record):
    conn.execute(allocation_rounds.insert().values(
        round_id=record["round_id"], created_at=record["created_at"], scope=record["scope"],
        summary=record["summary"],
        document={k: v for k, v in record.items() if k != "created_at"}))


def get_allocation_round(conn, round_id):
    row = conn.execute(select(allocation_rounds.c.document, allocation_rounds.c.created_at)
                       .where(allocation_rounds.c.round_id == round_id)).first()
    return {**row.document, "created_at": as_utc(row.created_at)} if row else None


ROUND_ORDER = ((allocation_rounds.c.created_at, True), (allocation_rounds.c.round_id, False))


def allocation_rounds_page(conn, after, size):
    """Newest first, without the outcome documents."""
    query = select(allocation_rounds.c.round_id, allocation_rounds.c.created_at,
                   allocation_rounds.c.scope, allocation_rounds.c.summary)
    rows = conn.execute(keyset_page(query, ROUND_ORDER, after, size)).all()
    return [{"round_id": row.round_id, "created_at": as_utc(row.created_at),
             "scope": row.scope, "summary": row.summary} for row in rows]


def _concerns_park(row, park_id):
    return (row.scope or {}).get("park_id") == park_id or any(
        demand.get("park_id") == park_id for demand in row.document.get("demands") or ())


def park_allocation_rounds_page(conn, park_id, after, size):
    """Newest first, the rounds with a demand of the park (or scoped to it),
    without the outcome documents."""
    query = select(allocation_rounds.c.round_id, allocation_rounds.c.created_at,
                   allocation_rounds.c.scope, allocation_rounds.c.summary,
                   allocation_rounds.c.document)

    def kept(rows):
        return [{"round_id": row.round_id, "created_at": as_utc(row.created_at),
                 "scope": row.scope, "summary": row.summary}
                for row in rows if _concerns_park(row, park_id)]

    return filtered_keyset_page(conn, query, ROUND_ORDER, after, size, kept)
