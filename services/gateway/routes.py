"""The public HTTP API, as data: one Route per operation.

Both the nameko HTTP entrypoints (service.py) and the OpenAPI document
(openapi.py) are generated from this table, so they cannot drift apart."""
from collections.abc import Callable
from dataclasses import dataclass, field

from marshmallow import Schema, fields

from . import sectors


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    path: str                    # werkzeug syntax: /api/companies/<company_id>
    call: Callable               # (rpc, actor, params, body, query) -> JSON-ready result
    summary: str
    tag: str
    body: type | None = None     # request schema (validated by the owning service)
    response: type | None = None
    many: bool = False
    status: int = 200
    auth: str = "key"            # "none", "key" (any actor) or "operator"
    query: dict = field(default_factory=dict)  # name -> description

    @property
    def openapi_path(self):
        return self.path.replace("<", "{").replace(">", "}")


def _schemas():
    """Imported lazily so that this module loads even before every service's
    schemas exist in a partial checkout."""
    from services.agreements import schemas as agreements
    from services.matching import schemas as matching
    from services.notifications import schemas as notifications
    from services.profiles import schemas as profiles
    return profiles, matching, notifications, agreements


class CompanyRegistered(Schema):
    company = fields.Nested("CompanyOut")
    api_key = fields.Str(metadata={"description": "shown once; store it safely"})


class ParkRegistered(Schema):
    park = fields.Nested("ParkOut")
    api_key = fields.Str(metadata={"description": "shown once; store it safely"})


class PartnerRegistered(Schema):
    partner = fields.Nested("PartnerOut")
    api_key = fields.Str(metadata={"description": "shown once; store it safely"})
    webhook_secret = fields.Str(metadata={
        "description": "whsec_… secret that signs webhooks (Standard Webhooks); shown once"})


def _flag(query, name):
    return str(query.get(name, "")).lower() in ("1", "true", "yes")


LANG_QUERY = "language of summaries, explanations and gap texts: en (default), ko or zh"


def _lang(query):
    """The ?lang= asked for (validated by matching: a 422 names it)."""
    return query.get("lang") or "en"


