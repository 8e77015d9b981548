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
    func,
    or_,
    select,
    update,
)

from services.platform.outbox import messaging_tables
from services.platform.serialization import to_document
from services.platform.sql import as_utc, dialect_insert, insert_if_absent, keyset_page

from . import domain

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


# --- directory -------------------------------------------------------------------

def save_directory_entry(conn, entry):
    return _upsert_if_newer(conn, directory, ["kind", "id"], {
        "kind": entry["kind"], "id": entry["id"], "version": entry["version"],
        "name": entry["name"], "updated_at": _real_now()})


def get_directory_entry(conn, kind, entry_id):
    row = conn.execute(select(directory).where(directory.c.kind == kind,
                                               directory.c.id == entry_id)).first()
    return _directory_record(row) if row else None


def lock_directory_entry(conn, ref):
    """Lock a party's directory row until the transaction ends (PostgreSQL
    SELECT ... FOR UPDATE; SQLite's BEGIN IMMEDIATE already serialises
    writers). Whatever is counted per party under this lock is an invariant:
    two transactions for the same party run one after the other."""
    return conn.execute(select(directory.c.version).where(
        directory.c.kind == ref["kind"], directory.c.id == ref["id"])
        .with_for_update()).first() is not None


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
        "document": to_document(match), "updated_at": _real_now()})


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


def list_agreements_in(conn, statuses):
    rows = conn.execute(select(agreements.c.document).where(agreements.c.status.in_(statuses))
                        .order_by(agreements.c.created_at, agreements.c.id)).all()
    return [_agreement_from(row.document) for row in rows]


def _involving(kind, actor_id):
    """Agreements `kind`/`actor_id` is a party to or (as a partner) sponsors."""
    as_party = select(agreement_parties.c.agreement_id).where(
        agreement_parties.c.kind == kind, agreement_parties.c.party_id == actor_id)
    condition = agreements.c.id.in_(as_party)
    if kind == "partner":
        condition = or_(condition, agreements.c.sponsor_partner_id == actor_id)
    return condition


def list_agreements_involving(conn, kind, actor_id):
    rows = conn.execute(select(agreements.c.document).where(_involving(kind, actor_id))
                        .order_by(agreements.c.created_at, agreements.c.id)).all()
    return [_agreement_from(row.document) for row in rows]


AGREEMENT_ORDER = ((agreements.c.created_at, False), (agreements.c.id, False))


def agreements_page(conn, kind, actor_id, after, size):
    """A page of every agreement (kind None: the operator) or of those
    `kind`/`actor_id` is involved in, oldest first."""
    query = select(agreements.c.document)
    if kind is not None:
        query = query.where(_involving(kind, actor_id))
    rows = conn.execute(keyset_page(query, AGREEMENT_ORDER, after, size)).all()
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
    for name in ("signed_at", "created_at", "updated_at", "proposed_at"):
        agreement[name] = _parse_time(agreement.get(name))
    for name in ("starts_on", "ends_on"):
        agreement[name] = _parse_date(agreement.get(name))
    agreement.setdefault("proposed_at", None)
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


def history_page(conn, agreement_id, after, size):
    """A page of the audit trail, oldest first (in the order it was written)."""
    query = select(agreement_events).where(agreement_events.c.agreement_id == agreement_id)
    rows = conn.execute(keyset_page(query, ((agreement_events.c.id, False),), after,
                                    size)).all()
    return [{"id": row.id, "agreement_id": row.agreement_id, "at": as_utc(row.at),
             "actor": {"kind": row.actor_kind, "id": row.actor_id},
             "action": row.action, "details": row.details} for row in rows]


def count_matches_of_park(conn, park_id):
    """Every match of the park's demands this service has heard of, whatever its status now."""
    return conn.execute(select(func.count()).select_from(matches)
                        .where(matches.c.park_id == park_id)).scalar_one()


# --- introductions ---------------------------------------------------------------------

def _introduction_columns(introduction):
    return {"id": introduction["id"], "version": introduction["version"],
            "status": introduction["status"], "match_id": introduction["match_id"],
            "company_id": introduction["company_id"], "park_id": introduction["park_id"],
            "requester_kind": introduction["requester"]["kind"],
            "requester_id": introduction["requester"]["id"],
            "sponsor_partner_id": introduction["sponsor_partner_id"],
            "open_key": domain.open_key(introduction),
            "expires_at": introduction["expires_at"],
            "document": to_document(introduction),
            "requested_at": introduction["requested_at"], "updated_at": _real_now()}


def _introduction_from(document):
    introduction = dict(document)
    for name in ("requested_at", "expires_at", "decided_at"):
        introduction[name] = _parse_time(introduction.get(name))
    return introduction


def insert_introduction(conn, introduction):
    """True if stored; False if an open request for the same match by the same
    requester was stored first (by a concurrent request)."""
    return insert_if_absent(conn, introductions, _introduction_columns(introduction))


def save_introduction(conn, introduction, expected_status):
    """Write the new state if the stored one is still `expected_status`
    (a competing timer or answer may have moved it); True if written."""
    result = conn.execute(update(introductions).where(
        introductions.c.id == introduction["id"],
        introductions.c.status == expected_status).values(
            **{k: v for k, v in _introduction_columns(introduction).items() if k != "id"}))
    return result.rowcount == 1


