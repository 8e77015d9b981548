"""The park's dashboard: its demands; per demand the ranked candidates with
their explanations, the near misses with what would close each gap, and an
introduction request per candidate with its state."""
from services.contracts.errors import Conflict, InvalidInput

from . import Page, Redirect, Route
from .dashboards import context, with_contacts


def dashboard(visit, rpc):
    actor = visit.actor
    park = rpc.profiles.get_park(actor, actor["id"])
    demands = rpc.profiles.list_park_demands(actor, actor["id"])["items"]
    return Page("park.html", context(park=park, demands=demands))


def demand(visit, rpc, problem=None, status=200):
    actor, demand_id = visit.actor, visit.params["demand_id"]
    shown = rpc.profiles.get_demand(actor, demand_id)
    matches = rpc.matching.list_demand_matches(actor, demand_id, include_withdrawn=False,
                                               lang=visit.lang)["items"]
    near_misses = rpc.matching.list_demand_near_misses(actor, demand_id,
                                                       lang=visit.lang)["items"]
    introductions = [found for found in rpc.agreements.list_introductions(actor, None)["items"]
                     if found.get("demand_id") == demand_id]
    by_match = {found["match_id"]: found
                for found in with_contacts(rpc, actor, introductions)}
    return Page("park_demand.html",
                context(demand=shown, matches=matches, near_misses=near_misses,
                        introductions=by_match, problem=problem,
                        notice=visit.args.get("notice")), status=status)


def request_introduction(visit, rpc):
    body = {"match_id": visit.value("match_id"), "message": visit.value("message") or None,
            "sponsor_partner_id": visit.value("sponsor_partner_id") or None}
    try:
        rpc.agreements.request_introduction(visit.actor, body)
    except (Conflict, InvalidInput) as exc:
        return demand(visit, rpc, problem=str(exc), status=exc.status)
    return Redirect(f"/park/demands/{visit.params['demand_id']}?notice=requested")


ROUTES = (
    Route("park_dashboard", "GET", "/park", dashboard, "park"),
    Route("park_demand", "GET", "/park/demands/<demand_id>", demand, "park"),
    Route("request_introduction", "POST", "/park/demands/<demand_id>/introductions",
          request_introduction, "park"),
)
