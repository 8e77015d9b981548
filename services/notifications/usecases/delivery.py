"""Deliveries: making them, the delivery log and manual redelivery, and
sending: claiming due deliveries, the HTTP call (or SMTP session) and
recording its result are three steps, and the call runs outside any
transaction so a slow endpoint never holds a database lock.

All of it is bookkeeping, on the real clock (clock.real_now()): leases,
retry times, attempt timestamps."""
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from services.contracts.actors import require_owner_or_operator
from services.contracts.errors import NotFound
from services.platform import clock, mail, pages
from services.platform.serialization import to_document

from .. import domain, storage, templates, webhooks
from ..schemas import DeliveryOut
from .organisations import render_email
from .partners import require_partner

log = logging.getLogger(__name__)

SCOPE = "this partner's deliveries"


def deliver_to(conn, alert, channel_ids, now):
    """One pending delivery of the alert per enabled channel, due `now`."""
    channels = storage.channels_by_id(conn, channel_ids)
    for channel_id in channel_ids:
        channel = channels.get(channel_id)
        if channel and channel["enabled"] and not channel["deleted"]:
            storage.insert_delivery(conn, domain.new_delivery(
                alert, channel["target"], now, channel_id=channel_id, kind=channel["kind"]))


# --- the delivery log ---------------------------------------------------------------

def list_deliveries(db, actor, partner_id, limit=None, cursor=None):
    """A page of the partner's delivery log, newest first."""
    require_owner_or_operator(actor, "partner", partner_id, SCOPE)
    page = pages.request(f"deliveries/{partner_id}", limit, cursor, kinds=(datetime, str, str))

    def work(uow):
        require_partner(uow.connection, partner_id)
        return storage.deliveries_page(uow.connection, partner_id, page.after, page.fetch)

    return page.page(db.run(work), lambda d: (d["created_at"], d["url"], d["id"]),
                     DeliveryOut(many=True).dump)


def redeliver(db, actor, partner_id, delivery_id):
    """Send a delivery again now, with the same webhook-id (the receiver
    dedups), and a fresh retry schedule."""
    require_owner_or_operator(actor, "partner", partner_id, SCOPE)

    def work(uow):
        conn = uow.connection
        require_partner(conn, partner_id)
        delivery = storage.get_delivery(conn, delivery_id, for_update=conn.dialect.name
                                        == "postgresql")
        if delivery is None or delivery["partner_id"] != partner_id:
            raise NotFound(f"partner {partner_id} has no delivery {delivery_id}")
        storage.update_delivery(conn, delivery_id, domain.redelivery(delivery, clock.real_now()))
        return storage.deliveries_page(conn, partner_id, None, 1, delivery_id=delivery_id)[0]

    return DeliveryOut().dump(db.run(work))


# --- sending ----------------------------------------------------------------------------

def _webhook_body(alert):
    return json.dumps(to_document(domain.alert_message(alert)), ensure_ascii=False,
                      separators=(",", ":"))


def claim_due_deliveries(db, settings, limit):
    """Claim up to `limit` due deliveries for this process. Each comes back
    with what sending it needs; the claim token proves it is still ours when
    the result is recorded. Deliveries to a channel disabled (or deleted)
    since they were made fail at once, unsent."""
    claim_token = domain.new_id()

    def work(uow):
        conn = uow.connection
        now = clock.real_now()
        lease_until = now + timedelta(seconds=settings.delivery_lease_seconds)
        claimed = storage.claim_due_deliveries(conn, now, lease_until, claim_token, limit)
        alerts = storage.alerts_by_id(conn, {d["alert_id"] for d in claimed})
        channel_ids = {d["channel_id"] for d in claimed} - {None}
        channels = storage.channels_by_id(conn, channel_ids)
        secrets = storage.channel_secrets(conn, channel_ids, settings.secrets)
        legacy = storage.webhook_secrets(conn, {d["partner_id"] for d in claimed
                                                if d["channel_id"] is None}, settings.secrets)
        ready = []
        for delivery in claimed:
            channel = channels.get(delivery["channel_id"])
            if channel is not None and (channel["deleted"] or not channel["enabled"]):
                storage.update_delivery(conn, delivery["id"], {
                    "status": domain.FAILED, "next_attempt_at": None, "claim_token": None,
                    "last_error": "not sent: the channel is disabled"})
                continue
            alert = alerts[delivery["alert_id"]]
            entry = {"delivery": delivery}
            if delivery.get("person_id"):
                entry["email"] = render_email(conn, settings, alert, delivery)
            elif delivery["channel_kind"] == domain.EMAIL:
                entry["email"] = templates.render(alert["type"], alert["data"],
                                                  alert["language"])
            else:
                entry["body"] = _webhook_body(alert)
                entry["secrets"] = (domain.signing_secrets(secrets[channel["id"]], now)
                                    if channel else [legacy[delivery["partner_id"]]])
            ready.append(entry)
        return ready

    return db.run(work)


