"""The park's pages: its demands; publishing and editing a demand with its
criteria (profiles validates, as for the API); per demand the ranked
candidates with their explanations, the near misses with what would close
each gap, and an introduction request per candidate with its state; the
allocation rounds of its demands with why-not answers."""
from services.contracts import taxonomy
from services.contracts.errors import Conflict, Forbidden, InvalidInput
from services.contracts.vocabulary import CERTIFICATIONS, CRITERION_KINDS, FACILITIES, INCENTIVES

from ..rendering import sector_label
from . import Page, Redirect, Route
from .dashboards import CRITERIA, context, with_contacts
from .directory import more_url
from .park_form import (
    INCENTIVE_LABELS,
    PREFERENCE_ONLY,
    VALUE_INPUTS,
    demand_body,
    field_errors,
    form_state,
    typed_from_demand,
)
from .register import CERTIFICATION_LABELS, FACILITY_LABELS

INTRODUCTIONS_PAGE = 200


def dashboard(visit, rpc):
    actor = visit.actor
    park = rpc.profiles.get_park(actor, actor["id"])
    demands = rpc.profiles.list_park_demands(actor, actor["id"],
                                             cursor=visit.args.get("cursor"))
    return Page("park.html", context(park=park, demands=demands["items"],
                                     more=more_url(visit, demands["next_cursor"]),
                                     notice=visit.args.get("notice")))


# --- publishing and editing a demand -------------------------------------------------

def _form_context(visit, typed, errors=None, demand=None, problem=None):
    def choices(codes, labels):
        return [(code, labels.get(code, code)) for code in codes]

    return context(
        typed=typed, errors=errors or {}, demand=demand, problem=problem,
        kinds=[(kind, CRITERIA.get(kind, kind), VALUE_INPUTS[kind]) for kind in CRITERION_KINDS
               if kind in VALUE_INPUTS],
        preference_only=PREFERENCE_ONLY,
        choices={"facilities": choices(FACILITIES, FACILITY_LABELS),
                 "incentives": choices(INCENTIVES, INCENTIVE_LABELS),
                 "certification_any_of": choices(CERTIFICATIONS, CERTIFICATION_LABELS)},
        sector_labels=sorted({sector_label(code, visit.lang) for code in taxonomy.SECTORS}))


def new_demand(visit, rpc):
    return Page("park_demand_form.html", _form_context(visit, {"places": "1"}))


def publish_demand(visit, rpc):
    typed = form_state(visit)
    body = demand_body(typed)
    try:
        published = rpc.profiles.publish_demand(visit.actor, visit.actor["id"], body)
    except InvalidInput as exc:
        return Page("park_demand_form.html", _form_context(
            visit, typed, field_errors(exc.details, visit.lang, body)), status=422)
    return Redirect(f"/park/demands/{published['id']}?notice=published")


def _own_demand(visit, rpc):
    shown = rpc.profiles.get_demand(visit.actor, visit.params["demand_id"])
    if shown["park_id"] != visit.actor["id"]:
        raise Forbidden("only the demand's park may edit it")
    return shown


def edit_demand(visit, rpc):
    shown = _own_demand(visit, rpc)
    return Page("park_demand_form.html",
                _form_context(visit, typed_from_demand(shown, visit.lang), demand=shown))


def update_demand(visit, rpc):
    shown = _own_demand(visit, rpc)
    typed = form_state(visit)
    body = demand_body(typed, editing=True)
    try:
        rpc.profiles.update_demand(visit.actor, shown["id"], body)
    except InvalidInput as exc:
        return Page("park_demand_form.html", _form_context(
            visit, typed, field_errors(exc.details, visit.lang, body), demand=shown),
            status=422)
    except Conflict as exc:
        return Page("park_demand_form.html",
                    _form_context(visit, typed, demand=shown, problem=str(exc)), status=409)
    return Redirect(f"/park/demands/{shown['id']}?notice=saved")


