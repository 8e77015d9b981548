"""What partners, the operator, incoming events and the timers can do here.
Each function is one unit of work (`db.run`, or `db.handle` for events, whose
inbox makes a redelivered event do nothing).

Delivery is the exception by design: claiming due deliveries, the HTTP call
(or SMTP session) and recording its result are three steps, and the call runs
outside any transaction so a slow endpoint never holds a database lock.

Two clocks: business time (alert times, daily budgets, digest hours) is
services.platform.clock.now(), which tests and rehearsals can move; delivery
bookkeeping (retry times, leases) is the real clock."""
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from services.contracts.actors import require_operator, require_owner_or_operator
from services.contracts.errors import Conflict, InvalidInput, NotFound
from services.contracts.vocabulary import ALERT_EVENT_KINDS
from services.platform import clock, keys
from services.platform.serialization import to_document
from services.platform.validation import load_input

from . import config, domain, mailer, signing, ssrf, storage, templates, webhooks
from .schemas import (
    AlertOut,
    ChannelCreated,
    ChannelIn,
    ChannelOut,
    ChannelUpdate,
    DeliveryOut,
    ListingOptions,
    PartnerOut,
    PartnerRegistration,
    SecretRotated,
    SubscriptionIn,
    SubscriptionOut,
)

log = logging.getLogger(__name__)


def _now():
    """Delivery bookkeeping: the real clock."""
    return datetime.now(UTC)


def _require_partner(conn, partner_id):
    partner = storage.get_partner(conn, partner_id)
    if partner is None:
        raise NotFound(f"no partner {partner_id}")
    return partner


def _check_webhook_url(url, field):
    """The SSRF rules at registration: a 422 naming the field and why."""
    try:
        ssrf.check_url(url, allow_loopback=config.allow_loopback())
    except ssrf.UnsafeUrl as exc:
        raise InvalidInput({field: [str(exc)]}) from None


# --- partners -----------------------------------------------------------------------

def register_partner(db, actor, data):
    require_operator(actor, "partner registration (partners are vetted)")
    fields = load_input(PartnerRegistration(), data)
    problems = {}
    for index, url in enumerate(fields["webhooks"]):
        try:
            ssrf.check_url(url, allow_loopback=config.allow_loopback())
        except ssrf.UnsafeUrl as exc:
            problems[index] = [str(exc)]
    if problems:
        raise InvalidInput({"webhooks": problems})
    api_key = keys.new_key("partner")
    webhook_secret = signing.new_secret()

    def work(uow):
        now = clock.now()
        partner = domain.new_partner(fields, now)
        storage.insert_partner(uow.connection, partner, keys.hash_key(api_key), webhook_secret)
        # the registration's webhook URLs are its first channels, signed with
        # the secret returned now (each channel can rotate its own later)
        for url in fields["webhooks"]:
            storage.insert_channel(uow.connection, domain.new_channel(
                partner["id"], domain.WEBHOOK, url, now), secret=webhook_secret)
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


# --- channels -------------------------------------------------------------------------

def _require_channel(conn, partner_id, channel_id):
    channel = storage.get_channel(conn, partner_id, channel_id)
    if channel is None:
        raise NotFound(f"partner {partner_id} has no channel {channel_id}")
    return channel


def add_channel(db, actor, partner_id, data):
    require_owner_or_operator(actor, "partner", partner_id, "this partner's channels")
    fields = load_input(ChannelIn(), data)
    if fields["kind"] == domain.WEBHOOK:
        _check_webhook_url(fields["url"], "url")
    secret = signing.new_secret() if fields["kind"] == domain.WEBHOOK else None

    def work(uow):
        _require_partner(uow.connection, partner_id)
        channel = domain.new_channel(partner_id, fields["kind"],
                                     fields["url"] or fields["address"], clock.now(),
                                     label=fields["label"])
        channel["enabled"] = fields["enabled"]
        storage.insert_channel(uow.connection, channel, secret=secret)
        return storage.get_channel(uow.connection, partner_id, channel["id"])

    return ChannelCreated().dump({"channel": db.run(work), "secret": secret})


