"""Digest items: alerts waiting for a partner's next digest."""
from sqlalchemy import select

from services.platform.sql import as_utc

from .tables import digest_items


def insert_digest_item(conn, item):
    conn.execute(digest_items.insert().values(**item))


def pending_digest_items_about(conn, subject_id, partner_id=None):
    """Items about the subject still waiting for a digest (one partner's, or everyone's)."""
    query = select(digest_items.c.id, digest_items.c.alert_id).where(
        digest_items.c.subject_id == subject_id, digest_items.c.status == "pending")
    if partner_id is not None:
        query = query.where(digest_items.c.partner_id == partner_id)
    rows = conn.execute(query)
    return [{"id": row.id, "alert_id": row.alert_id} for row in rows]


def set_digest_items_status(conn, item_ids, status, digest_alert_id=None):
    if item_ids:
        values = {"status": status}
        if digest_alert_id is not None:
            values["digest_alert_id"] = digest_alert_id
        conn.execute(digest_items.update().where(digest_items.c.id.in_(list(item_ids)))
                     .values(**values))


def claim_due_digest_items(conn, now, limit=1000):
    """Pending digest items whose time has come, locked against a second
    process (PostgreSQL: SKIP LOCKED; SQLite: the write lock)."""
    query = (select(digest_items).where(digest_items.c.status == "pending",
                                        digest_items.c.due_at <= now)
             .order_by(digest_items.c.partner_id, digest_items.c.created_at).limit(limit))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return [{"id": row.id, "partner_id": row.partner_id,
             "subscription_id": row.subscription_id, "alert_id": row.alert_id,
             "subject_id": row.subject_id, "due_at": as_utc(row.due_at),
             "language": row.language, "channel_ids": row.channel_ids}
            for row in conn.execute(query)]