def get_introduction(conn, introduction_id, for_update=False):
    query = select(introductions.c.document).where(introductions.c.id == introduction_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _introduction_from(row.document) if row else None


def latest_introduction_for(conn, match_id, requester):
    row = conn.execute(select(introductions.c.document).where(
        introductions.c.match_id == match_id,
        introductions.c.requester_kind == requester["kind"],
        introductions.c.requester_id == requester["id"])
        .order_by(introductions.c.requested_at.desc()).limit(1)).first()
    return _introduction_from(row.document) if row else None


def count_open_introductions_by(conn, requester):
    return conn.execute(select(func.count()).select_from(introductions).where(
        introductions.c.requester_kind == requester["kind"],
        introductions.c.requester_id == requester["id"],
        introductions.c.status == "requested")).scalar_one()


def _introductions_of(kind, actor_id):
    """All (kind None: the operator), or those `kind`/`actor_id` is a side of."""
    query = select(introductions.c.document)
    if kind is not None:
        sides = [and_requester(kind, actor_id)]
        if kind == "company":
            sides.append(introductions.c.company_id == actor_id)
        elif kind == "park":
            sides.append(introductions.c.park_id == actor_id)
        elif kind == "partner":
            sides.append(introductions.c.sponsor_partner_id == actor_id)
        query = query.where(or_(*sides))
    return query


INTRODUCTION_ORDER = ((introductions.c.requested_at, False), (introductions.c.id, False))


def list_introductions(conn, kind=None, actor_id=None):
    rows = conn.execute(_introductions_of(kind, actor_id)
                        .order_by(introductions.c.requested_at, introductions.c.id)).all()
    return [_introduction_from(row.document) for row in rows]


def introductions_page(conn, kind, actor_id, status, after, size):
    """A page of list_introductions (only those in `status`, if given), oldest first."""
    query = _introductions_of(kind, actor_id)
    if status:
        query = query.where(introductions.c.status == status)
    rows = conn.execute(keyset_page(query, INTRODUCTION_ORDER, after, size)).all()
    return [_introduction_from(row.document) for row in rows]


def and_requester(kind, actor_id):
    return (introductions.c.requester_kind == kind) & (introductions.c.requester_id == actor_id)


def list_expired_open_introductions(conn, now, limit=200):
    rows = conn.execute(select(introductions.c.document).where(
        introductions.c.status == "requested", introductions.c.expires_at <= now)
        .order_by(introductions.c.expires_at).limit(limit)).all()
    return [_introduction_from(row.document) for row in rows]


# --- obligations -------------------------------------------------------------------------

def _obligation_from(document):
    obligation = dict(document)
    obligation["created_at"] = _parse_time(obligation["created_at"])
    for name in ("changed_at", "cancelled_at"):
        if obligation.get(name):
            obligation[name] = _parse_time(obligation[name])
    if obligation.get("schedule_since"):
        obligation["schedule_since"] = _parse_date(obligation["schedule_since"])
    schedule = dict(obligation["schedule"])
    for name in ("due_on", "starts_on"):
        schedule[name] = _parse_date(schedule.get(name))
    obligation["schedule"] = {k: v for k, v in schedule.items() if v is not None}
    return obligation


def insert_obligation(conn, obligation):
    conn.execute(obligations.insert().values(
        id=obligation["id"], agreement_id=obligation["agreement_id"],
        document=to_document(obligation), created_at=obligation["created_at"]))


def get_obligation(conn, obligation_id, for_update=False):
    query = select(obligations.c.document).where(obligations.c.id == obligation_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _obligation_from(row.document) if row else None


def save_obligation(conn, obligation):
    """Store a changed (or cancelled) obligation; its row, fulfilments and
    sent reminders stay."""
    conn.execute(update(obligations).where(obligations.c.id == obligation["id"])
                 .values(document=to_document(obligation)))


def list_obligations(conn, agreement_ids):
    if not agreement_ids:
        return []
    rows = conn.execute(select(obligations.c.document)
                        .where(obligations.c.agreement_id.in_(list(agreement_ids)))
                        .order_by(obligations.c.created_at, obligations.c.id)).all()
    return [_obligation_from(row.document) for row in rows]


OBLIGATION_ORDER = ((obligations.c.created_at, False), (obligations.c.id, False))


def obligations_page(conn, agreement_id, after, size):
    """A page of the agreement's obligations, oldest first."""
    query = select(obligations.c.document).where(obligations.c.agreement_id == agreement_id)
    rows = conn.execute(keyset_page(query, OBLIGATION_ORDER, after, size)).all()
    return [_obligation_from(row.document) for row in rows]


def _fulfilment_from(row):
    record = dict(row.document)
    record.update(occurrence_on=row.occurrence_on, fulfilled_on=row.fulfilled_on,
                  on_time=row.on_time, recorded_at=as_utc(row.recorded_at))
    return record


def insert_fulfilment(conn, record):
    """True if stored; False if that occurrence was already fulfilled."""
    return insert_if_absent(conn, obligation_fulfilments, {
        "obligation_id": record["obligation_id"], "occurrence_on": record["occurrence_on"],
        "fulfilled_on": record["fulfilled_on"], "on_time": record["on_time"],
        "document": to_document({k: v for k, v in record.items() if k not in (
            "occurrence_on", "fulfilled_on", "on_time", "recorded_at")}),
        "recorded_at": record["recorded_at"]})


def list_fulfilments(conn, obligation_ids):
    if not obligation_ids:
        return []
    rows = conn.execute(select(obligation_fulfilments).where(
        obligation_fulfilments.c.obligation_id.in_(list(obligation_ids)))).all()
    return [_fulfilment_from(row) for row in rows]


def claim_reminder(conn, obligation_id, occurrence_on, reminder):
    """True the first time (obligation, occurrence, reminder) is claimed, ever."""
    return insert_if_absent(conn, obligation_reminders, {
        "obligation_id": obligation_id, "occurrence_on": occurrence_on,
        "reminder": reminder, "sent_at": _real_now()})
