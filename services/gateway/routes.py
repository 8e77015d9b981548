"""The public HTTP API, as data: one Route per operation.

Each route names what it calls ("profiles.get_company": the `get_company`
@rpc method of the profiles service) and with which values, in order
(route_spec.py explains ACTOR, BODY, path(...) and the typed query(...)
values). `http_api.invoke` makes the call; service.py generates the nameko
HTTP entrypoints and openapi.py the OpenAPI document from this same table, so
they cannot drift apart. To add an operation: add the @rpc method to the
owning service, then one Route here."""
from marshmallow import Schema, fields

from services.contracts.vocabulary import INTRODUCTION_STATUSES

from . import sectors
from .account_routes import account_routes
from .directory_routes import directory_routes, park_round_routes
from .route_spec import ACTOR, BODY, Route, local, path, query, query_choice, query_flag, query_lang


def _schemas():
    """Imported lazily so that this module loads even before every service's
    schemas exist in a partial checkout."""
    from services.agreements import schemas as agreements
    from services.matching import schemas as matching
    from services.matching.allocation import schemas as allocation
    from services.notifications import schemas as notifications
    from services.profiles import schemas as profiles
    return profiles, matching, allocation, notifications, agreements


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


INCLUDE_WITHDRAWN = query_flag("include_withdrawn", "true to include withdrawn matches")
LANG = query_lang("language of summaries, explanations and gap texts: en (default), ko or zh")
WHY_NOT_LANG = query_lang("en (default), ko or zh: the language of the why-not texts")


def build_routes():
    profiles, matching, allocation, notifications, agreements = _schemas()
    return [
        *company_and_park_routes(profiles),
        *directory_routes(profiles),
        *match_routes(matching),
        *partner_routes(notifications),
        *channel_routes(notifications),
        *agreement_routes(agreements),
        *obligation_routes(agreements),
        *introduction_routes(agreements),
        # served by the gateway itself: contract data, no service owns it
        Route("list_sectors", "GET", "/api/sectors",
              local(sectors.list_sectors), args=(sectors.LANG, sectors.TERM),
              summary="The sector taxonomy (ko / zh / en labels, synonyms, hierarchy, "
                      "ISIC Rev. 4); ?q= resolves a term",
              tag="sectors", auth="none", response=sectors.SectorOut, many=True),
        *allocation_routes(allocation),
        *park_round_routes(allocation),
        *account_routes(),
    ]


def company_and_park_routes(profiles):
    return [
        Route("register_company", "POST", "/api/companies",
              "profiles.register_company", args=(BODY,),
              summary="Register a company; returns its API key once",
              tag="companies", auth="none", status=201, idempotent=True,
              body=profiles.CompanyRegistration, response=CompanyRegistered),
        Route("get_company", "GET", "/api/companies/<company_id>",
              "profiles.get_company", args=(ACTOR, path("company_id")),
              summary="A company profile (contact details only for the company and the "
                      "operator)",
              tag="companies", response=profiles.CompanyOut),
        Route("update_company", "PATCH", "/api/companies/<company_id>",
              "profiles.update_company", args=(ACTOR, path("company_id"), BODY),
              summary="Change a company profile (the company itself or the operator)",
              tag="companies", body=profiles.CompanyUpdate, response=profiles.CompanyOut),
        Route("register_park", "POST", "/api/parks",
              "profiles.register_park", args=(ACTOR, BODY),
              summary="Register a park (operator only); returns its API key once",
              tag="parks", auth="operator", status=201, idempotent=True,
              body=profiles.ParkRegistration, response=ParkRegistered),
        Route("get_park", "GET", "/api/parks/<park_id>",
              "profiles.get_park", args=(ACTOR, path("park_id")),
              summary="A park", tag="parks", response=profiles.ParkOut),
        Route("publish_demand", "POST", "/api/parks/<park_id>/demands",
              "profiles.publish_demand", args=(ACTOR, path("park_id"), BODY),
              summary="Publish what companies the park wants and on what terms",
              tag="parks", status=201, idempotent=True,
              body=profiles.DemandPublication, response=profiles.DemandOut),
        Route("list_park_demands", "GET", "/api/parks/<park_id>/demands",
              "profiles.list_park_demands", args=(ACTOR, path("park_id")),
              summary="The park's demands", tag="parks",
              response=profiles.DemandOut, many=True, paged=True),
        Route("get_demand", "GET", "/api/demands/<demand_id>",
              "profiles.get_demand", args=(ACTOR, path("demand_id")),
              summary="A demand", tag="parks", response=profiles.DemandOut),
        Route("update_demand", "PATCH", "/api/demands/<demand_id>",
              "profiles.update_demand", args=(ACTOR, path("demand_id"), BODY),
              summary="Change or close a demand (its park or the operator)",
              tag="parks", body=profiles.DemandUpdate, response=profiles.DemandOut),
    ]


