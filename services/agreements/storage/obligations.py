"""Storage of obligations, their fulfilments and the reminders sent."""

from sqlalchemy import (
    select,
    update,
)

from services.platform.serialization import to_document
from services.platform.sql import as_utc, insert_if_absent, keyset_page

from .tables import (
    _parse_date,
    _parse_time,
    _real_now,
    obligation_fulfilments,
    obligation_reminders,
    obligations,
)

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
