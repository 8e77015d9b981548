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
    ]