def match_routes(matching):
    return [
        Route("company_matches", "GET", "/api/companies/<company_id>/matches",
              "matching.list_company_matches", args=(ACTOR, path("company_id")),
              kwargs={"include_withdrawn": INCLUDE_WITHDRAWN, "lang": LANG},
              summary="The company's matches, best first",
              tag="matches", response=matching.MatchOut, many=True, paged=True),
        Route("demand_matches", "GET", "/api/demands/<demand_id>/matches",
              "matching.list_demand_matches", args=(ACTOR, path("demand_id")),
              kwargs={"include_withdrawn": INCLUDE_WITHDRAWN, "lang": LANG},
              summary="Ranked, explained candidates for a demand",
              tag="matches", response=matching.MatchOut, many=True, paged=True),
        Route("demand_near_misses", "GET", "/api/demands/<demand_id>/near-misses",
              "matching.list_demand_near_misses", args=(ACTOR, path("demand_id")),
              kwargs={"lang": LANG},
              summary="Companies failing one or two hard criteria of an open demand, with "
                      "what would close each gap (the demand's park or the operator)",
              tag="matches", response=matching.NearMissOut, many=True, paged=True),
        Route("company_near_misses", "GET", "/api/companies/<company_id>/near-misses",
              "matching.list_company_near_misses", args=(ACTOR, path("company_id")),
              kwargs={"lang": LANG},
              summary="Open demands the company fails by one or two hard criteria, with "
                      "what would close each gap (the company or the operator)",
              tag="matches", response=matching.NearMissOut, many=True, paged=True),
        Route("get_match", "GET", "/api/matches/<match_id>",
              "matching.get_match", args=(ACTOR, path("match_id")), kwargs={"lang": LANG},
              summary="One match with its per-criterion explanation",
              tag="matches", response=matching.MatchOut),
    ]


def partner_routes(notifications):
    partner = path("partner_id")
    subscription = path("subscription_id")
    return [
        Route("register_partner", "POST", "/api/partners",
              "notifications.register_partner", args=(ACTOR, BODY),
              summary="Register a partner (operator only); returns its API key and webhook "
                      "secret once",
              tag="partners", auth="operator", status=201, idempotent=True,
              body=notifications.PartnerRegistration, response=PartnerRegistered),
        Route("list_partners", "GET", "/api/partners",
              "notifications.list_partners", args=(ACTOR,),
              summary="Every partner, oldest registration first (operator only)",
              tag="partners", auth="operator",
              response=notifications.PartnerOut, many=True, paged=True),
        Route("get_partner", "GET", "/api/partners/<partner_id>",
              "notifications.get_partner", args=(ACTOR, partner),
              summary="A partner", tag="partners", response=notifications.PartnerOut),
        Route("add_subscription", "POST", "/api/partners/<partner_id>/subscriptions",
              "notifications.add_subscription", args=(ACTOR, partner, BODY),
              summary="Subscribe to alerts in a scope (sectors, regions, minimum score, "
                      "event kinds)",
              tag="partners", status=201, idempotent=True,
              body=notifications.SubscriptionIn, response=notifications.SubscriptionOut),
        Route("list_subscriptions", "GET", "/api/partners/<partner_id>/subscriptions",
              "notifications.list_subscriptions", args=(ACTOR, partner),
              summary="The partner's subscriptions",
              tag="partners", response=notifications.SubscriptionOut, many=True, paged=True),
        Route("update_subscription", "PATCH",
              "/api/partners/<partner_id>/subscriptions/<subscription_id>",
              "notifications.update_subscription", args=(ACTOR, partner, subscription, BODY),
              summary="Change a subscription's scope, language, mode or channels",
              tag="partners", body=notifications.SubscriptionIn,
              response=notifications.SubscriptionOut),
        Route("delete_subscription", "DELETE",
              "/api/partners/<partner_id>/subscriptions/<subscription_id>",
              "notifications.delete_subscription", args=(ACTOR, partner, subscription),
              summary="Remove a subscription",
              tag="partners", response=notifications.SubscriptionOut),
        Route("list_alerts", "GET", "/api/partners/<partner_id>/alerts",
              "notifications.list_alerts", args=(ACTOR, partner),
              summary="Alerts sent to the partner, newest first, with delivery status",
              tag="partners", response=notifications.AlertOut, many=True, paged=True),
        Route("list_deliveries", "GET", "/api/partners/<partner_id>/deliveries",
              "notifications.list_deliveries", args=(ACTOR, partner),
              summary="Webhook delivery log, newest first: every attempt with status and "
                      "latency",
              tag="partners", response=notifications.DeliveryOut, many=True, paged=True),
        Route("redeliver", "POST",
              "/api/partners/<partner_id>/deliveries/<delivery_id>/redelivery",
              "notifications.redeliver", args=(ACTOR, partner, path("delivery_id")),
              summary="Send a delivery again now, with the same webhook-id",
              tag="partners", status=202, response=notifications.DeliveryOut),
    ]


