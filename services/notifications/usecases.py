"""What partners, the operator and incoming events can do here. Each function
is one unit of work (`db.run`, or `db.handle` for events, whose inbox makes a
redelivered event do nothing).

Webhook delivery is the exception by design: claiming due deliveries, the
HTTP call and recording its result are three steps, and the HTTP call runs
outside any transaction so a slow endpoint never holds a database lock."""
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from services.contracts.actors import require_operator, require_owner_or_operator
from services.contracts.errors import NotFound
from services.platform import keys
from services.platform.serialization import to_document
from services.platform.validation import load_input

from . import config, domain, signing, storage, webhooks
from .schemas import (
    AlertOut, DeliveryOut, ListingOptions, PartnerOut, PartnerRegistration, SubscriptionIn,
    SubscriptionOut,
)

log = logging.getLogger(__name__)


def _now():
    return datetime.now(timezone.utc)


def _require_partner(conn, partner_id):
    partner = storage.get_partner(conn, partner_id)
    if partner is None:
        raise NotFound(f"no partner {partner_id}")
    return partner


# --- partners -----------------------------------------------------------------------

def register_partner(db, actor, data):
    require_operator(actor, "partner registration (partners are vetted)")
    fields = load_input(PartnerRegistration(), data)
    api_key = keys.new_key("partner")
    webhook_secret = signing.new_secret()

    def work(uow):
        partner = domain.new_partner(fields, _now())
        storage.insert_partner(uow.connection, partner, keys.hash_key(api_key), webhook_secret)
        uow.emit("partner.registered", domain.partner_snapshot(partner))
        return partner

    partner = db.run(work)
    return {"partner": PartnerOut().dump(partner), "api_key": api_key,
            "webhook_secret": webhook_secret}


def get_partner(db, actor, partner_id):
    require_owner_or_operator(actor, "partner", partner_id, "this partner")
    return PartnerOut().dump(db.run(lambda uow: _require_partner(uow.connection, partner_id)))


def authenticate(db, api_key):
    """The partner an API key belongs to, or None."""
    if keys.kind_of(api_key) != "partner":
        return None
    partner_id = db.run(lambda uow: storage.partner_id_for_key(uow.connection,
                                                               keys.hash_key(api_key)))
    return {"kind": "partner", "id": partner_id} if partner_id else None


# --- subscriptions -----------------------------------------------------------------------

def add_subscription(db, actor, partner_id, data):
    require_owner_or_operator(actor, "partner", partner_id, "this partner's subscriptions")
    fields = load_input(SubscriptionIn(), data)

    def work(uow):
        _require_partner(uow.connection, partner_id)
        subscription = domain.new_subscription(partner_id, fields, _now())
        storage.insert_subscription(uow.connection, subscription)
        return subscription

    return SubscriptionOut().dump(db.run(work))


def list_subscriptions(db, actor, partner_id):
    require_owner_or_operator(actor, "partner", partner_id, "this partner's subscriptions")

    def work(uow):
        _require_partner(uow.connection, partner_id)
        return storage.list_subscriptions(uow.connection, partner_id)

    return SubscriptionOut(many=True).dump(db.run(work))


# --- events in, alerts out -----------------------------------------------------------

def _create_alerts(conn, partner_ids, kind, subject, subject_id, event):
    """One alert per partner for this fact (a second event with the same
    fact finds the dedupe key taken), and one pending delivery per webhook
    URL of the partner. Returns the ids of the alerts created."""
    now = _now()
    created = []
    for partner_id in sorted(partner_ids):  # a fixed order: no lock-order deadlocks
        partner = storage.get_partner(conn, partner_id)
        if partner is None:
            continue
        alert = domain.new_alert(partner_id, kind, subject_id, subject["version"],
                                 event.occurred_at, to_document(subject), now)
        if not storage.insert_alert(conn, alert):
            continue
        for url in partner.get("webhooks") or []:
            storage.insert_delivery(conn, domain.new_delivery(alert, url, now))
        created.append(alert["id"])
    if created:
        log.info("%s %s v%s: %d alert(s)", kind, subject_id, subject["version"], len(created))
    return created


def match_changed(db, event):
    match = event.payload

    def work(uow):
        conn = uow.connection
        previously_alerted = set()
        if event.type == "match.withdrawn":
            previously_alerted = storage.partners_alerted_about(
                conn, match["match_id"], ("match.found", "match.updated"))
        recipients = domain.match_recipients(
            event.type, match, storage.list_subscriptions(conn), previously_alerted)
        return _create_alerts(conn, recipients, event.type, match, match["match_id"], event)

    return db.handle(config.MATCH_CONSUMER, event, work)