def list_channels(db, actor, partner_id):
    require_owner_or_operator(actor, "partner", partner_id, "this partner's channels")

    def work(uow):
        _require_partner(uow.connection, partner_id)
        return storage.list_channels(uow.connection, partner_id)

    return ChannelOut(many=True).dump(db.run(work))


def update_channel(db, actor, partner_id, channel_id, data):
    require_owner_or_operator(actor, "partner", partner_id, "this partner's channels")
    fields = load_input(ChannelUpdate(), data)
    if fields.get("url"):
        _check_webhook_url(fields["url"], "url")

    def work(uow):
        conn = uow.connection
        channel = _require_channel(conn, partner_id, channel_id)
        changes = {}
        if "url" in fields:
            if channel["kind"] != domain.WEBHOOK:
                raise InvalidInput({"url": ["an e-mail channel has an address, not a url"]})
            changes["target"] = fields["url"]
        if "address" in fields:
            if channel["kind"] != domain.EMAIL:
                raise InvalidInput({"address": ["a webhook channel has a url, not an address"]})
            changes["target"] = fields["address"]
        if "label" in fields:
            changes["label"] = fields["label"]
        if "enabled" in fields:
            changes["enabled"] = fields["enabled"]
            if fields["enabled"]:
                changes.update(consecutive_failures=0, disabled_reason=None)
            elif channel["enabled"]:
                changes["disabled_reason"] = "disabled by the partner"
        if changes:
            storage.update_channel(conn, channel_id, changes)
        return storage.get_channel(conn, partner_id, channel_id)

    return ChannelOut().dump(db.run(work))


def delete_channel(db, actor, partner_id, channel_id):
    require_owner_or_operator(actor, "partner", partner_id, "this partner's channels")

    def work(uow):
        channel = _require_channel(uow.connection, partner_id, channel_id)
        storage.update_channel(uow.connection, channel_id,
                               {"deleted_at": _now(), "enabled": False})
        return channel

    return ChannelOut().dump(db.run(work))


def rotate_channel_secret(db, actor, partner_id, channel_id):
    """A new signing secret for a webhook channel, returned once; the old one
    keeps signing too until the grace period (config) ends."""
    require_owner_or_operator(actor, "partner", partner_id, "this partner's channels")
    new_secret = signing.new_secret()

    def work(uow):
        conn = uow.connection
        channel = _require_channel(conn, partner_id, channel_id)
        if channel["kind"] != domain.WEBHOOK:
            raise Conflict("only webhook channels have a signing secret")
        current = storage.channel_secrets(conn, [channel_id])[channel_id]["secret"]
        changes = domain.rotated_secrets(current, new_secret, _now(),
                                         config.secret_grace_seconds())
        storage.update_channel(conn, channel_id, changes)
        return {"channel_id": channel_id, "secret": new_secret,
                "previous_secret_valid_until": changes["previous_secret_until"]}

    return SecretRotated().dump(db.run(work))


# --- subscriptions -----------------------------------------------------------------------

def _check_channel_ids(conn, partner_id, channel_ids):
    known = {channel["id"] for channel in storage.list_channels(conn, partner_id)}
    unknown = [cid for cid in channel_ids if cid not in known]
    if unknown:
        listed = ", ".join(unknown)
        raise InvalidInput({"channel_ids": [f"not a channel of this partner: {listed}"]})


def add_subscription(db, actor, partner_id, data):
    require_owner_or_operator(actor, "partner", partner_id, "this partner's subscriptions")
    fields = load_input(SubscriptionIn(), data)

    def work(uow):
        _require_partner(uow.connection, partner_id)
        _check_channel_ids(uow.connection, partner_id, fields["channel_ids"])
        subscription = domain.new_subscription(partner_id, fields, clock.now())
        storage.insert_subscription(uow.connection, subscription)
        return subscription

    return SubscriptionOut().dump(db.run(work))