def channel_routes(notifications):
    partner = path("partner_id")
    channel = path("channel_id")
    return [
        Route("add_channel", "POST", "/api/partners/<partner_id>/channels",
              "notifications.add_channel", args=(ACTOR, partner, BODY),
              summary="Add a webhook (url) or e-mail (address) channel; a webhook's secret is "
                      "returned once",
              tag="partners", status=201, idempotent=True,
              body=notifications.ChannelIn, response=notifications.ChannelCreated),
        Route("list_channels", "GET", "/api/partners/<partner_id>/channels",
              "notifications.list_channels", args=(ACTOR, partner),
              summary="The partner's channels (enabled or disabled, and why)",
              tag="partners", response=notifications.ChannelOut, many=True, paged=True),
        Route("update_channel", "PATCH", "/api/partners/<partner_id>/channels/<channel_id>",
              "notifications.update_channel", args=(ACTOR, partner, channel, BODY),
              summary="Change a channel's url/address/label, or enable/disable it",
              tag="partners", body=notifications.ChannelUpdate,
              response=notifications.ChannelOut),
        Route("delete_channel", "DELETE", "/api/partners/<partner_id>/channels/<channel_id>",
              "notifications.delete_channel", args=(ACTOR, partner, channel),
              summary="Remove a channel", tag="partners", response=notifications.ChannelOut),
        Route("rotate_channel_secret", "POST",
              "/api/partners/<partner_id>/channels/<channel_id>/secret-rotations",
              "notifications.rotate_channel_secret", args=(ACTOR, partner, channel),
              summary="New signing secret for a webhook channel (returned once); the old one "
                      "keeps signing too during a grace period",
              tag="partners", status=201, response=notifications.SecretRotated),
        Route("send_test", "POST",
              "/api/partners/<partner_id>/channels/<channel_id>/test-sends",
              "notifications.send_test", args=(ACTOR, partner, channel),
              summary="Send a small signed test alert to this channel now, through the usual "
                      "delivery path (it shows in the delivery log)",
              tag="partners", status=202, response=notifications.DeliveryOut),
    ]


