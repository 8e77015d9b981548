"""The notifications database: partners (with their API-key hash and webhook
secret), subscriptions, alerts, webhook deliveries and every delivery
attempt. Nothing else in the service touches SQL."""
from sqlalchemy import (
    JSON, BigInteger, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table,
    Text, select,
)

from services.platform.outbox import messaging_tables
from services.platform.serialization import from_document, to_document
from services.platform.sql import as_utc, insert_if_absent

from .domain import PENDING

metadata = MetaData()
messaging_tables(metadata)

partners = Table(
    "partners", metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("api_key_hash", String(64), nullable=False, unique=True),
    # Kept apart from the document so it is never returned or logged with
    # the partner; stored as is because it must sign every request.
    Column("webhook_secret", Text, nullable=False),
    Column("document", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

subscriptions = Table(
    "subscriptions", metadata,
    Column("id", String(36), primary_key=True),
    Column("partner_id", String(36), ForeignKey("partners.id"), nullable=False, index=True),
    Column("document", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

alerts = Table(
    "alerts", metadata,
    Column("id", String(36), primary_key=True),
    Column("partner_id", String(36), ForeignKey("partners.id"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("subject_id", String(64), nullable=False, index=True),
    Column("subject_version", Integer, nullable=False),
    # (partner, kind, subject, version): the same fact never alerts twice.
    Column("dedupe_key", String(255), nullable=False, unique=True),
    Column("data", JSON, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_alerts_partner_created", "partner_id", "created_at"),
)

deliveries = Table(
    "deliveries", metadata,
    Column("id", String(36), primary_key=True),
    Column("alert_id", String(36), ForeignKey("alerts.id"), nullable=False, index=True),
    Column("partner_id", String(36), ForeignKey("partners.id"), nullable=False),
    Column("url", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    # Set when a process claims the delivery to send it; its result only
    # moves the delivery on if the claim is still its own.
    Column("claim_token", String(36), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
    Index("ix_deliveries_partner_created", "partner_id", "created_at"),
)

delivery_attempts = Table(
    "delivery_attempts", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("delivery_id", String(36), ForeignKey("deliveries.id"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("latency_ms", Integer, nullable=False),
)


# --- partners -------------------------------------------------------------------

def insert_partner(conn, partner, api_key_hash, webhook_secret):
    conn.execute(partners.insert().values(
        id=partner["id"], version=partner["version"], api_key_hash=api_key_hash,
        webhook_secret=webhook_secret, document=to_document(partner),
        created_at=partner["created_at"]))


def get_partner(conn, partner_id):
    row = conn.execute(select(partners.c.document).where(partners.c.id == partner_id)).first()
    return from_document(row.document) if row else None


def partner_id_for_key(conn, api_key_hash):
    return conn.execute(select(partners.c.id)
                        .where(partners.c.api_key_hash == api_key_hash)).scalar()


def existing_partner_ids(conn, partner_ids):
    if not partner_ids:
        return set()
    rows = conn.execute(select(partners.c.id).where(partners.c.id.in_(list(partner_ids))))
    return {row.id for row in rows}


# --- subscriptions ------------------------------------------------------------------

def insert_subscription(conn, subscription):
    conn.execute(subscriptions.insert().values(
        id=subscription["id"], partner_id=subscription["partner_id"],
        document=to_document(subscription), created_at=subscription["created_at"]))


def list_subscriptions(conn, partner_id=None):
    """A partner's subscriptions, or everyone's (to route an event)."""
    query = select(subscriptions.c.document).order_by(subscriptions.c.created_at)
    if partner_id is not None:
        query = query.where(subscriptions.c.partner_id == partner_id)
    return [from_document(row.document) for row in conn.execute(query)]


# --- alerts -----------------------------------------------------------------------

def insert_alert(conn, alert):
    """Store the alert unless this partner already has one for the same fact;
    True if it was new."""
    return insert_if_absent(conn, alerts, {
        "id": alert["id"], "partner_id": alert["partner_id"], "kind": alert["type"],
        "subject_id": alert["subject_id"], "subject_version": alert["subject_version"],
        "dedupe_key": alert["dedupe_key"], "data": to_document(alert["data"]),
        "occurred_at": alert["occurred_at"], "created_at": alert["created_at"],
    })


def partners_alerted_about(conn, subject_id, kinds):
    rows = conn.execute(select(alerts.c.partner_id).distinct()
                        .where(alerts.c.subject_id == subject_id, alerts.c.kind.in_(kinds)))
    return {row.partner_id for row in rows}


def _alert(row):
    return {"id": row.id, "partner_id": row.partner_id, "type": row.kind,
            "subject_id": row.subject_id, "subject_version": row.subject_version,
            "data": row.data, "occurred_at": as_utc(row.occurred_at),
            "created_at": as_utc(row.created_at)}


def alerts_by_id(conn, alert_ids):
    if not alert_ids:
        return {}
    rows = conn.execute(select(alerts).where(alerts.c.id.in_(list(alert_ids))))
    return {row.id: _alert(row) for row in rows}


def list_alerts(conn, partner_id, limit):
    """Newest first, each with its deliveries' status."""
    rows = conn.execute(select(alerts).where(alerts.c.partner_id == partner_id)
                        .order_by(alerts.c.created_at.desc(), alerts.c.id).limit(limit)).all()
    found = [{**_alert(row), "deliveries": []} for row in rows]
    by_id = {alert["id"]: alert for alert in found}
    if by_id:
        for row in conn.execute(select(deliveries).where(deliveries.c.alert_id.in_(list(by_id)))
                                .order_by(deliveries.c.url)):
            by_id[row.alert_id]["deliveries"].append(_delivery(row))
    return found


# --- deliveries ----------------------------------------------------------------------

def _delivery(row):
    return {"id": row.id, "alert_id": row.alert_id, "partner_id": row.partner_id,
            "url": row.url, "status": row.status, "attempts": row.attempts,
            "next_attempt_at": as_utc(row.next_attempt_at),
            "last_status_code": row.last_status_code, "last_error": row.last_error,
            "claim_token": row.claim_token, "created_at": as_utc(row.created_at),
            "delivered_at": as_utc(row.delivered_at)}


def insert_delivery(conn, delivery):
    conn.execute(deliveries.insert().values(
        id=delivery["id"], alert_id=delivery["alert_id"], partner_id=delivery["partner_id"],
        url=delivery["url"], status=delivery["status"], attempts=delivery["attempts"],
        next_attempt_at=delivery["next_attempt_at"], created_at=delivery["created_at"]))


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
    return [_delivery(row) for row in rows]


def webhook_secrets(conn, partner_ids):
    if not partner_ids:
        return {}
    rows = conn.execute(select(partners.c.id, partners.c.webhook_secret)
                        .where(partners.c.id.in_(list(partner_ids))))
    return {row.id: row.webhook_secret for row in rows}


def get_delivery(conn, delivery_id, for_update=False):
    query = select(deliveries).where(deliveries.c.id == delivery_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _delivery(row) if row else None


def update_delivery(conn, delivery_id, changes):
    conn.execute(deliveries.update().where(deliveries.c.id == delivery_id).values(**changes))


def insert_attempt(conn, delivery_id, attempt):
    conn.execute(delivery_attempts.insert().values(
        delivery_id=delivery_id, number=attempt["number"], at=attempt["at"],
        status_code=attempt["status_code"], error=attempt["error"],
        latency_ms=attempt["latency_ms"]))


def list_deliveries(conn, partner_id, limit):
    """The partner's delivery log, newest first, with every attempt."""
    rows = conn.execute(
        select(deliveries, alerts.c.kind.label("alert_type"))
        .join(alerts, alerts.c.id == deliveries.c.alert_id)
        .where(deliveries.c.partner_id == partner_id)
        .order_by(deliveries.c.created_at.desc(), deliveries.c.url).limit(limit)).all()
    found = [{**_delivery(row), "alert_type": row.alert_type, "attempt_log": []} for row in rows]
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