def agreement_changed(db, event):
    """agreement.signed alerts its partner parties, its sponsor and the
    subscribers in scope. agreement.proposed is consumed but is not an alert
    kind (vocabulary.ALERT_EVENT_KINDS), so it creates nothing yet."""
    agreement = event.payload

    def work(uow):
        conn = uow.connection
        known = storage.existing_partner_ids(conn, domain.agreement_parties(agreement))
        recipients = domain.agreement_recipients(
            event.type, agreement, storage.list_subscriptions(conn), known)
        return _create_alerts(conn, recipients, event.type, agreement,
                              agreement["agreement_id"], event)

    return db.handle(config.AGREEMENT_CONSUMER, event, work)


def list_alerts(db, actor, partner_id, limit=100):
    require_owner_or_operator(actor, "partner", partner_id, "this partner's alerts")
    options = load_input(ListingOptions(), {"limit": limit})

    def work(uow):
        _require_partner(uow.connection, partner_id)
        return storage.list_alerts(uow.connection, partner_id, options["limit"])

    return AlertOut(many=True).dump(db.run(work))


def list_deliveries(db, actor, partner_id, limit=100):
    require_owner_or_operator(actor, "partner", partner_id, "this partner's deliveries")
    options = load_input(ListingOptions(), {"limit": limit})

    def work(uow):
        _require_partner(uow.connection, partner_id)
        return storage.list_deliveries(uow.connection, partner_id, options["limit"])

    return DeliveryOut(many=True).dump(db.run(work))


# --- webhook delivery --------------------------------------------------------------------

def _webhook_body(alert):
    return json.dumps(to_document(domain.alert_message(alert)), ensure_ascii=False,
                      separators=(",", ":"))


def claim_due_deliveries(db, limit):
    """Claim up to `limit` due deliveries for this process. Each comes back
    with what sending it needs; the claim token proves it is still ours when
    the result is recorded."""
    claim_token = domain.new_id()

    def work(uow):
        conn = uow.connection
        now = _now()
        lease_until = now + timedelta(seconds=config.delivery_lease_seconds())
        claimed = storage.claim_due_deliveries(conn, now, lease_until, claim_token, limit)
        alerts = storage.alerts_by_id(conn, {d["alert_id"] for d in claimed})
        secrets = storage.webhook_secrets(conn, {d["partner_id"] for d in claimed})
        return [{"delivery": delivery, "body": _webhook_body(alerts[delivery["alert_id"]]),
                 "secret": secrets[delivery["partner_id"]]} for delivery in claimed]

    return db.run(work)


def record_attempt(db, delivery, claim_token, outcome):
    """Log the attempt and move the delivery on: delivered, a retry later, or
    failed once the retry schedule is used up. Returns the new status."""

    def work(uow):
        conn = uow.connection
        now = _now()
        current = storage.get_delivery(conn, delivery["id"], for_update=True)
        number = current["attempts"] + 1
        storage.insert_attempt(conn, current["id"], {
            "number": number, "at": now, "status_code": outcome.status_code,
            "error": domain.describe_failure(outcome.status_code, outcome.error),
            "latency_ms": outcome.latency_ms})
        if current["claim_token"] != claim_token or current["status"] != domain.PENDING:
            # Our lease ran out and another process took the delivery over:
            # the attempt happened, but its state is that process's to set.
            storage.update_delivery(conn, current["id"], {"attempts": number})
            return current["status"]
        changes = domain.after_attempt(current, outcome.status_code, outcome.error, now,
                                       config.webhook_retry_delays())
        storage.update_delivery(conn, current["id"], {**changes, "claim_token": None})
        return changes["status"]

    status = db.run(work)
    if status == domain.FAILED:
        log.warning("webhook delivery %s to %s failed for good after %s",
                    delivery["id"], delivery["url"], domain.describe_failure(
                        outcome.status_code, outcome.error))
    return status


def send_claimed(db, claimed, send=webhooks.post):
    """Send one claimed delivery (no transaction open) and record the result."""
    delivery = claimed["delivery"]
    outcome = send(delivery["url"], claimed["body"], delivery["id"], claimed["secret"],
                   config.webhook_timeout())
    return record_attempt(db, delivery, delivery["claim_token"], outcome)


def deliver_due(db, send=webhooks.post, max_rounds=10):
    """Send what is due, a few at a time in parallel so one slow endpoint
    does not hold up the others. Returns how many deliveries were attempted."""
    concurrency = config.delivery_concurrency()
    total = 0
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for _ in range(max_rounds):
            batch = claim_due_deliveries(db, concurrency)
            list(pool.map(lambda claimed: send_claimed(db, claimed, send), batch))
            total += len(batch)
            if len(batch) < concurrency:
                break
    return total
