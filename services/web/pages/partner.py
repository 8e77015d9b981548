"""The partner's pages: its overview (the funnel and its latest alerts)
here; its alerts, delivery log and agreements (partner_activity), channels
(partner_channels) and subscriptions (partner_subscriptions) beside it."""
from . import Page, Route, partner_activity, partner_channels, partner_subscriptions
from .partner_nav import partner_context


def dashboard(visit, rpc):
    actor = visit.actor
    partner = rpc.notifications.get_partner(actor, actor["id"])
    alerts = rpc.notifications.list_alerts(actor, actor["id"], limit=10)["items"]
    funnel = rpc.agreements.get_funnel(actor, {"partner_id": actor["id"], "park_id": None})
    return Page("partner.html", partner_context(visit, "overview", partner=partner,
                                                alerts=alerts, funnel=funnel))


ROUTES = (
    Route("partner_dashboard", "GET", "/partner", dashboard, "partner"),
    *partner_activity.ROUTES,
    *partner_channels.ROUTES,
    *partner_subscriptions.ROUTES,
)