def build_routes():
    profiles, matching, notifications, agreements = _schemas()
    return [
        # companies
        Route("register_company", "POST", "/api/companies",
              lambda rpc, actor, p, body, q: rpc.profiles.register_company(body),
              "Register a company; returns its API key once", "companies",
              body=profiles.CompanyRegistration, response=CompanyRegistered, status=201,
              auth="none"),
        Route("get_company", "GET", "/api/companies/<company_id>",
              lambda rpc, actor, p, body, q: rpc.profiles.get_company(actor, p["company_id"]),
              "A company profile (contact details only for the company and the operator)",
              "companies", response=profiles.CompanyOut),
        Route("update_company", "PATCH", "/api/companies/<company_id>",
              lambda rpc, actor, p, body, q: rpc.profiles.update_company(
                  actor, p["company_id"], body),
              "Change a company profile (the company itself or the operator)", "companies",
              body=profiles.CompanyUpdate, response=profiles.CompanyOut),
        Route("company_matches", "GET", "/api/companies/<company_id>/matches",
              lambda rpc, actor, p, body, q: rpc.matching.list_company_matches(
                  actor, p["company_id"], include_withdrawn=_flag(q, "include_withdrawn"),
                  lang=_lang(q)),
              "The company's matches, best first", "matches", response=matching.MatchOut,
              many=True, query={"include_withdrawn": "true to include withdrawn matches",
                                "lang": LANG_QUERY}),
        # parks and demand
        Route("register_park", "POST", "/api/parks",
              lambda rpc, actor, p, body, q: rpc.profiles.register_park(actor, body),
              "Register a park (operator only); returns its API key once", "parks",
              body=profiles.ParkRegistration, response=ParkRegistered, status=201,
              auth="operator"),
        Route("get_park", "GET", "/api/parks/<park_id>",
              lambda rpc, actor, p, body, q: rpc.profiles.get_park(actor, p["park_id"]),
              "A park", "parks", response=profiles.ParkOut),
        Route("publish_demand", "POST", "/api/parks/<park_id>/demands",
              lambda rpc, actor, p, body, q: rpc.profiles.publish_demand(
                  actor, p["park_id"], body),
              "Publish what companies the park wants and on what terms", "parks",
              body=profiles.DemandPublication, response=profiles.DemandOut, status=201),
        Route("list_park_demands", "GET", "/api/parks/<park_id>/demands",
              lambda rpc, actor, p, body, q: rpc.profiles.list_park_demands(actor, p["park_id"]),
              "The park's demands", "parks", response=profiles.DemandOut, many=True),
        Route("get_demand", "GET", "/api/demands/<demand_id>",
              lambda rpc, actor, p, body, q: rpc.profiles.get_demand(actor, p["demand_id"]),
              "A demand", "parks", response=profiles.DemandOut),
        Route("update_demand", "PATCH", "/api/demands/<demand_id>",
              lambda rpc, actor, p, body, q: rpc.profiles.update_demand(
                  actor, p["demand_id"], body),
              "Change or close a demand (its park or the operator)", "parks",
              body=profiles.DemandUpdate, response=profiles.DemandOut),
        Route("demand_matches", "GET", "/api/demands/<demand_id>/matches",
              lambda rpc, actor, p, body, q: rpc.matching.list_demand_matches(
                  actor, p["demand_id"], include_withdrawn=_flag(q, "include_withdrawn"),
                  lang=_lang(q)),
              "Ranked, explained candidates for a demand", "matches",
              response=matching.MatchOut, many=True,
              query={"include_withdrawn": "true to include withdrawn matches",
                     "lang": LANG_QUERY}),
        Route("demand_near_misses", "GET", "/api/demands/<demand_id>/near-misses",
              lambda rpc, actor, p, body, q: rpc.matching.list_demand_near_misses(
                  actor, p["demand_id"], lang=_lang(q)),
              "Companies failing one or two hard criteria of an open demand, with what "
              "would close each gap (the demand's park or the operator)", "matches",
              response=matching.NearMissOut, many=True, query={"lang": LANG_QUERY}),
        Route("get_match", "GET", "/api/matches/<match_id>",
              lambda rpc, actor, p, body, q: rpc.matching.get_match(
                  actor, p["match_id"], lang=_lang(q)),
              "One match with its per-criterion explanation", "matches",
              response=matching.MatchOut, query={"lang": LANG_QUERY}),
        # partners
        Route("register_partner", "POST", "/api/partners",
              lambda rpc, actor, p, body, q: rpc.notifications.register_partner(actor, body),
              "Register a partner (operator only); returns its API key and webhook secret once",
              "partners", body=notifications.PartnerRegistration, response=PartnerRegistered,
              status=201, auth="operator"),
        Route("get_partner", "GET", "/api/partners/<partner_id>",
              lambda rpc, actor, p, body, q: rpc.notifications.get_partner(
                  actor, p["partner_id"]),
              "A partner", "partners", response=notifications.PartnerOut),
        Route("add_subscription", "POST", "/api/partners/<partner_id>/subscriptions",
              lambda rpc, actor, p, body, q: rpc.notifications.add_subscription(
                  actor, p["partner_id"], body),
              "Subscribe to alerts in a scope (sectors, regions, minimum score, event kinds)",
              "partners", body=notifications.SubscriptionIn,
              response=notifications.SubscriptionOut, status=201),
        Route("list_subscriptions", "GET", "/api/partners/<partner_id>/subscriptions",
              lambda rpc, actor, p, body, q: rpc.notifications.list_subscriptions(
                  actor, p["partner_id"]),
              "The partner's subscriptions", "partners",
              response=notifications.SubscriptionOut, many=True),
        Route("list_alerts", "GET", "/api/partners/<partner_id>/alerts",
              lambda rpc, actor, p, body, q: rpc.notifications.list_alerts(
                  actor, p["partner_id"]),
              "Alerts sent to the partner, newest first, with delivery status", "partners",
              response=notifications.AlertOut, many=True),
        Route("list_deliveries", "GET", "/api/partners/<partner_id>/deliveries",
              lambda rpc, actor, p, body, q: rpc.notifications.list_deliveries(
                  actor, p["partner_id"]),
              "Webhook delivery log: every attempt with status and latency", "partners"),
        # partners: channels, subscription changes, redelivery (issue #4)
        Route("add_channel", "POST", "/api/partners/<partner_id>/channels",
              lambda rpc, actor, p, body, q: rpc.notifications.add_channel(
                  actor, p["partner_id"], body),
              "Add a webhook (url) or e-mail (address) channel; a webhook's secret is "
              "returned once", "partners", body=notifications.ChannelIn,
              response=notifications.ChannelCreated, status=201),
        Route("list_channels", "GET", "/api/partners/<partner_id>/channels",
              lambda rpc, actor, p, body, q: rpc.notifications.list_channels(
                  actor, p["partner_id"]),
              "The partner's channels (enabled or disabled, and why)", "partners",
              response=notifications.ChannelOut, many=True),
        Route("update_channel", "PATCH", "/api/partners/<partner_id>/channels/<channel_id>",
              lambda rpc, actor, p, body, q: rpc.notifications.update_channel(
                  actor, p["partner_id"], p["channel_id"], body),
              "Change a channel's url/address/label, or enable/disable it", "partners",
              body=notifications.ChannelUpdate, response=notifications.ChannelOut),
        Route("delete_channel", "DELETE", "/api/partners/<partner_id>/channels/<channel_id>",
              lambda rpc, actor, p, body, q: rpc.notifications.delete_channel(
                  actor, p["partner_id"], p["channel_id"]),
              "Remove a channel", "partners", response=notifications.ChannelOut),
        Route("rotate_channel_secret", "POST",
              "/api/partners/<partner_id>/channels/<channel_id>/secret-rotations",
              lambda rpc, actor, p, body, q: rpc.notifications.rotate_channel_secret(
                  actor, p["partner_id"], p["channel_id"]),
              "New signing secret for a webhook channel (returned once); the old one keeps "
              "signing too during a grace period", "partners",
              response=notifications.SecretRotated, status=201),
        Route("update_subscription", "PATCH",
              "/api/partners/<partner_id>/subscriptions/<subscription_id>",
              lambda rpc, actor, p, body, q: rpc.notifications.update_subscription(
                  actor, p["partner_id"], p["subscription_id"], body),
              "Change a subscription's scope, language, mode or channels", "partners",
              body=notifications.SubscriptionIn, response=notifications.SubscriptionOut),
        Route("delete_subscription", "DELETE",
              "/api/partners/<partner_id>/subscriptions/<subscription_id>",
              lambda rpc, actor, p, body, q: rpc.notifications.delete_subscription(
                  actor, p["partner_id"], p["subscription_id"]),
              "Remove a subscription", "partners", response=notifications.SubscriptionOut),
        Route("redeliver", "POST",
              "/api/partners/<partner_id>/deliveries/<delivery_id>/redelivery",
              lambda rpc, actor, p, body, q: rpc.notifications.redeliver(
                  actor, p["partner_id"], p["delivery_id"]),
              "Send a delivery again now, with the same webhook-id", "partners",
              response=notifications.DeliveryOut, status=202),
        # agreements
        Route("propose_agreement", "POST", "/api/agreements",
              lambda rpc, actor, p, body, q: rpc.agreements.propose_agreement(actor, body),
              "Propose an agreement (MOU, tenancy, investment, cooperation)", "agreements",
              body=agreements.AgreementProposal, response=agreements.AgreementOut, status=201),
        Route("list_agreements", "GET", "/api/agreements",
              lambda rpc, actor, p, body, q: rpc.agreements.list_agreements(actor),
              "Agreements the caller is party to or sponsors (operator: all)", "agreements",
              response=agreements.AgreementOut, many=True),
        Route("get_agreement", "GET", "/api/agreements/<agreement_id>",
              lambda rpc, actor, p, body, q: rpc.agreements.get_agreement(
                  actor, p["agreement_id"]),
              "An agreement with its parties and signatures", "agreements",
              response=agreements.AgreementOut),
        Route("sign_agreement", "POST", "/api/agreements/<agreement_id>/signatures",
              lambda rpc, actor, p, body, q: rpc.agreements.sign_agreement(
                  actor, p["agreement_id"], body),
              "Sign as one of the parties; when all have signed the agreement is signed",
              "agreements", body=agreements.SignatureIn, response=agreements.AgreementOut,
              status=201),
        # sectors (served by the gateway itself: contract data, no service owns it)
        Route("list_sectors", "GET", "/api/sectors",
              lambda rpc, actor, p, body, q: sectors.list_sectors(q),
              "The sector taxonomy (ko / zh / en labels, synonyms, hierarchy, ISIC Rev. 4); "
              "?q= resolves a term", "sectors", response=sectors.SectorOut, many=True,
              auth="none", query=sectors.QUERY),
        # agreements: lifecycle, documents, obligations, introductions, funnel (issue #4)
        Route("agreement_history", "GET", "/api/agreements/<agreement_id>/history",
              lambda rpc, actor, p, body, q: rpc.agreements.get_agreement_history(
                  actor, p["agreement_id"]),
              "The audit trail: who changed what, when, from which state to which",
              "agreements", response=agreements.HistoryEntryOut, many=True),
        Route("transition_agreement", "POST", "/api/agreements/<agreement_id>/transitions",
              lambda rpc, actor, p, body, q: rpc.agreements.transition_agreement(
                  actor, p["agreement_id"], body),
              "Move an agreement to another state (proposed, active, completed, terminated); "
              "a 409 names the transitions allowed now", "agreements",
              body=agreements.TransitionIn, response=agreements.AgreementOut, status=201),
        Route("add_agreement_document", "POST", "/api/agreements/<agreement_id>/documents",
              lambda rpc, actor, p, body, q: rpc.agreements.add_document(
                  actor, p["agreement_id"], body),
              "Attach a document by reference (URL and SHA-256)", "agreements",
              body=agreements.DocumentIn, response=agreements.AgreementOut, status=201),
        Route("add_obligation", "POST", "/api/agreements/<agreement_id>/obligations",
              lambda rpc, actor, p, body, q: rpc.agreements.add_obligation(
                  actor, p["agreement_id"], body),
              "Record an obligation: owner party, one-off or RFC 5545 recurring schedule, "
              "reminders", "agreements", body=agreements.ObligationIn,
              response=agreements.ObligationOut, status=201),
        Route("list_obligations", "GET", "/api/agreements/<agreement_id>/obligations",
              lambda rpc, actor, p, body, q: rpc.agreements.list_obligations(
                  actor, p["agreement_id"]),
              "The agreement's obligations with their next and overdue occurrences",
              "agreements", response=agreements.ObligationOut, many=True),
        Route("record_fulfilment", "POST",
              "/api/agreements/<agreement_id>/obligations/<obligation_id>/fulfilments",
              lambda rpc, actor, p, body, q: rpc.agreements.record_fulfilment(
                  actor, p["agreement_id"], p["obligation_id"], body),
              "Record that one occurrence was fulfilled, with evidence (on time or late is "
              "computed)", "agreements", body=agreements.FulfilmentIn,
              response=agreements.FulfilmentOut, status=201),
        Route("request_introduction", "POST", "/api/introductions",
              lambda rpc, actor, p, body, q: rpc.agreements.request_introduction(actor, body),
              "Ask to be introduced to a match's company (park, partner or operator); the "
              "company's contact is released only if it accepts", "introductions",
              body=agreements.IntroductionRequest, response=agreements.IntroductionOut,
              status=201),
        Route("list_introductions", "GET", "/api/introductions",
              lambda rpc, actor, p, body, q: rpc.agreements.list_introductions(
                  actor, q.get("status") or None),
              "Introductions the caller is a side of (operator: all); never with contacts",
              "introductions", response=agreements.IntroductionOut, many=True,
              query={"status": "requested, accepted, declined or expired"}),
        Route("get_introduction", "GET", "/api/introductions/<introduction_id>",
              lambda rpc, actor, p, body, q: rpc.agreements.get_introduction(
                  actor, p["introduction_id"]),
              "One introduction; after acceptance with both sides' contacts",
              "introductions", response=agreements.IntroductionOut),
        Route("accept_introduction", "POST", "/api/introductions/<introduction_id>/acceptance",
              lambda rpc, actor, p, body, q: rpc.agreements.accept_introduction(
                  actor, p["introduction_id"], body),
              "The company accepts: both sides receive each other's contacts",
              "introductions", body=agreements.DecisionIn,
              response=agreements.IntroductionOut, status=201),
        Route("decline_introduction", "POST",
              "/api/introductions/<introduction_id>/declination",
              lambda rpc, actor, p, body, q: rpc.agreements.decline_introduction(
                  actor, p["introduction_id"], body),
              "The company declines (optionally saying why); no contact is released",
              "introductions", body=agreements.DecisionIn,
              response=agreements.IntroductionOut, status=201),
        Route("funnel", "GET", "/api/funnel",
              lambda rpc, actor, p, body, q: rpc.agreements.get_funnel(
                  actor, {"partner_id": q.get("partner_id"), "park_id": q.get("park_id")}),
              "Matches -> introductions requested -> accepted -> agreements proposed -> "
              "signed -> obligations met on time, for one partner or park", "agreements",
              response=agreements.FunnelOut,
              query={"partner_id": "the partner's funnel", "park_id": "the park's funnel"}),
        # allocation
        *allocation_routes(),
        # introductions withdrawn, obligations edited (polish-partners)
        *withdrawal_and_obligation_change_routes(),
    ]