def agreement_routes(agreements):
    agreement = path("agreement_id")
    return [
        Route("propose_agreement", "POST", "/api/agreements",
              "agreements.propose_agreement", args=(ACTOR, BODY),
              summary="Propose an agreement (MOU, tenancy, investment, cooperation)",
              tag="agreements", status=201, idempotent=True,
              body=agreements.AgreementProposal, response=agreements.AgreementOut),
        Route("list_agreements", "GET", "/api/agreements",
              "agreements.list_agreements", args=(ACTOR,),
              summary="Agreements the caller is party to or sponsors (operator: all)",
              tag="agreements", response=agreements.AgreementOut, many=True, paged=True),
        Route("get_agreement", "GET", "/api/agreements/<agreement_id>",
              "agreements.get_agreement", args=(ACTOR, agreement),
              summary="An agreement with its parties and signatures",
              tag="agreements", response=agreements.AgreementOut),
        Route("sign_agreement", "POST", "/api/agreements/<agreement_id>/signatures",
              "agreements.sign_agreement", args=(ACTOR, agreement, BODY),
              summary="Sign as one of the parties; when all have signed the agreement is "
                      "signed",
              tag="agreements", status=201,
              body=agreements.SignatureIn, response=agreements.AgreementOut),
        Route("agreement_history", "GET", "/api/agreements/<agreement_id>/history",
              "agreements.get_agreement_history", args=(ACTOR, agreement),
              summary="The audit trail: who changed what, when, from which state to which",
              tag="agreements", response=agreements.HistoryEntryOut, many=True, paged=True),
        Route("transition_agreement", "POST", "/api/agreements/<agreement_id>/transitions",
              "agreements.transition_agreement", args=(ACTOR, agreement, BODY),
              summary="Move an agreement to another state (proposed, active, completed, "
                      "terminated); a 409 names the transitions allowed now",
              tag="agreements", status=201,
              body=agreements.TransitionIn, response=agreements.AgreementOut),
        Route("add_agreement_document", "POST", "/api/agreements/<agreement_id>/documents",
              "agreements.add_document", args=(ACTOR, agreement, BODY),
              summary="Attach a document by reference (URL and SHA-256)",
              tag="agreements", status=201,
              body=agreements.DocumentIn, response=agreements.AgreementOut),
        Route("funnel", "GET", "/api/funnel",
              "agreements.get_funnel",
              args=(ACTOR, {"partner_id": query("partner_id", "the partner's funnel"),
                            "park_id": query("park_id", "the park's funnel")}),
              summary="Matches -> introductions requested -> accepted -> agreements proposed "
                      "-> signed -> obligations met on time, for one partner or park",
              tag="agreements", response=agreements.FunnelOut),
    ]


def obligation_routes(agreements):
    agreement = path("agreement_id")
    obligation = path("obligation_id")
    return [
        Route("add_obligation", "POST", "/api/agreements/<agreement_id>/obligations",
              "agreements.add_obligation", args=(ACTOR, agreement, BODY),
              summary="Record an obligation: owner party, one-off or RFC 5545 recurring "
                      "schedule, reminders",
              tag="agreements", status=201, idempotent=True,
              body=agreements.ObligationIn, response=agreements.ObligationOut),
        Route("list_obligations", "GET", "/api/agreements/<agreement_id>/obligations",
              "agreements.list_obligations", args=(ACTOR, agreement),
              summary="The agreement's obligations with their next and overdue occurrences",
              tag="agreements", response=agreements.ObligationOut, many=True, paged=True),
        Route("record_fulfilment", "POST",
              "/api/agreements/<agreement_id>/obligations/<obligation_id>/fulfilments",
              "agreements.record_fulfilment", args=(ACTOR, agreement, obligation, BODY),
              summary="Record that one occurrence was fulfilled, with evidence (on time or "
                      "late is computed)",
              tag="agreements", status=201,
              body=agreements.FulfilmentIn, response=agreements.FulfilmentOut),
        Route("change_obligation", "PATCH",
              "/api/agreements/<agreement_id>/obligations/<obligation_id>",
              "agreements.change_obligation", args=(ACTOR, agreement, obligation, BODY),
              summary="Change an obligation's title, schedule or reminders (its owner party "
                      "or the operator); reminders already sent stay sent, new occurrences "
                      "follow the new schedule",
              tag="agreements", body=agreements.ObligationChange,
              response=agreements.ObligationOut),
        Route("cancel_obligation", "DELETE",
              "/api/agreements/<agreement_id>/obligations/<obligation_id>",
              "agreements.cancel_obligation", args=(ACTOR, agreement, obligation, BODY),
              summary="Cancel an obligation (its owner party or the operator): it stays "
                      "listed with its history, nothing more falls due",
              tag="agreements", body=agreements.CancellationIn,
              response=agreements.ObligationOut),
    ]


