"""The profiles database. Records are stored as JSON documents next to the
columns that are queried; the schemas in `schemas.py` guard their shape."""
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    false,
    select,
)

from services.platform.idempotency import idempotency_table
from services.platform.outbox import messaging_tables
from services.platform.serialization import from_document, to_document
from services.platform.sql import filtered_keyset_page, keyset_page

metadata = MetaData()
messaging_tables(metadata)
idempotency_table(metadata)  # creates retried under an Idempotency-Key

companies = Table(
    "companies", metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("api_key_hash", String(64), nullable=False, unique=True),
    Column("document", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # registered through the web app and no owner has confirmed the e-mail
    # address yet: no event has announced it, and only itself and the operator
    # see it (lists of companies must leave these rows out)
    Column("pending_verification", Boolean, nullable=False, server_default=false()),
)

parks = Table(
    "parks", metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("api_key_hash", String(64), nullable=False, unique=True),
    Column("document", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

demands = Table(
    "demands", metadata,
    Column("id", String(36), primary_key=True),
    Column("park_id", String(36), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("document", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


def _record(row):
    return from_document(row.document) if row else None


PENDING = "pending_verification"


def _company_document(company):
    """The stored document; the pending flag lives in its own column."""
    return to_document({key: value for key, value in company.items() if key != PENDING})


def _company(row):
    """The company record, with `pending_verification` from its column."""
    return {**from_document(row.document), PENDING: bool(row.pending_verification)} \
        if row else None


def insert_company(conn, company, api_key_hash):
    conn.execute(companies.insert().values(
        id=company["id"], version=company["version"], api_key_hash=api_key_hash,
        document=_company_document(company), created_at=company["created_at"],
        updated_at=company["updated_at"], pending_verification=bool(company.get(PENDING))))


def get_company(conn, company_id, for_update=False):
    query = select(companies.c.document, companies.c.pending_verification) \
        .where(companies.c.id == company_id)
    if for_update:
        query = query.with_for_update()
    return _company(conn.execute(query).first())


def save_company(conn, company):
    conn.execute(companies.update().where(companies.c.id == company["id"]).values(
        version=company["version"], document=_company_document(company),
        updated_at=company["updated_at"], pending_verification=bool(company.get(PENDING))))


PENDING_ORDER = ((companies.c.created_at, False), (companies.c.id, False))


def pending_companies(conn, after, size):
    """A page of the companies still waiting for an owner to confirm the
    e-mail address, oldest first (ties by id)."""
    query = select(companies.c.document, companies.c.pending_verification) \
        .where(companies.c.pending_verification.is_(True))
    return [_company(row) for row in conn.execute(keyset_page(query, PENDING_ORDER, after, size))]


def company_id_for_key(conn, api_key_hash):
    return conn.execute(select(companies.c.id)
                        .where(companies.c.api_key_hash == api_key_hash)).scalar()


def insert_park(conn, park, api_key_hash):
    conn.execute(parks.insert().values(
        id=park["id"], version=park["version"], api_key_hash=api_key_hash,
        document=to_document(park), created_at=park["created_at"]))


def get_park(conn, park_id):
    return _record(conn.execute(select(parks.c.document).where(parks.c.id == park_id)).first())


def park_id_for_key(conn, api_key_hash):
    return conn.execute(select(parks.c.id).where(parks.c.api_key_hash == api_key_hash)).scalar()


def insert_demand(conn, demand):
    conn.execute(demands.insert().values(
        id=demand["id"], park_id=demand["park_id"], version=demand["version"],
        status=demand["status"], document=to_document(demand),
        created_at=demand["created_at"], updated_at=demand["updated_at"]))


def get_demand(conn, demand_id, for_update=False):
    query = select(demands.c.document).where(demands.c.id == demand_id)
    if for_update:
        query = query.with_for_update()
    return _record(conn.execute(query).first())


def save_demand(conn, demand):
    conn.execute(demands.update().where(demands.c.id == demand["id"]).values(
        version=demand["version"], status=demand["status"], document=to_document(demand),
        updated_at=demand["updated_at"]))


DEMAND_ORDER = ((demands.c.created_at, False), (demands.c.id, False))


def demands_of_park(conn, park_id, after, size):
    """A page of the park's demands, oldest first (ties by id)."""
    query = select(demands.c.document).where(demands.c.park_id == park_id)
    return [_record(row) for row in conn.execute(keyset_page(query, DEMAND_ORDER, after, size))]


# --- the directory ---------------------------------------------------------

PARK_ORDER = ((parks.c.created_at, False), (parks.c.id, False))
COMPANY_ORDER = ((companies.c.created_at, False), (companies.c.id, False))


def open_demands_of_parks(conn, park_ids):
    """{park_id: [demand, ...]} of the demands with status open, oldest first."""
    found = {park_id: [] for park_id in park_ids}
    query = (select(demands.c.document)
             .where(demands.c.park_id.in_(sorted(park_ids)) & (demands.c.status == "open"))
             .order_by(demands.c.created_at, demands.c.id))
    for row in conn.execute(query):
        demand = _record(row)
        found[demand["park_id"]].append(demand)
    return found


def parks_page(conn, after, size, choose):
    """A page of parks, oldest first, each with its open demands: those
    `choose(park, open_demands)` keeps, as (park, open_demands) pairs."""
    def kept(rows):
        parks_read = [_record(row) for row in rows]
        demands_of = open_demands_of_parks(conn, [park["id"] for park in parks_read])
        return [(park, demands_of[park["id"]]) for park in parks_read
                if choose(park, demands_of[park["id"]])]

    query = select(parks.c.document, parks.c.created_at, parks.c.id)
    return filtered_keyset_page(conn, query, PARK_ORDER, after, size, kept)


def companies_page(conn, after, size, choose):
    """A page of the companies `choose(company)` keeps, oldest first; never
    one still waiting for its owner's e-mail confirmation."""
    def kept(rows):
        return [company for company in map(_record, rows) if choose(company)]

    query = select(companies.c.document, companies.c.created_at, companies.c.id) \
        .where(companies.c.pending_verification.is_(False))
    return filtered_keyset_page(conn, query, COMPANY_ORDER, after, size, kept)
