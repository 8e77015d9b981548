"""The agreements database: its copy of the directory (parties and matches,
from events), the agreements, who is party to which, and the audit trail.

An agreement is stored as one JSON document (the truth) next to the columns
that are queried; `agreement_parties` indexes its parties for "which
agreements may this actor see"."""
from datetime import datetime, timezone

from sqlalchemy import (
    JSON, BigInteger, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table,
    or_, select,
)

from services.platform.outbox import messaging_tables
from services.platform.serialization import to_document
from services.platform.sql import as_utc, dialect_insert

metadata = MetaData()
messaging_tables(metadata)

directory = Table(
    "directory", metadata,
    Column("kind", String(16), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("name", String(300), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

matches = Table(
    "matches", metadata,
    Column("id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("company_id", String(64), nullable=False),
    Column("park_id", String(64), nullable=False),
    Column("document", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

agreements = Table(
    "agreements", metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("status", String(24), nullable=False, index=True),
    Column("kind", String(24), nullable=False),
    Column("match_id", String(64), nullable=True, index=True),
    Column("sponsor_partner_id", String(64), nullable=True, index=True),
    Column("document", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

agreement_parties = Table(
    "agreement_parties", metadata,
    Column("agreement_id", String(36), ForeignKey("agreements.id"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("party_id", String(64), primary_key=True),
    Index("ix_agreement_parties_party", "kind", "party_id"),
)

agreement_events = Table(
    "agreement_events", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("agreement_id", String(36), ForeignKey("agreements.id"), nullable=False,
           index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_kind", String(16), nullable=False),
    Column("actor_id", String(64), nullable=True),
    Column("action", String(40), nullable=False),
    Column("details", JSON, nullable=False),
)


def _now():
    return datetime.now(timezone.utc)


def _parse_time(value):
    return as_utc(datetime.fromisoformat(value)) if value else None


def _upsert_if_newer(conn, table, key_columns, values):
    """Insert the snapshot, or overwrite the stored one if it is older.

    This is the "newer snapshot wins" rule done in one statement, so two
    consumers writing the same record at once cannot interleave. Returns
    whether anything was written."""
    statement = dialect_insert(conn, table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=key_columns,
        set_={name: statement.excluded[name] for name in values if name not in key_columns},
        where=table.c.version < statement.excluded.version,
    )
    return conn.execute(statement).rowcount == 1


# --- directory -------------------------------------------------------------------

def save_directory_entry(conn, entry):
    return _upsert_if_newer(conn, directory, ["kind", "id"], {
        "kind": entry["kind"], "id": entry["id"], "version": entry["version"],
        "name": entry["name"], "updated_at": _now()})


def get_directory_entry(conn, kind, entry_id):
    row = conn.execute(select(directory).where(directory.c.kind == kind,
                                               directory.c.id == entry_id)).first()
    return _directory_record(row) if row else None


def find_directory_entries(conn, refs):
    """{(kind, id): entry} for those of `refs` that are known."""
    ids_by_kind = {}
    for ref in refs:
        ids_by_kind.setdefault(ref["kind"], set()).add(ref["id"])
    found = {}
    for kind, ids in ids_by_kind.items():
        rows = conn.execute(select(directory).where(directory.c.kind == kind,
                                                    directory.c.id.in_(sorted(ids)))).all()
        found.update({(row.kind, row.id): _directory_record(row) for row in rows})
    return found


def _directory_record(row):
    return {"kind": row.kind, "id": row.id, "version": row.version, "name": row.name}


# --- matches ---------------------------------------------------------------------

def save_match(conn, match):
    return _upsert_if_newer(conn, matches, ["id"], {
        "id": match["id"], "version": match["version"], "status": match["status"],
        "company_id": match["company_id"], "park_id": match["park_id"],
        "document": to_document(match), "updated_at": _now()})


def get_match(conn, match_id):
    row = conn.execute(select(matches.c.document).where(matches.c.id == match_id)).first()
    return dict(row.document) if row else None


# --- agreements ------------------------------------------------------------------

def insert_agreement(conn, agreement):
    conn.execute(agreements.insert().values(**_agreement_columns(agreement),
                                            created_at=agreement["created_at"]))
    conn.execute(agreement_parties.insert(), [
        {"agreement_id": agreement["id"], "kind": p["kind"], "party_id": p["id"]}
        for p in agreement["parties"]])


def save_agreement(conn, agreement):
    """Parties are fixed at proposal, so only the agreement row changes."""
    conn.execute(agreements.update().where(agreements.c.id == agreement["id"])
                 .values(**_agreement_columns(agreement)))


def get_agreement(conn, agreement_id, for_update=False):
    # FOR UPDATE: two parties signing at once queue up, so the second sees
    # the first's signature and exactly one of them completes the agreement.
    query = select(agreements.c.document).where(agreements.c.id == agreement_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _agreement_from(row.document) if row else None


def list_agreements(conn):
    rows = conn.execute(select(agreements.c.document)
                        .order_by(agreements.c.created_at, agreements.c.id)).all()
    return [_agreement_from(row.document) for row in rows]


def list_agreements_involving(conn, kind, actor_id):
    """Agreements `kind`/`actor_id` is a party to or (as a partner) sponsors."""
    as_party = select(agreement_parties.c.agreement_id).where(
        agreement_parties.c.kind == kind, agreement_parties.c.party_id == actor_id)
    condition = agreements.c.id.in_(as_party)
    if kind == "partner":
        condition = or_(condition, agreements.c.sponsor_partner_id == actor_id)
    rows = conn.execute(select(agreements.c.document).where(condition)
                        .order_by(agreements.c.created_at, agreements.c.id)).all()
    return [_agreement_from(row.document) for row in rows]


def _agreement_columns(agreement):
    return {"id": agreement["id"], "version": agreement["version"],
            "status": agreement["status"], "kind": agreement["kind"],
            "match_id": agreement["match_id"],
            "sponsor_partner_id": agreement["sponsor_partner_id"],
            "document": to_document(agreement), "updated_at": agreement["updated_at"]}


def _agreement_from(document):
    # Only the known time fields are parsed back: free text that happens to
    # look like a date (a title, the terms) stays text.
    agreement = dict(document)
    for name in ("signed_at", "created_at", "updated_at"):
        agreement[name] = _parse_time(agreement.get(name))
    agreement["parties"] = [{**party, "signed_at": _parse_time(party.get("signed_at"))}
                            for party in agreement["parties"]]
    return agreement


# --- the audit trail ---------------------------------------------------------------

def append_history(conn, entries):
    if entries:
        conn.execute(agreement_events.insert(), [
            {"agreement_id": e["agreement_id"], "at": e["at"], "actor_kind": e["actor"]["kind"],
             "actor_id": e["actor"]["id"], "action": e["action"], "details": e["details"]}
            for e in entries])


def list_history(conn, agreement_id):
    rows = conn.execute(select(agreement_events)
                        .where(agreement_events.c.agreement_id == agreement_id)
                        .order_by(agreement_events.c.id)).all()
    return [{"agreement_id": row.agreement_id, "at": as_utc(row.at),
             "actor": {"kind": row.actor_kind, "id": row.actor_id},
             "action": row.action, "details": row.details} for row in rows]