def introduction_routes(agreements):
    introduction = path("introduction_id")
    return [
        Route("request_introduction", "POST", "/api/introductions",
              "agreements.request_introduction", args=(ACTOR, BODY),
              summary="Ask to be introduced to a match's company (park, partner or operator); "
                      "the company's contact is released only if it accepts",
              tag="introductions", status=201, idempotent=True,
              body=agreements.IntroductionRequest, response=agreements.IntroductionOut),
        Route("list_introductions", "GET", "/api/introductions",
              "agreements.list_introductions",
              args=(ACTOR, query_choice("status", "only introductions in this state",
                                        INTRODUCTION_STATUSES)),
              summary="Introductions the caller is a side of (operator: all); never with "
                      "contacts",
              tag="introductions", response=agreements.IntroductionOut, many=True, paged=True),
        Route("get_introduction", "GET", "/api/introductions/<introduction_id>",
              "agreements.get_introduction", args=(ACTOR, introduction),
              summary="One introduction; after acceptance with both sides' contacts",
              tag="introductions", response=agreements.IntroductionOut),
        Route("accept_introduction", "POST", "/api/introductions/<introduction_id>/acceptance",
              "agreements.accept_introduction", args=(ACTOR, introduction, BODY),
              summary="The company accepts: both sides receive each other's contacts",
              tag="introductions", status=201,
              body=agreements.DecisionIn, response=agreements.IntroductionOut),
        Route("decline_introduction", "POST",
              "/api/introductions/<introduction_id>/declination",
              "agreements.decline_introduction", args=(ACTOR, introduction, BODY),
              summary="The company declines (optionally saying why); no contact is released",
              tag="introductions", status=201,
              body=agreements.DecisionIn, response=agreements.IntroductionOut),
        Route("withdraw_introduction", "POST",
              "/api/introductions/<introduction_id>/withdrawal",
              "agreements.withdraw_introduction", args=(ACTOR, introduction, BODY),
              summary="The requester (or the operator) withdraws an open request (optionally "
                      "saying why); a 409 names what may still be done",
              tag="introductions", status=201,
              body=agreements.DecisionIn, response=agreements.IntroductionOut),
    ]


def allocation_routes(allocation):
    """Issue #3 §6: stable matching with capacities."""
    company = path("company_id")
    return [
        Route("set_demand_preferences", "PUT", "/api/companies/<company_id>/demand-preferences",
              "matching.set_demand_preferences", args=(ACTOR, company, BODY),
              summary="State which matched demands the company wants most, in order "
                      "(allocation rounds use it before the score order); the company itself "
                      "or the operator",
              tag="allocation", body=allocation.DemandPreferencesIn,
              response=allocation.DemandPreferencesOut),
        Route("get_demand_preferences", "GET", "/api/companies/<company_id>/demand-preferences",
              "matching.get_demand_preferences", args=(ACTOR, company),
              summary="The company's stated order of preference among its matched demands",
              tag="allocation", response=allocation.DemandPreferencesOut),
        Route("run_allocation_round", "POST", "/api/allocation-rounds",
              "matching.run_allocation_round", args=(ACTOR, BODY, WHY_NOT_LANG),
              summary="Allocate demands' places among their eligible companies by stable "
                      "matching (company-optimal); body optional: demand_ids or park_id "
                      "(operator only)",
              tag="allocation", auth="operator", status=201,
              body=allocation.AllocationRoundIn, response=allocation.AllocationRoundOut),
        Route("list_allocation_rounds", "GET", "/api/allocation-rounds",
              "matching.list_allocation_rounds", args=(ACTOR,),
              summary="Allocation rounds, newest first (operator only)",
              tag="allocation", auth="operator",
              response=allocation.AllocationRoundSummary, many=True, paged=True),
        Route("get_allocation_round", "GET", "/api/allocation-rounds/<round_id>",
              "matching.get_allocation_round", args=(ACTOR, path("round_id"), WHY_NOT_LANG),
              summary="One allocation round: the operator sees all of it, a park its demands "
                      "and candidates, a company its own outcome and why-not answers",
              tag="allocation", response=allocation.AllocationRoundOut),
    ]