def list_subscriptions(db, actor, partner_id):
    require_owner_or_operator(actor, "partner", partner_id, "this partner's subscriptions")

    def work(uow):
        _require_partner(uow.connection, partner_id)
        return storage.list_subscriptions(uow.connection, partner_id)

    return SubscriptionOut(many=True).dump(db.run(work))


def _require_subscription(conn, partner_id, subscription_id):
    _require_partner(conn, partner_id)
    subscription = storage.get_subscription(conn, partner_id, subscription_id)
    if subscription is None:
        raise NotFound(f"partner {partner_id} has no subscription {subscription_id}")
    return subscription


def update_subscription(db, actor, partner_id, subscription_id, data):
    """Change some fields; the result is checked as a whole (a 422 names
    the field)."""
    require_owner_or_operator(actor, "partner", partner_id, "this partner's subscriptions")
    load_input(SubscriptionIn(), data, partial=True)  # field errors first

    def work(uow):
        conn = uow.connection
        current = _require_subscription(conn, partner_id, subscription_id)
        as_input = {key: value for key, value in SubscriptionOut().dump(current).items()
                    if key in SubscriptionIn().fields}
        if data.get("mode") == domain.IMMEDIATE and "digest" not in data:
            as_input.pop("digest", None)
        fields = load_input(SubscriptionIn(), {**as_input, **data})
        _check_channel_ids(conn, partner_id, fields["channel_ids"])
        changed = {**current, **fields}
        storage.replace_subscription(conn, changed)
        return changed

    return SubscriptionOut().dump(db.run(work))


def delete_subscription(db, actor, partner_id, subscription_id):
    require_owner_or_operator(actor, "partner", partner_id, "this partner's subscriptions")

    def work(uow):
        subscription = _require_subscription(uow.connection, partner_id, subscription_id)
        storage.delete_subscription(uow.connection, subscription_id)
        return subscription

    return SubscriptionOut().dump(db.run(work))


# --- events in, alerts out -----------------------------------------------------------

def _default_digest():
    return {"frequency": domain.DAILY, "hour": config.default_digest_hour()}


def _deliver_to(conn, alert, channel_ids, now):
    """One pending delivery of the alert per enabled channel."""
    channels = storage.channels_by_id(conn, channel_ids)
    for channel_id in channel_ids:
        channel = channels.get(channel_id)
        if channel and channel["enabled"] and not channel["deleted"]:
            storage.insert_delivery(conn, domain.new_delivery(
                alert, channel["target"], now, channel_id=channel_id, kind=channel["kind"]))


def _create_alerts(conn, found, kind, payload, subject, event):
    """One alert per partner for this fact, unless it is no news to them (the
    same fact: the dedupe key is taken; an older version; the same content
    as their latest alert about it). Sent at once, or put in a digest
    (domain.plan). Returns the ids of the alerts created."""
    now = clock.now()
    content = domain.content_hash(to_document(payload))
    partners = storage.partners_by_id(conn, set(found))
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
                            config.partner_daily_budget(), _default_digest(), now)
        alert = domain.new_alert(partner_id, kind, subject["id"], subject["version"],
                                 event.occurred_at, to_document(payload), now,
                                 fact=subject["fact"], content=content)
        alert.update(disposition=route["disposition"], language=route["language"])
        if not storage.insert_alert(conn, alert):
            continue
        if route["disposition"] == domain.SENT_NOW:
            _deliver_to(conn, alert, route["channel_ids"], _now())
        else:
            # a newer alert about the same subject replaces the one waiting
            waiting = storage.pending_digest_items_about(conn, subject["id"], partner_id)
            storage.set_digest_items_status(conn, [w["id"] for w in waiting], "superseded")
            storage.set_disposition(conn, [w["alert_id"] for w in waiting], domain.DROPPED)
            storage.insert_digest_item(conn, {
                "id": domain.new_id(), "partner_id": partner_id,
                "subscription_id": route["subscription_id"], "alert_id": alert["id"],
                "subject_id": subject["id"], "due_at": route["due_at"], "status": "pending",
                "language": route["language"], "channel_ids": route["channel_ids"],
                "created_at": now})
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


