"""The public HTTP API, as data: one Route per operation.

Both the nameko HTTP entrypoints (service.py) and the OpenAPI document
(openapi.py) are generated from this table, so they cannot drift apart."""
from dataclasses import dataclass, field
from typing import Callable

from marshmallow import Schema, fields


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
                  actor, p["company_id"], include_withdrawn=_flag(q, "include_withdrawn")),
              "The company's matches, best first", "matches", response=matching.MatchOut,
              many=True, query={"include_withdrawn": "true to include withdrawn matches"}),
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
                  actor, p["demand_id"], include_withdrawn=_flag(q, "include_withdrawn")),
              "Ranked, explained candidates for a demand", "matches",
              response=matching.MatchOut, many=True,
              query={"include_withdrawn": "true to include withdrawn matches"}),
        Route("get_match", "GET", "/api/matches/<match_id>",
              lambda rpc, actor, p, body, q: rpc.matching.get_match(actor, p["match_id"]),
              "One match with its per-criterion explanation", "matches",
              response=matching.MatchOut),
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
        # allocation
        *allocation_routes(),
    ]


# --- allocation (issue #3 §6) ---------------------------------------------------------

_LANG = {"lang": "en (default), ko or zh: the language of the why-not texts"}


def allocation_routes():
    from services.matching import allocation_schemas as allocation
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
