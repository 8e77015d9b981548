"""The notifications database: partners (with their API-key hash), channels
(with their webhook secrets), subscriptions, alerts, digest items, deliveries
and every delivery attempt, one module per table family. Nothing else in the
service touches SQL; the use cases call the functions re-exported here, and
migrations read `metadata`."""
from .alerts import (
    alerts_by_id,
    immediate_alerts_since,
    insert_alert,
    latest_alert_about,
    list_alerts,
    matches_alerted,
    partners_alerted_about,
    set_disposition,
)
from .channels import (
    channel_secrets,
    channels_by_id,
    get_channel,
    insert_channel,
    list_channels,
    update_channel,
)
from .deliveries import (
    as_delivery,
    claim_due_deliveries,
    get_delivery,
    insert_attempt,
    insert_delivery,
    list_deliveries,
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
)
from .tables import metadata

__all__ = [
    "alerts_by_id",
    "as_delivery",
    "channel_secrets",
    "channels_by_id",
    "claim_due_deliveries",
    "claim_due_digest_items",
    "delete_subscription",
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
    "list_alerts",
    "list_channels",
    "list_deliveries",
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
    "update_channel",
    "update_delivery",
    "webhook_secrets",
]