# --- a demand's candidates ----------------------------------------------------------------

def introductions_by_match(rpc, actor, match_ids):
    """The latest introduction of each of `match_ids`, with contacts once
    accepted. Introductions list has no filter by match: every page of the
    park's introductions is read (oldest first, so a later request of the
    same match replaces an earlier one)."""
    latest, cursor = {}, None
    while True:
        page = rpc.agreements.list_introductions(actor, None, limit=INTRODUCTIONS_PAGE,
                                                 cursor=cursor)
        for found in page["items"]:
            if found.get("match_id") in match_ids:
                latest[found["match_id"]] = found
        cursor = page["next_cursor"]
        if not cursor:
            break
    return {found["match_id"]: found for found in with_contacts(rpc, actor, latest.values())}


def demand(visit, rpc, problem=None, status=200):
    actor, demand_id = visit.actor, visit.params["demand_id"]
    shown = rpc.profiles.get_demand(actor, demand_id)
    matches = rpc.matching.list_demand_matches(actor, demand_id, include_withdrawn=False,
                                               lang=visit.lang, cursor=visit.args.get("cursor"))
    near_misses = rpc.matching.list_demand_near_misses(
        actor, demand_id, lang=visit.lang, cursor=visit.args.get("near_cursor"))
    introductions = introductions_by_match(
        rpc, actor, {match["match_id"] for match in matches["items"]})
    return Page("park_demand.html",
                context(demand=shown, matches=matches["items"],
                        near_misses=near_misses["items"], introductions=introductions,
                        more_matches=more_url(visit, matches["next_cursor"]),
                        more_near_misses=more_url(visit, near_misses["next_cursor"],
                                                  "near_cursor"),
                        problem=problem, notice=visit.args.get("notice")), status=status)


def request_introduction(visit, rpc):
    body = {"match_id": visit.value("match_id"), "message": visit.value("message") or None,
            "sponsor_partner_id": visit.value("sponsor_partner_id") or None}
    try:
        rpc.agreements.request_introduction(visit.actor, body)
    except (Conflict, InvalidInput) as exc:
        return demand(visit, rpc, problem=str(exc), status=exc.status)
    return Redirect(f"/park/demands/{visit.params['demand_id']}?notice=requested")


# --- allocation rounds ------------------------------------------------------------------

def allocation_rounds(visit, rpc):
    actor = visit.actor
    rounds = rpc.matching.list_park_allocation_rounds(actor, actor["id"],
                                                      cursor=visit.args.get("cursor"))
    return Page("park_rounds.html", context(rounds=rounds["items"],
                                            more=more_url(visit, rounds["next_cursor"])))


def allocation_round(visit, rpc):
    shown = rpc.matching.get_allocation_round(visit.actor, visit.params["round_id"],
                                              visit.lang)
    names = {company["company_id"]: company["names"] for company in shown["companies"]}
    titles = {found["demand_id"]: found["title"] for found in shown["demands"]}
    return Page("park_round.html", context(round=shown, names=names, titles=titles))


ROUTES = (
    Route("park_dashboard", "GET", "/park", dashboard, "park"),
    Route("park_new_demand", "GET", "/park/demands/new", new_demand, "park"),
    Route("park_publish_demand", "POST", "/park/demands/new", publish_demand, "park"),
    Route("park_demand", "GET", "/park/demands/<demand_id>", demand, "park"),
    Route("park_edit_demand", "GET", "/park/demands/<demand_id>/edit", edit_demand, "park"),
    Route("park_update_demand", "POST", "/park/demands/<demand_id>/edit", update_demand,
          "park"),
    Route("request_introduction", "POST", "/park/demands/<demand_id>/introductions",
          request_introduction, "park"),
    Route("park_allocation_rounds", "GET", "/park/allocation-rounds", allocation_rounds,
          "park"),
    Route("park_allocation_round", "GET", "/park/allocation-rounds/<round_id>",
          allocation_round, "park"),
)