def event_received(db, consumer, event):
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
        return _create_alerts(conn, found, kind, payload, subject, event)

    return db.handle(consumer, event, work, serializable=True)


def match_changed(db, event):
    return event_received(db, config.MATCH_CONSUMER, event)


def agreement_changed(db, event):
    """agreement.proposed and agreement.signed alert the agreement's partner
    parties, its sponsor and the subscribers in scope."""
    return event_received(db, config.AGREEMENT_CONSUMER, event)


def introduction_changed(db, event):
    """introduction.requested and .accepted alert the sponsor partner and
    subscribers in scope; the event carries no contact details, and neither
    does the alert."""
    return event_received(db, config.INTRODUCTION_CONSUMER, event)


def obligation_reminded(db, event):
    """obligation.due and .overdue alert the agreement's sponsor and partner
    parties, and subscribers in scope."""
    return event_received(db, config.OBLIGATION_CONSUMER, event)


def list_alerts(db, actor, partner_id, limit=100):
    require_owner_or_operator(actor, "partner", partner_id, "this partner's alerts")
    options = load_input(ListingOptions(), {"limit": limit})

    def work(uow):
        _require_partner(uow.connection, partner_id)
        return storage.list_alerts(uow.connection, partner_id, options["limit"])

    return AlertOut(many=True).dump(db.run(work))


def matches_alerted(db, actor, partner_id):
    """For the funnel: how many distinct matches the partner was ever told of
    (at once or in a digest that went out)."""
    require_owner_or_operator(actor, "partner", partner_id, "this partner's funnel")

    def work(uow):
        _require_partner(uow.connection, partner_id)
        return storage.matches_alerted(uow.connection, partner_id)

    return {"matches": db.run(work)}


# --- digests -------------------------------------------------------------------------

def send_due_digests(db):
    """Every partner's digest whose local hour has come: one digest alert per
    (partner, digest subscription), with the latest alert about each subject
    still waiting; the items are then told. Returns the digest alert ids."""

    def work(uow):
        conn = uow.connection
        now = clock.now()
        items = storage.claim_due_digest_items(conn, now)
        groups = {}
        for item in items:
            groups.setdefault((item["partner_id"], item["subscription_id"]), []).append(item)
        created = []
        for (partner_id, subscription_id), group in sorted(groups.items(),
                                                           key=lambda g: (g[0][0], g[0][1] or "")):
            alerts = storage.alerts_by_id(conn, {item["alert_id"] for item in group})
            ordered = sorted((alerts[item["alert_id"]] for item in group),
                             key=lambda alert: (alert["created_at"], alert["id"]))
            digest_id = domain.new_id()
            digest = domain.new_alert(
                partner_id, domain.DIGEST, digest_id, 1, now,
                to_document(domain.digest_data(subscription_id or "default", ordered)), now,
                fact=digest_id)
            digest.update(disposition=domain.NOTICE, language=group[-1]["language"])
            storage.insert_alert(conn, digest)
            _deliver_to(conn, digest, group[-1]["channel_ids"], _now())
            storage.set_digest_items_status(conn, [item["id"] for item in group], "sent",
                                            digest_alert_id=digest_id)
            storage.set_disposition(conn, [alert["id"] for alert in ordered], domain.DIGESTED)
            created.append(digest_id)
        if created:
            log.info("sent %d digest(s) with %d item(s)", len(created), len(items))
        return created

    return db.run(work, serializable=True)


# --- delivery log --------------------------------------------------------------------

def list_deliveries(db, actor, partner_id, limit=100):
    require_owner_or_operator(actor, "partner", partner_id, "this partner's deliveries")
    options = load_input(ListingOptions(), {"limit": limit})

    def work(uow):
        _require_partner(uow.connection, partner_id)
        return storage.list_deliveries(uow.connection, partner_id, options["limit"])

    return DeliveryOut(many=True).dump(db.run(work))


