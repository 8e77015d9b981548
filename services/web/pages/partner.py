"""The partner's dashboard: the alerts it was sent and its funnel."""
from . import Page, Route
from .dashboards import context


def dashboard(visit, rpc):
    actor = visit.actor
    partner = rpc.notifications.get_partner(actor, actor["id"])
    alerts = rpc.notifications.list_alerts(actor, actor["id"])["items"]
    funnel = rpc.agreements.get_funnel(actor, {"partner_id": actor["id"], "park_id": None})
    return Page("partner.html", context(partner=partner, alerts=alerts, funnel=funnel))


ROUTES = (
    Route("partner_dashboard", "GET", "/partner", dashboard, "partner"),
)