# --- introductions withdrawn, obligations changed or cancelled ---------------------

def withdrawal_and_obligation_change_routes():
    from services.agreements import schemas as agreements
    return [
        Route("withdraw_introduction", "POST",
              "/api/introductions/<introduction_id>/withdrawal",
              lambda rpc, actor, p, body, q: rpc.agreements.withdraw_introduction(
                  actor, p["introduction_id"], body),
              "The requester (or the operator) withdraws an open request (optionally saying "
              "why); a 409 names what may still be done", "introductions",
              body=agreements.DecisionIn, response=agreements.IntroductionOut, status=201),
        Route("change_obligation", "PATCH",
              "/api/agreements/<agreement_id>/obligations/<obligation_id>",
              lambda rpc, actor, p, body, q: rpc.agreements.change_obligation(
                  actor, p["agreement_id"], p["obligation_id"], body),
              "Change an obligation's title, schedule or reminders (its owner party or the "
              "operator); reminders already sent stay sent, new occurrences follow the new "
              "schedule", "agreements", body=agreements.ObligationChange,
              response=agreements.ObligationOut),
        Route("cancel_obligation", "DELETE",
              "/api/agreements/<agreement_id>/obligations/<obligation_id>",
              lambda rpc, actor, p, body, q: rpc.agreements.cancel_obligation(
                  actor, p["agreement_id"], p["obligation_id"], body),
              "Cancel an obligation (its owner party or the operator): it stays listed with "
              "its history, nothing more falls due", "agreements",
              body=agreements.CancellationIn, response=agreements.ObligationOut),
    ]