def redeliver(db, actor, partner_id, delivery_id):
    """Send a delivery again now, with the same webhook-id (the receiver
    dedups), and a fresh retry schedule."""
    require_owner_or_operator(actor, "partner", partner_id, "this partner's deliveries")

    def work(uow):
        conn = uow.connection
        _require_partner(conn, partner_id)
        delivery = storage.get_delivery(conn, delivery_id, for_update=conn.dialect.name
                                        == "postgresql")
        if delivery is None or delivery["partner_id"] != partner_id:
            raise NotFound(f"partner {partner_id} has no delivery {delivery_id}")
        storage.update_delivery(conn, delivery_id, domain.redelivery(delivery, _now()))
        return storage.list_deliveries(conn, partner_id, 1, delivery_id=delivery_id)[0]

    return DeliveryOut().dump(db.run(work))


# --- sending -----------------------------------------------------------------------------

def _webhook_body(alert):
    return json.dumps(to_document(domain.alert_message(alert)), ensure_ascii=False,
                      separators=(",", ":"))


def claim_due_deliveries(db, limit):
    """Claim up to `limit` due deliveries for this process. Each comes back
    with what sending it needs; the claim token proves it is still ours when
    the result is recorded. Deliveries to a channel disabled (or deleted)
    since they were made fail at once, unsent."""
    claim_token = domain.new_id()

    def work(uow):
        conn = uow.connection
        now = _now()
        lease_until = now + timedelta(seconds=config.delivery_lease_seconds())
        claimed = storage.claim_due_deliveries(conn, now, lease_until, claim_token, limit)
        alerts = storage.alerts_by_id(conn, {d["alert_id"] for d in claimed})
        channel_ids = {d["channel_id"] for d in claimed} - {None}
        channels = storage.channels_by_id(conn, channel_ids)
        secrets = storage.channel_secrets(conn, channel_ids)
        legacy = storage.webhook_secrets(conn, {d["partner_id"] for d in claimed
                                                if d["channel_id"] is None})
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
            if delivery["channel_kind"] == domain.EMAIL:
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
    channels, else at its contact address."""
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
        _deliver_to(conn, alert, [c["id"] for c in emails], now)
    elif partner.get("email"):
        storage.insert_delivery(conn, domain.new_delivery(alert, partner["email"], now,
                                                          kind=domain.EMAIL))
    else:
        log.warning("channel %s of partner %s disabled; the partner has no e-mail to tell",
                    channel["id"], channel["partner_id"])


def record_attempt(db, delivery, claim_token, outcome):
    """Log the attempt and move the delivery on: delivered, a retry later, or
    failed once the retry schedule is used up; a channel whose deliveries
    fail `channel_failure_limit` times in a row is disabled and the partner
    told. Returns the new status."""

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
        if current["channel_id"] and changes["status"] != domain.PENDING:
            channel = storage.get_channel(conn, current["partner_id"], current["channel_id"],
                                          for_update=True)
            if channel is not None:
                channel_changes = domain.channel_after_delivery(
                    channel, changes["status"], config.channel_failure_limit())
                if channel_changes:
                    storage.update_channel(conn, channel["id"], channel_changes)
                if channel_changes.get("enabled") is False:
                    log.warning("channel %s of partner %s disabled: %s", channel["id"],
                                channel["partner_id"], channel_changes["disabled_reason"])
                    _disabled_notice(conn, {**channel, **channel_changes}, now)
        return changes["status"]

    status = db.run(work)
    if status == domain.FAILED:
        log.warning("delivery %s to %s failed for good after %s",
                    delivery["id"], delivery["url"], domain.describe_failure(
                        outcome.status_code, outcome.error))
    return status


def send_claimed(db, claimed, send=webhooks.post, send_mail=mailer.send):
    """Send one claimed delivery (no transaction open) and record the result."""
    delivery = claimed["delivery"]
    if delivery["channel_kind"] == domain.EMAIL:
        subject, text, html = claimed["email"]
        outcome = send_mail(config.smtp(), delivery["url"], subject, text, html,
                            message_id=delivery["id"])
    else:
        outcome = send(delivery["url"], claimed["body"], delivery["id"], claimed["secrets"],
                       config.webhook_timeout(), allow_loopback=config.allow_loopback())
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
