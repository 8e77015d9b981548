"""Deliveries and every delivery attempt."""
from sqlalchemy import select

from services.platform.sql import as_utc, keyset_page

from ..domain import PENDING
from .tables import alerts, deliveries, delivery_attempts


def as_delivery(row):
    return {"id": row.id, "alert_id": row.alert_id, "partner_id": row.partner_id,
            "url": row.url, "status": row.status, "attempts": row.attempts,
            "next_attempt_at": as_utc(row.next_attempt_at),
            "last_status_code": row.last_status_code, "last_error": row.last_error,
            "claim_token": row.claim_token, "created_at": as_utc(row.created_at),
            "delivered_at": as_utc(row.delivered_at), "channel_id": row.channel_id,
            "channel_kind": row.channel_kind, "round_start": row.round_start,
            "person_id": row.person_id, "language": row.language}


def insert_delivery(conn, delivery):
    conn.execute(deliveries.insert().values(
        id=delivery["id"], alert_id=delivery["alert_id"], partner_id=delivery["partner_id"],
        url=delivery["url"], status=delivery["status"], attempts=delivery["attempts"],
        next_attempt_at=delivery["next_attempt_at"], created_at=delivery["created_at"],
        channel_id=delivery["channel_id"], channel_kind=delivery["channel_kind"],
        round_start=delivery["round_start"], person_id=delivery.get("person_id"),
        language=delivery.get("language")))


def claim_due_deliveries(conn, now, lease_until, claim_token, limit):
    """Take up to `limit` pending deliveries that are due, hide them from
    other processes until `lease_until`, and return them.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so two processes claiming at once
    take different rows. SQLite: the transaction already holds the write
    lock (BEGIN IMMEDIATE), so claims are serialised."""
    query = (select(deliveries.c.id)
             .where(deliveries.c.status == PENDING, deliveries.c.next_attempt_at <= now)
             .order_by(deliveries.c.next_attempt_at).limit(limit))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = [row.id for row in conn.execute(query)]
    if not ids:
        return []
    conn.execute(deliveries.update().where(deliveries.c.id.in_(ids))
                 .values(next_attempt_at=lease_until, claim_token=claim_token))
    rows = conn.execute(select(deliveries).where(deliveries.c.id.in_(ids))
                        .order_by(deliveries.c.next_attempt_at)).all()
    return [as_delivery(row) for row in rows]


def get_delivery(conn, delivery_id, for_update=False):
    query = select(deliveries).where(deliveries.c.id == delivery_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return as_delivery(row) if row else None


def update_delivery(conn, delivery_id, changes):
    conn.execute(deliveries.update().where(deliveries.c.id == delivery_id).values(**changes))


def insert_attempt(conn, delivery_id, attempt):
    conn.execute(delivery_attempts.insert().values(
        delivery_id=delivery_id, number=attempt["number"], at=attempt["at"],
        status_code=attempt["status_code"], error=attempt["error"],
        latency_ms=attempt["latency_ms"]))


DELIVERY_ORDER = ((deliveries.c.created_at, True), (deliveries.c.url, False),
                  (deliveries.c.id, False))


def deliveries_page(conn, partner_id, after, size, delivery_id=None):
    """A page of the partner's delivery log (or the one delivery asked for),
    newest first, with every attempt."""
    query = (select(deliveries, alerts.c.kind.label("alert_type"))
             .join(alerts, alerts.c.id == deliveries.c.alert_id)
             .where(deliveries.c.partner_id == partner_id))
    if delivery_id is not None:
        query = query.where(deliveries.c.id == delivery_id)
    rows = conn.execute(keyset_page(query, DELIVERY_ORDER, after, size)).all()
    found = [{**as_delivery(row), "alert_type": row.alert_type, "attempt_log": []} for row in rows]
    by_id = {delivery["id"]: delivery for delivery in found}
    if by_id:
        attempts = conn.execute(select(delivery_attempts)
                                .where(delivery_attempts.c.delivery_id.in_(list(by_id)))
                                .order_by(delivery_attempts.c.number))
        for row in attempts:
            by_id[row.delivery_id]["attempt_log"].append({
                "number": row.number, "at": as_utc(row.at), "status_code": row.status_code,
                "error": row.error, "latency_ms": row.latency_ms})
    return found