# --- allocation (issue #3 §6) ---------------------------------------------------------

_LANG = {"lang": "en (default), ko or zh: the language of the why-not texts"}


def allocation_routes():
    from services.matching.allocation import schemas as allocation
    return [
        Route("set_demand_preferences", "PUT", "/api/companies/<company_id>/demand-preferences",
              lambda rpc, actor, p, body, q: rpc.matching.set_demand_preferences(
                  actor, p["company_id"], body),
              "State which matched demands the company wants most, in order (allocation "
              "rounds use it before the score order); the company itself or the operator",
              "allocation", body=allocation.DemandPreferencesIn,
              response=allocation.DemandPreferencesOut),
        Route("get_demand_preferences", "GET", "/api/companies/<company_id>/demand-preferences",
              lambda rpc, actor, p, body, q: rpc.matching.get_demand_preferences(
                  actor, p["company_id"]),
              "The company's stated order of preference among its matched demands",
              "allocation", response=allocation.DemandPreferencesOut),
        Route("run_allocation_round", "POST", "/api/allocation-rounds",
              lambda rpc, actor, p, body, q: rpc.matching.run_allocation_round(
                  actor, body, q.get("lang", "en")),
              "Allocate demands' places among their eligible companies by stable matching "
              "(company-optimal); body optional: demand_ids or park_id (operator only)",
              "allocation", body=allocation.AllocationRoundIn,
              response=allocation.AllocationRoundOut, status=201, auth="operator", query=_LANG),
        Route("list_allocation_rounds", "GET", "/api/allocation-rounds",
              lambda rpc, actor, p, body, q: rpc.matching.list_allocation_rounds(actor),
              "Allocation rounds, newest first (operator only)", "allocation",
              response=allocation.AllocationRoundSummary, many=True, auth="operator"),
        Route("get_allocation_round", "GET", "/api/allocation-rounds/<round_id>",
              lambda rpc, actor, p, body, q: rpc.matching.get_allocation_round(
                  actor, p["round_id"], q.get("lang", "en")),
              "One allocation round: the operator sees all of it, a park its demands and "
              "candidates, a company its own outcome and why-not answers", "allocation",
              response=allocation.AllocationRoundOut, query=_LANG),
    ]
