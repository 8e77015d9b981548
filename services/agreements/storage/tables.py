"""The agreements database: its copy of the directory (parties and matches,
from events), the agreements, who is party to which, and the audit trail.

An agreement is stored as one JSON document (the truth) next to the columns
that are queried; `agreement_parties` indexes its parties for "which
agreements may this actor see"."""
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

from services.platform.idempotency import idempotency_table
from services.platform.outbox import messaging_tables
from services.platform.sql import as_utc, dialect_insert

metadata = MetaData()
messaging_tables(metadata)
idempotency_table(metadata)  # creates retried under an Idempotency-Key

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


# --- introductions and obligations (issue #4) ---------------------------------------

introductions = Table(
    "introductions", metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("match_id", String(64), nullable=False, index=True),
    Column("company_id", String(64), nullable=False, index=True),
    Column("park_id", String(64), nullable=False, index=True),
    Column("requester_kind", String(16), nullable=False),
    Column("requester_id", String(64), nullable=False),
    Column("sponsor_partner_id", String(64), nullable=True, index=True),
    # match|kind|id while the request is open, else NULL: one open request
    # per match and requester, even when two arrive at once.
    Column("open_key", String(200), nullable=True, unique=True),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
    Column("document", JSON, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_introductions_requester", "requester_kind", "requester_id"),
)

obligations = Table(
    "obligations", metadata,
    Column("id", String(36), primary_key=True),
    Column("agreement_id", String(36), ForeignKey("agreements.id"), nullable=False,
           index=True),
    Column("document", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

obligation_fulfilments = Table(
    "obligation_fulfilments", metadata,
    Column("obligation_id", String(36), ForeignKey("obligations.id"), primary_key=True),
    Column("occurrence_on", Date, primary_key=True),
    Column("fulfilled_on", Date, nullable=False),
    Column("on_time", Boolean, nullable=False),
    Column("document", JSON, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

# One row per reminder ever emitted: the key that makes each (obligation,
# occurrence, reminder) go out exactly once, whatever restarts or competing
# processes do.
obligation_reminders = Table(
    "obligation_reminders", metadata,
    Column("obligation_id", String(36), ForeignKey("obligations.id"), primary_key=True),
    Column("occurrence_on", Date, primary_key=True),
    Column("reminder", String(40), primary_key=True),
    Column("sent_at", DateTime(timezone=True), nullable=False),
)


def _real_now():
    """Bookkeeping time (when a row was written, when a reminder went out): the
    real clock, never the business clock that tests and rehearsals move."""
    return datetime.now(UTC)


def _parse_time(value):
    return as_utc(datetime.fromisoformat(value)) if value else None


def _parse_date(value):
    return date.fromisoformat(value) if value else None


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
