"""A partner's channels (webhook URLs and e-mail addresses): add, list,
change, delete, rotate a webhook channel's signing secret, and send a test
alert to one."""
from datetime import datetime

from services.contracts.actors import require_owner_or_operator
from services.contracts.errors import Conflict, InvalidInput, NotFound
from services.platform import clock, idempotency, pages
from services.platform.validation import load_input

from .. import domain, signing, storage
from ..schemas import (
    ChannelCreated,
    ChannelIn,
    ChannelOut,
    ChannelUpdate,
    DeliveryOut,
    SecretRotated,
)
from .partners import require_partner, url_problem

SCOPE = "this partner's channels"


def _require_channel(conn, partner_id, channel_id):
    channel = storage.get_channel(conn, partner_id, channel_id)
    if channel is None:
        raise NotFound(f"partner {partner_id} has no channel {channel_id}")
    return channel


def _check_webhook_url(url, allow_loopback):
    """The SSRF rules at registration: a 422 naming the field and why."""
    problem = url_problem(url, allow_loopback)
    if problem:
        raise InvalidInput({"url": [problem]})


def add_channel(db, settings, actor, partner_id, data, idempotency_key=None):
    require_owner_or_operator(actor, "partner", partner_id, SCOPE)
    fields = load_input(ChannelIn(), data)
    if fields["kind"] == domain.WEBHOOK:
        _check_webhook_url(fields["url"], settings.allow_loopback)
    secret = signing.new_secret() if fields["kind"] == domain.WEBHOOK else None

    def work(uow):
        require_partner(uow.connection, partner_id)
        channel = domain.new_channel(partner_id, fields["kind"],
                                     fields["url"] or fields["address"], clock.now(),
                                     label=fields["label"])
        channel["enabled"] = fields["enabled"]
        storage.insert_channel(uow.connection, channel, secret=secret, box=settings.secrets)
        return ChannelCreated().dump({
            "channel": storage.get_channel(uow.connection, partner_id, channel["id"]),
            "secret": secret})

    return idempotency.run_once(db, work, idempotency_key, actor=actor, operation="add_channel",
                                request={"partner_id": partner_id, "data": data})


def list_channels(db, actor, partner_id, limit=None, cursor=None):
    """A page of the partner's channels, oldest first."""
    require_owner_or_operator(actor, "partner", partner_id, SCOPE)
    page = pages.request(f"channels/{partner_id}", limit, cursor, kinds=(datetime, str))

    def work(uow):
        require_partner(uow.connection, partner_id)
        return storage.channels_page(uow.connection, partner_id, page.after, page.fetch)

    return page.page(db.run(work), lambda channel: (channel["created_at"], channel["id"]),
                     ChannelOut(many=True).dump)


def _channel_changes(channel, fields):
    """The stored columns a channel update changes (a 422 for a field the
    channel's kind does not have)."""
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
    return changes


def update_channel(db, settings, actor, partner_id, channel_id, data):
    require_owner_or_operator(actor, "partner", partner_id, SCOPE)
    fields = load_input(ChannelUpdate(), data)
    if fields.get("url"):
        _check_webhook_url(fields["url"], settings.allow_loopback)

    def work(uow):
        conn = uow.connection
        changes = _channel_changes(_require_channel(conn, partner_id, channel_id), fields)
        if changes:
            storage.update_channel(conn, channel_id, changes)
        return storage.get_channel(conn, partner_id, channel_id)

    return ChannelOut().dump(db.run(work))


def delete_channel(db, actor, partner_id, channel_id):
    require_owner_or_operator(actor, "partner", partner_id, SCOPE)

    def work(uow):
        channel = _require_channel(uow.connection, partner_id, channel_id)
        storage.update_channel(uow.connection, channel_id,
                               {"deleted_at": clock.real_now(), "enabled": False})
        return channel

    return ChannelOut().dump(db.run(work))


def rotate_channel_secret(db, settings, actor, partner_id, channel_id):
    """A new signing secret for a webhook channel, returned once; the old one
    keeps signing too until the grace period (settings) ends."""
    require_owner_or_operator(actor, "partner", partner_id, SCOPE)
    new_secret = signing.new_secret()

    def work(uow):
        conn = uow.connection
        channel = _require_channel(conn, partner_id, channel_id)
        if channel["kind"] != domain.WEBHOOK:
            raise Conflict("only webhook channels have a signing secret")
        current = storage.channel_secrets(conn, [channel_id], settings.secrets)[channel_id]
        changes = domain.rotated_secrets(current["secret"], new_secret, clock.real_now(),
                                         settings.secret_grace_seconds)
        storage.set_channel_secrets(conn, settings.secrets, channel_id, changes)
        return {"channel_id": channel_id, "secret": new_secret,
                "previous_secret_valid_until": changes["previous_secret_until"]}

    return SecretRotated().dump(db.run(work))


def send_test(db, actor, partner_id, channel_id):
    """Queue one delivery of a small `test` alert to this channel, through
    the same path as every alert (signing, the SSRF guard at send time, the
    delivery log, retries); returns the delivery. The alert is a notice:
    it is in no digest and counts against no budget."""
    require_owner_or_operator(actor, "partner", partner_id, SCOPE)

    def work(uow):
        conn = uow.connection
        partner = require_partner(conn, partner_id)
        channel = _require_channel(conn, partner_id, channel_id)
        if not channel["enabled"]:
            raise Conflict("the channel is disabled: enable it, then send a test")
        now = clock.real_now()
        alert = domain.new_alert(partner_id, domain.TEST, channel_id, 1, now,
                                 domain.test_data(channel), clock.now(), fact=domain.new_id())
        alert.update(disposition=domain.NOTICE,
                     language=partner.get("language") or domain.DEFAULT_LANGUAGE)
        storage.insert_alert(conn, alert)
        delivery = domain.new_delivery(alert, channel["target"], now, channel_id=channel_id,
                                       kind=channel["kind"])
        storage.insert_delivery(conn, delivery)
        return storage.deliveries_page(conn, partner_id, None, 1, delivery_id=delivery["id"])[0]

    return DeliveryOut().dump(db.run(work))
