"""The notifications database: partners (with their API-key hash), channels
(with their webhook secrets), subscriptions, alerts, digest items, deliveries
and every delivery attempt. Nothing else in the service touches SQL."""
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
)

from services.platform.outbox import messaging_tables
from services.platform.serialization import from_document, to_document
from services.platform.sql import as_utc, insert_if_absent

from .domain import MATCH_KINDS, NOTICE, PENDING, SENT_NOW, TOLD

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
    # what the event said, without its version: unchanged re-matches are no news
    Column("content_hash", String(64), nullable=True),
    # domain.SENT_NOW, IN_DIGEST, DIGESTED, DROPPED or NOTICE
    Column("disposition", String(16), nullable=False, server_default="immediate"),
    Column("language", String(2), nullable=False, server_default="en"),
    Index("ix_alerts_partner_created", "partner_id", "created_at"),
    Index("ix_alerts_partner_subject", "partner_id", "subject_id"),
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
    Column("channel_id", String(36), nullable=True),
    Column("channel_kind", String(16), nullable=False, server_default="webhook"),
    # attempts made before the latest manual redelivery (its retries start afresh)
    Column("round_start", Integer, nullable=False, server_default="0"),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
    Index("ix_deliveries_partner_created", "partner_id", "created_at"),
)

channels = Table(
    "channels", metadata,
    Column("id", String(36), primary_key=True),
    Column("partner_id", String(36), ForeignKey("partners.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("target", Text, nullable=False),
    Column("label", Text, nullable=True),
    Column("enabled", Boolean, nullable=False),
    Column("disabled_reason", Text, nullable=True),
    Column("consecutive_failures", Integer, nullable=False),
    # webhook channels: the signing secret, and the one it replaced until
    # previous_secret_until (rotation grace). Never part of what is returned.
    Column("secret", Text, nullable=True),
    Column("previous_secret", Text, nullable=True),
    Column("previous_secret_until", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("deleted_at", DateTime(timezone=True), nullable=True),
)

digest_items = Table(
    "digest_items", metadata,
    Column("id", String(36), primary_key=True),
    Column("partner_id", String(36), ForeignKey("partners.id"), nullable=False),
    # the digest subscription it waits for; NULL: the default daily digest
    Column("subscription_id", String(36), nullable=True),
    Column("alert_id", String(36), ForeignKey("alerts.id"), nullable=False),
    Column("subject_id", String(64), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    # pending, sent, dropped (withdrawn first), superseded (a newer one came)
    Column("status", String(16), nullable=False),
    Column("language", String(2), nullable=False),
    Column("channel_ids", JSON, nullable=False),
    Column("digest_alert_id", String(36), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_digest_items_due", "status", "due_at"),
    Index("ix_digest_items_subject", "partner_id", "subject_id", "status"),
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
    """webhook_secret: the secret given at registration (it also signs for
    the channels made from the registration's webhook URLs)."""
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
        "content_hash": alert.get("content_hash"), "disposition": alert["disposition"],
        "language": alert["language"],
    })


def partners_alerted_about(conn, subject_id, kinds):
    """Partners that were told (at once or in a sent digest) of the subject."""
    rows = conn.execute(select(alerts.c.partner_id).distinct()
                        .where(alerts.c.subject_id == subject_id, alerts.c.kind.in_(kinds),
                               alerts.c.disposition.in_(TOLD)))
    return {row.partner_id for row in rows}


def latest_alert_about(conn, partner_id, subject_id):
    """{subject_version, content_hash} of the partner's newest alert about
    the subject, or None."""
    row = conn.execute(
        select(alerts.c.subject_version, alerts.c.content_hash)
        .where(alerts.c.partner_id == partner_id, alerts.c.subject_id == subject_id,
               alerts.c.disposition != NOTICE)
        .order_by(alerts.c.subject_version.desc(), alerts.c.created_at.desc()).limit(1)).first()
    return {"subject_version": row.subject_version, "content_hash": row.content_hash} \
        if row else None


def immediate_alerts_since(conn, partner_id, since):
    """How many alerts the partner got at once since `since` (its budget)."""
    return conn.execute(select(func.count()).select_from(alerts).where(
        alerts.c.partner_id == partner_id, alerts.c.disposition == SENT_NOW,
        alerts.c.created_at >= since)).scalar()


def set_disposition(conn, alert_ids, disposition):
    if alert_ids:
        conn.execute(alerts.update().where(alerts.c.id.in_(list(alert_ids)))
                     .values(disposition=disposition))


def matches_alerted(conn, partner_id):
    """Distinct matches the partner was ever told about."""
    return conn.execute(select(func.count(alerts.c.subject_id.distinct())).where(
        alerts.c.partner_id == partner_id, alerts.c.kind.in_(MATCH_KINDS),
        alerts.c.disposition.in_(TOLD))).scalar()


def _alert(row):
    return {"id": row.id, "partner_id": row.partner_id, "type": row.kind,
            "subject_id": row.subject_id, "subject_version": row.subject_version,
            "data": row.data, "occurred_at": as_utc(row.occurred_at),
            "created_at": as_utc(row.created_at), "disposition": row.disposition,
            "language": row.language}


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
            "delivered_at": as_utc(row.delivered_at), "channel_id": row.channel_id,
            "channel_kind": row.channel_kind, "round_start": row.round_start}


def insert_delivery(conn, delivery):
    conn.execute(deliveries.insert().values(
        id=delivery["id"], alert_id=delivery["alert_id"], partner_id=delivery["partner_id"],
        url=delivery["url"], status=delivery["status"], attempts=delivery["attempts"],
        next_attempt_at=delivery["next_attempt_at"], created_at=delivery["created_at"],
        channel_id=delivery["channel_id"], channel_kind=delivery["channel_kind"],
        round_start=delivery["round_start"]))


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


def list_deliveries(conn, partner_id, limit, delivery_id=None):
    """The partner's delivery log, newest first, with every attempt."""
    query = (select(deliveries, alerts.c.kind.label("alert_type"))
             .join(alerts, alerts.c.id == deliveries.c.alert_id)
             .where(deliveries.c.partner_id == partner_id)
             .order_by(deliveries.c.created_at.desc(), deliveries.c.url).limit(limit))
    if delivery_id is not None:
        query = query.where(deliveries.c.id == delivery_id)
    rows = conn.execute(query).all()
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


# --- channels ------------------------------------------------------------------------

def _channel(row):
    return {"id": row.id, "partner_id": row.partner_id, "kind": row.kind,
            "url": row.target if row.kind == "webhook" else None,
            "address": row.target if row.kind == "email" else None,
            "target": row.target, "label": row.label, "enabled": row.enabled,
            "disabled_reason": row.disabled_reason,
            "consecutive_failures": row.consecutive_failures,
            "previous_secret_valid_until": as_utc(row.previous_secret_until)
            if row.previous_secret else None,
            "created_at": as_utc(row.created_at)}


def insert_channel(conn, channel, secret=None):
    conn.execute(channels.insert().values(
        id=channel["id"], partner_id=channel["partner_id"], kind=channel["kind"],
        target=channel["target"], label=channel.get("label"), enabled=channel["enabled"],
        disabled_reason=channel["disabled_reason"],
        consecutive_failures=channel["consecutive_failures"], secret=secret,
        created_at=channel["created_at"]))


def list_channels(conn, partner_id):
    rows = conn.execute(select(channels).where(channels.c.partner_id == partner_id,
                                               channels.c.deleted_at.is_(None))
                        .order_by(channels.c.created_at, channels.c.id))
    return [_channel(row) for row in rows]


def get_channel(conn, partner_id, channel_id, for_update=False):
    query = select(channels).where(channels.c.id == channel_id,
                                   channels.c.partner_id == partner_id,
                                   channels.c.deleted_at.is_(None))
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _channel(row) if row else None


def channels_by_id(conn, channel_ids):
    if not channel_ids:
        return {}
    rows = conn.execute(select(channels).where(channels.c.id.in_(list(channel_ids))))
    return {row.id: {**_channel(row), "deleted": row.deleted_at is not None} for row in rows}


def update_channel(conn, channel_id, changes):
    conn.execute(channels.update().where(channels.c.id == channel_id).values(**changes))


def channel_secrets(conn, channel_ids):
    """channel id -> {secret, previous_secret, previous_secret_until}."""
    if not channel_ids:
        return {}
    rows = conn.execute(select(channels.c.id, channels.c.secret, channels.c.previous_secret,
                               channels.c.previous_secret_until)
                        .where(channels.c.id.in_(list(channel_ids))))
    return {row.id: {"secret": row.secret, "previous_secret": row.previous_secret,
                     "previous_secret_until": as_utc(row.previous_secret_until)}
            for row in rows}


# --- subscriptions: change -----------------------------------------------------------

def get_subscription(conn, partner_id, subscription_id):
    row = conn.execute(select(subscriptions.c.document).where(
        subscriptions.c.id == subscription_id,
        subscriptions.c.partner_id == partner_id)).first()
    return from_document(row.document) if row else None


def replace_subscription(conn, subscription):
    conn.execute(subscriptions.update().where(subscriptions.c.id == subscription["id"])
                 .values(document=to_document(subscription)))


def delete_subscription(conn, subscription_id):
    conn.execute(subscriptions.delete().where(subscriptions.c.id == subscription_id))


def partners_by_id(conn, partner_ids):
    if not partner_ids:
        return {}
    rows = conn.execute(select(partners.c.id, partners.c.document)
                        .where(partners.c.id.in_(list(partner_ids))))
    return {row.id: from_document(row.document) for row in rows}


# --- digests ---------------------------------------------------------------------------

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
