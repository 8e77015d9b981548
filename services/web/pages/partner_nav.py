"""What every partner page shares: the partner's own navigation (overview,
alerts, delivery log, channels, subscriptions, agreements) and the labels."""
from .dashboards import ALERT_TYPES, context
from .errors import N_

SECTIONS = (
    ("overview", "/partner", N_("Overview")),
    ("alerts", "/partner/alerts", N_("Alerts")),
    ("deliveries", "/partner/deliveries", N_("Delivery log")),
    ("channels", "/partner/channels", N_("Channels")),
    ("subscriptions", "/partner/subscriptions", N_("Subscriptions")),
    ("agreements", "/partner/agreements", N_("Agreements")),
)
# what the platform itself sends a partner, besides the alerts it subscribes to
PARTNER_ALERT_TYPES = {**ALERT_TYPES, "test": N_("Test alert"),
                       "channel.disabled": N_("Channel disabled"), "digest": N_("Digest")}
DELIVERY_STATUSES = {"pending": N_("pending"), "delivered": N_("delivered"),
                     "failed": N_("failed")}
CHANNEL_KINDS = {"webhook": N_("Webhook"), "email": N_("E-mail")}


def partner_context(visit, section, **values):
    return context(partner_sections=SECTIONS, section=section,
                   **{**values, "alert_types": PARTNER_ALERT_TYPES,
                      "delivery_statuses": DELIVERY_STATUSES, "channel_kinds": CHANNEL_KINDS})
