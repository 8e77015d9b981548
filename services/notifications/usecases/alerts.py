"""Events in, alerts out: every event a partner may be alerted about makes
at most one alert per partner, sent at once on its channels or put in a
digest (daily budget, digest subscriptions); and reading the alerts.

Business clock (clock.now()) for alert times, the daily budget and digest
due times; the deliveries made for an alert start on the real clock."""
import logging
from datetime import datetime

from services.contracts.actors import require_owner_or_operator
from services.contracts.vocabulary import ALERT_EVENT_KINDS
from services.platform import clock, pages
from services.platform.serialization import to_document

from .. import config, domain, storage
from ..schemas import AlertOut
from .delivery import deliver_to
from .organisations import alert_organisations
from .partners import require_partner

log = logging.getLogger(__name__)


def _queue_for_digest(conn, alert, route, subject, now):
    """Put the alert in the digest `route` chose; a newer alert about the
    same subject replaces the one waiting there."""
    partner_id = alert["partner_id"]
    waiting = storage.pending_digest_items_about(conn, subject["id"], partner_id)
    storage.set_digest_items_status(conn, [w["id"] for w in waiting], "superseded")
    storage.set_disposition(conn, [w["alert_id"] for w in waiting], domain.DROPPED)
    storage.insert_digest_item(conn, {
        "id": domain.new_id(), "partner_id": partner_id,
        "subscription_id": route["subscription_id"], "alert_id": alert["id"],
        "subject_id": subject["id"], "due_at": route["due_at"], "status": "pending",
        "language": route["language"], "channel_ids": route["channel_ids"],
        "created_at": now})


def _create_alerts(conn, settings, found, kind, payload, subject, event):
    """One alert per partner for this fact, unless it is no news to them (the
    same fact: the dedupe key is taken; an older version; the same content
    as their latest alert about it). Sent at once, or put in a digest
    (domain.plan). Returns the ids of the alerts created."""
    now = clock.now()
    content = domain.content_hash(to_document(payload))
    partners = storage.partners_by_id(conn, set(found))
    default_digest = {"frequency": domain.DAILY, "hour": settings.default_digest_hour}
    created = []
    for partner_id in sorted(found):  # a fixed order: no lock-order deadlocks
        partner = partners.get(partner_id)
        if partner is None:
            continue
        previous = storage.latest_alert_about(conn, partner_id, subject["id"])
        if not domain.is_news(subject, content, previous):
            continue
        enabled = [c["id"] for c in storage.list_channels(conn, partner_id) if c["enabled"]]
        sent_today = storage.immediate_alerts_since(
            conn, partner_id, domain.local_day_start(partner["time_zone"], now))
        route = domain.plan(partner, found[partner_id], enabled, sent_today,
                            settings.partner_daily_budget, default_digest, now)
        alert = domain.new_alert(partner_id, kind, subject["id"], subject["version"],
                                 event.occurred_at, to_document(payload), now,
                                 fact=subject["fact"], content=content)
        alert.update(disposition=route["disposition"], language=route["language"])
        if not storage.insert_alert(conn, alert):
            continue
        if route["disposition"] == domain.SENT_NOW:
            deliver_to(conn, alert, route["channel_ids"], clock.real_now())
        else:
            _queue_for_digest(conn, alert, route, subject, now)
        created.append(alert["id"])
    if created:
        log.info("%s %s v%s: %d alert(s)", kind, subject["id"], subject["version"], len(created))
    return created


def _drop_from_digests(conn, subject_id):
    """A withdrawn match leaves every digest it waits in: whoever was not
    told of it yet will not be (nor of its withdrawal)."""
    waiting = storage.pending_digest_items_about(conn, subject_id)
    storage.set_digest_items_status(conn, [w["id"] for w in waiting], "dropped")
    storage.set_disposition(conn, [w["alert_id"] for w in waiting], domain.DROPPED)


def event_received(db, settings, consumer, event):
    """Any event a partner may be alerted about: match.*, introduction.*,
    agreement.*, obligation.*. Kinds that are not alerts
    (vocabulary.ALERT_EVENT_KINDS: e.g. introduction.declined) are only
    recorded as handled."""
    kind, payload = event.type, event.payload

    def work(uow):
        if kind not in ALERT_EVENT_KINDS:
            return []
        conn = uow.connection
        subject = domain.subject_of(kind, payload)
        told = set()
        if kind == domain.MATCH_WITHDRAWN:
            _drop_from_digests(conn, subject["id"])
            told = storage.partners_alerted_about(conn, subject["id"],
                                                  ("match.found", "match.updated"))
        known = storage.existing_partner_ids(conn, subject["always"])
        found = domain.recipients(kind, subject, storage.list_subscriptions(conn), known, told)
        # the people of the companies, parks and partners concerned: same event, same inbox row
        alert_organisations(conn, settings, kind, payload, subject, event)
        return _create_alerts(conn, settings, found, kind, payload, subject, event)

    return db.handle(consumer, event, work, serializable=True)


def match_changed(db, settings, event):
    return event_received(db, settings, config.MATCH_CONSUMER, event)


def agreement_changed(db, settings, event):
    """agreement.proposed and agreement.signed alert the agreement's partner
    parties, its sponsor and the subscribers in scope."""
    return event_received(db, settings, config.AGREEMENT_CONSUMER, event)


def introduction_changed(db, settings, event):
    """introduction.requested and .accepted alert the sponsor partner and
    subscribers in scope; the event carries no contact details, and neither
    does the alert."""
    return event_received(db, settings, config.INTRODUCTION_CONSUMER, event)


def obligation_reminded(db, settings, event):
    """obligation.due and .overdue alert the agreement's sponsor and partner
    parties, and subscribers in scope."""
    return event_received(db, settings, config.OBLIGATION_CONSUMER, event)


def list_alerts(db, actor, partner_id, limit=None, cursor=None):
    """A page of the partner's alerts, newest first."""
    require_owner_or_operator(actor, "partner", partner_id, "this partner's alerts")
    page = pages.request(f"alerts/{partner_id}", limit, cursor, kinds=(datetime, str))

    def work(uow):
        require_partner(uow.connection, partner_id)
        return storage.alerts_page(uow.connection, partner_id, page.after, page.fetch)

    return page.page(db.run(work), lambda alert: (alert["created_at"], alert["id"]),
                     AlertOut(many=True).dump)


def matches_alerted(db, actor, partner_id):
    """For the funnel: how many distinct matches the partner was ever told of
    (at once or in a digest that went out)."""
    require_owner_or_operator(actor, "partner", partner_id, "this partner's funnel")

    def work(uow):
        require_partner(uow.connection, partner_id)
        return storage.matches_alerted(uow.connection, partner_id)

    return {"matches": db.run(work)}
