"""What the partner was sent and what it brokers: its alerts, the delivery
log (status, attempts, latency; Redeliver on a failed one) and the
agreements it is party to or sponsors, with their obligations' next and
overdue due dates."""
from . import Page, Redirect, Route
from .errors import N_
from .partner_nav import partner_context

AGREEMENT_KINDS = {"mou": N_("Memorandum of understanding"), "tenancy": N_("Tenancy"),
                   "investment": N_("Investment"), "cooperation": N_("Cooperation")}
AGREEMENT_STATES = {"draft": N_("draft"), "proposed": N_("proposed"), "signed": N_("signed"),
                    "active": N_("active"), "completed": N_("completed"),
                    "terminated": N_("terminated"), "expired": N_("expired")}


def alerts_page(visit, rpc):
    actor = visit.actor
    listed = rpc.notifications.list_alerts(actor, actor["id"], cursor=visit.args.get("cursor"))
    return Page("partner_alerts.html", partner_context(
        visit, "alerts", alerts=listed["items"], listing=listed))


def latency_ms(delivery):
    """The last attempt's latency, or None before the first attempt."""
    attempts = delivery.get("attempt_log") or []
    return attempts[-1]["latency_ms"] if attempts else None


def deliveries_page(visit, rpc):
    actor = visit.actor
    listed = rpc.notifications.list_deliveries(actor, actor["id"],
                                               cursor=visit.args.get("cursor"))
    deliveries = [{**delivery, "latency_ms": latency_ms(delivery)}
                  for delivery in listed["items"]]
    return Page("partner_deliveries.html", partner_context(
        visit, "deliveries", deliveries=deliveries, listing=listed,
        notice=visit.args.get("notice")))


def redeliver(visit, rpc):
    actor = visit.actor
    rpc.notifications.redeliver(actor, actor["id"], visit.params["delivery_id"])
    return Redirect("/partner/deliveries?notice=redelivered")


def agreements_page(visit, rpc):
    actor = visit.actor
    listed = rpc.agreements.list_agreements(actor, cursor=visit.args.get("cursor"))
    agreements = [{**agreement,
                   "obligations": rpc.agreements.list_obligations(actor, agreement["id"])["items"]}
                  for agreement in listed["items"]]
    return Page("partner_agreements.html", partner_context(
        visit, "agreements", agreements=agreements, listing=listed,
        agreement_kinds=AGREEMENT_KINDS, agreement_states=AGREEMENT_STATES))


ROUTES = (
    Route("partner_alerts", "GET", "/partner/alerts", alerts_page, "partner"),
    Route("partner_deliveries", "GET", "/partner/deliveries", deliveries_page, "partner"),
    Route("partner_redeliver", "POST", "/partner/deliveries/<delivery_id>/redelivery",
          redeliver, "partner"),
    Route("partner_agreements", "GET", "/partner/agreements", agreements_page, "partner"),
)
