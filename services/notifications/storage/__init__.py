"""The notifications database: partners (with their API-key hash), channels
(with their webhook secrets), subscriptions, alerts, digest items, deliveries
and every delivery attempt, one module per table family. Nothing else in the
service touches SQL; the use cases call the functions re-exported here, and
migrations read `metadata`."""
from .alerts import (
    alerts_by_id,
    alerts_page,
    immediate_alerts_since,
    insert_alert,
    latest_alert_about,
    matches_alerted,
    partners_alerted_about,
    set_disposition,
)
from .channels import (
    channel_secrets,
    channels_by_id,
    channels_page,
    get_channel,
    insert_channel,
    list_channels,
    update_channel,
)
from .deliveries import (
    as_delivery,
    claim_due_deliveries,
    deliveries_page,
    get_delivery,
    insert_attempt,
    insert_delivery,
    update_delivery,
)
from .digests import (
    claim_due_digest_items,
    insert_digest_item,
    pending_digest_items_about,
    set_digest_items_status,
)
from .partners import (
    existing_partner_ids,
    get_partner,
    insert_partner,
    partner_id_for_key,
    partners_by_id,
    webhook_secrets,
)
from .subscriptions import (
    delete_subscription,
    get_subscription,
    insert_subscription,
    list_subscriptions,
    replace_subscription,
    subscriptions_page,
)
from .tables import metadata

__all__ = [
    "alerts_by_id",
    "alerts_page",
    "as_delivery",
    "channel_secrets",
    "channels_by_id",
    "channels_page",
    "claim_due_deliveries",
    "claim_due_digest_items",
    "delete_subscription",
    "deliveries_page",
    "existing_partner_ids",
    "get_channel",
    "get_delivery",
    "get_partner",
    "get_subscription",
    "immediate_alerts_since",
    "insert_alert",
    "insert_attempt",
    "insert_channel",
    "insert_delivery",
    "insert_digest_item",
    "insert_partner",
    "insert_subscription",
    "latest_alert_about",
    "list_channels",
    "list_subscriptions",
    "matches_alerted",
    "metadata",
    "partner_id_for_key",
    "partners_alerted_about",
    "partners_by_id",
    "pending_digest_items_about",
    "replace_subscription",
    "set_digest_items_status",
    "set_disposition",
    "subscriptions_page",
    "update_channel",
    "update_delivery",
    "webhook_secrets",
]
