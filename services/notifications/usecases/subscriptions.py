"""A partner's subscriptions: which alerts it wants (kinds and scope), at
once or in a digest, on which channels."""
from datetime import datetime

from services.contracts.actors import require_owner_or_operator
from services.contracts.errors import InvalidInput, NotFound
from services.platform import clock, idempotency, pages
from services.platform.validation import load_input

from .. import domain, storage
from ..schemas import SubscriptionIn, SubscriptionOut
from .partners import require_partner

SCOPE = "this partner's subscriptions"


def _check_channel_ids(conn, partner_id, channel_ids):
    known = {channel["id"] for channel in storage.list_channels(conn, partner_id)}
    unknown = [cid for cid in channel_ids if cid not in known]
    if unknown:
        listed = ", ".join(unknown)
        raise InvalidInput({"channel_ids": [f"not a channel of this partner: {listed}"]})


def add_subscription(db, actor, partner_id, data, idempotency_key=None):
    require_owner_or_operator(actor, "partner", partner_id, SCOPE)
    fields = load_input(SubscriptionIn(), data)

    def work(uow):
        require_partner(uow.connection, partner_id)
        _check_channel_ids(uow.connection, partner_id, fields["channel_ids"])
        subscription = domain.new_subscription(partner_id, fields, clock.now())
        storage.insert_subscription(uow.connection, subscription)
        return SubscriptionOut().dump(subscription)

    return idempotency.run_once(db, work, idempotency_key, actor=actor,
                                operation="add_subscription",
                                request={"partner_id": partner_id, "data": data})


def list_subscriptions(db, actor, partner_id, limit=None, cursor=None):
    """A page of the partner's subscriptions, oldest first."""
    require_owner_or_operator(actor, "partner", partner_id, SCOPE)
    page = pages.request(f"subscriptions/{partner_id}", limit, cursor, kinds=(datetime, str))

    def work(uow):
        require_partner(uow.connection, partner_id)
        return storage.subscriptions_page(uow.connection, partner_id, page.after, page.fetch)

    return page.page(db.run(work), lambda sub: (sub["created_at"], sub["id"]),
                     SubscriptionOut(many=True).dump)


def _require_subscription(conn, partner_id, subscription_id):
    require_partner(conn, partner_id)
    subscription = storage.get_subscription(conn, partner_id, subscription_id)
    if subscription is None:
        raise NotFound(f"partner {partner_id} has no subscription {subscription_id}")
    return subscription


def update_subscription(db, actor, partner_id, subscription_id, data):
    """Change some fields; the result is checked as a whole (a 422 names
    the field)."""
    require_owner_or_operator(actor, "partner", partner_id, SCOPE)
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
    require_owner_or_operator(actor, "partner", partner_id, SCOPE)

    def work(uow):
        subscription = _require_subscription(uow.connection, partner_id, subscription_id)
        storage.delete_subscription(uow.connection, subscription_id)
        return subscription

    return SubscriptionOut().dump(db.run(work))