def _disabled_notice(conn, channel, now):
    """Tell the partner a channel was disabled: on its enabled e-mail
    channels, else at its contact address. `now`: the real clock's (the
    alert's own date is the business clock's)."""
    partner = storage.get_partner(conn, channel["partner_id"])
    alert = domain.new_alert(channel["partner_id"], domain.CHANNEL_DISABLED, channel["id"], 1,
                             now, {"channel_id": channel["id"], "kind": channel["kind"],
                                   "target": channel["target"],
                                   "reason": channel["disabled_reason"]}, clock.now(),
                             fact=domain.new_id())
    alert.update(disposition=domain.NOTICE, language=partner.get("language") or "en")
    storage.insert_alert(conn, alert)
    emails = [c for c in storage.list_channels(conn, channel["partner_id"])
              if c["kind"] == domain.EMAIL and c["enabled"] and c["id"] != channel["id"]]
    if emails:
        deliver_to(conn, alert, [c["id"] for c in emails], now)
    elif partner.get("email"):
        storage.insert_delivery(conn, domain.new_delivery(alert, partner["email"], now,
                                                          kind=domain.EMAIL))
    else:
        log.warning("channel %s of partner %s disabled; the partner has no e-mail to tell",
                    channel["id"], channel["partner_id"])


def _count_on_channel(conn, settings, delivery, status, now):
    """A delivery to a channel ended (`status`): reset or count the channel's
    failures, and disable it (telling the partner) at the limit."""
    channel = storage.get_channel(conn, delivery["partner_id"], delivery["channel_id"],
                                  for_update=True)
    if channel is None:
        return
    changes = domain.channel_after_delivery(channel, status, settings.channel_failure_limit)
    if changes:
        storage.update_channel(conn, channel["id"], changes)
    if changes.get("enabled") is False:
        log.warning("channel %s of partner %s disabled: %s", channel["id"],
                    channel["partner_id"], changes["disabled_reason"])
        _disabled_notice(conn, {**channel, **changes}, now)


def record_attempt(db, settings, delivery, claim_token, outcome):
    """Log the attempt and move the delivery on: delivered, a retry later, or
    failed once the retry schedule is used up; a channel whose deliveries
    fail `channel_failure_limit` times in a row is disabled and the partner
    told. Returns the new status."""

    def work(uow):
        conn = uow.connection
        now = clock.real_now()
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
                                       settings.webhook_retry_delays)
        storage.update_delivery(conn, current["id"], {**changes, "claim_token": None})
        if current["channel_id"] and changes["status"] != domain.PENDING:
            _count_on_channel(conn, settings, current, changes["status"], now)
        return changes["status"]

    status = db.run(work)
    if status == domain.FAILED:
        log.warning("delivery %s to %s failed for good after %s",
                    delivery["id"], delivery["url"], domain.describe_failure(
                        outcome.status_code, outcome.error))
    return status


def send_claimed(db, settings, claimed, send=webhooks.post, send_mail=mail.send):
    """Send one claimed delivery (no transaction open) and record the result."""
    delivery = claimed["delivery"]
    if delivery["channel_kind"] == domain.EMAIL:
        subject, text, html = claimed["email"]
        outcome = send_mail(settings.smtp, delivery["url"], subject, text, html,
                            message_id=delivery["id"])
    else:
        outcome = send(delivery["url"], claimed["body"], delivery["id"], claimed["secrets"],
                       settings.webhook_timeout, allow_loopback=settings.allow_loopback)
    return record_attempt(db, settings, delivery, delivery["claim_token"], outcome)


def deliver_due(db, settings, send=webhooks.post, max_rounds=10):
    """Send what is due, a few at a time in parallel so one slow endpoint
    does not hold up the others. Returns how many deliveries were attempted."""
    concurrency = settings.delivery_concurrency
    total = 0
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for _ in range(max_rounds):
            batch = claim_due_deliveries(db, settings, concurrency)
            list(pool.map(lambda claimed: send_claimed(db, settings, claimed, send), batch))
            total += len(batch)
            if len(batch) < concurrency:
                break
    return total
