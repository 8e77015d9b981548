"""The company's dashboard: its profile, its matches best first with every
criterion explained, and the introductions parks asked for."""
from . import Page, Redirect, Route
from .dashboards import context, with_contacts


def dashboard(visit, rpc):
    actor = visit.actor
    company = rpc.profiles.get_company(actor, actor["id"])
    matches = rpc.matching.list_company_matches(actor, actor["id"], include_withdrawn=False,
                                                lang=visit.lang)["items"]
    introductions = with_contacts(
        rpc, actor, rpc.agreements.list_introductions(actor, None)["items"])
    demands = {match["match_id"]: match["demand"] for match in matches}
    return Page("company.html", context(company=company, matches=matches,
                                        introductions=introductions, demands=demands,
                                        notice=visit.args.get("notice")))


def accept_introduction(visit, rpc):
    rpc.agreements.accept_introduction(visit.actor, visit.params["introduction_id"], {})
    return Redirect("/company?notice=accepted#introductions")


def decline_introduction(visit, rpc):
    reason = visit.value("reason") or None
    rpc.agreements.decline_introduction(visit.actor, visit.params["introduction_id"],
                                        {"reason": reason})
    return Redirect("/company?notice=declined#introductions")


ROUTES = (
    Route("company_dashboard", "GET", "/company", dashboard, "company"),
    Route("accept_introduction", "POST", "/company/introductions/<introduction_id>/accept",
          accept_introduction, "company"),
    Route("decline_introduction", "POST", "/company/introductions/<introduction_id>/decline",
          decline_introduction, "company"),
)
