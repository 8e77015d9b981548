"""Alerts: one per partner per fact, and what became of each."""
from sqlalchemy import func, select

from services.platform.serialization import to_document
from services.platform.sql import as_utc, insert_if_absent, keyset_page

from ..domain import MATCH_KINDS, NOTICE, SENT_NOW, TOLD
from .deliveries import as_delivery
from .tables import alerts, deliveries


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
        "organisation_kind": alert.get("organisation_kind"),
        "organisation_id": alert.get("organisation_id"),
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
            "language": row.language, "organisation_kind": row.organisation_kind,
            "organisation_id": row.organisation_id}


def alerts_by_id(conn, alert_ids):
    if not alert_ids:
        return {}
    rows = conn.execute(select(alerts).where(alerts.c.id.in_(list(alert_ids))))
    return {row.id: _alert(row) for row in rows}


ALERT_ORDER = ((alerts.c.created_at, True), (alerts.c.id, False))


def alerts_page(conn, partner_id, after, size):
    """A page of the partner's alerts, newest first, each with its deliveries' status."""
    query = select(alerts).where(alerts.c.partner_id == partner_id)
    rows = conn.execute(keyset_page(query, ALERT_ORDER, after, size)).all()
    found = [{**_alert(row), "deliveries": []} for row in rows]
    by_id = {alert["id"]: alert for alert in found}
    if by_id:
        for row in conn.execute(select(deliveries).where(deliveries.c.alert_id.in_(list(by_id)))
                                .order_by(deliveries.c.url)):
            by_id[row.alert_id]["deliveries"].append(as_delivery(row))
    return found
