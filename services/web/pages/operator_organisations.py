"""The operator's organisations: companies and parks (profiles' directory)
and partners (notifications), each with its people (accounts); the first
person of an organisation is enrolled here, and people are removed here."""
from services.contracts.errors import Conflict, InvalidInput, NotFound

from . import Page, Redirect, Route
from .errors import N_, by_field
from .operator import PAGE_SIZE

KINDS = {"company": N_("Companies"), "park": N_("Parks"), "partner": N_("Partners")}


def _kind(visit, name="kind", default=None):
    kind = visit.params.get(name) or visit.args.get(name) or default
    if kind not in KINDS:
        raise NotFound(f"no kind of organisation {kind}")
    return kind


def _listing(rpc, actor, kind, cursor):
    if kind == "company":
        return rpc.profiles.list_companies(actor, limit=PAGE_SIZE, cursor=cursor)
    if kind == "park":
        return rpc.profiles.list_parks(actor, limit=PAGE_SIZE, cursor=cursor)
    return rpc.notifications.list_partners(actor, limit=PAGE_SIZE, cursor=cursor)


def organisations(visit, rpc):
    kind = _kind(visit, default="park")
    listed = _listing(rpc, visit.actor, kind, visit.args.get("cursor"))
    return Page("operator_organisations.html", {
        "kind": kind, "kinds": KINDS, "organisations": listed["items"],
        "next_cursor": listed["next_cursor"]})


def _organisation(rpc, actor, kind, organisation_id):
    if kind == "company":
        return rpc.profiles.get_company(actor, organisation_id)
    if kind == "park":
        return rpc.profiles.get_park(actor, organisation_id)
    return rpc.notifications.get_partner(actor, organisation_id)


def organisation(visit, rpc, typed=None, errors=None, problem=None, status=200):
    kind, organisation_id = _kind(visit), visit.params["organisation_id"]
    shown = _organisation(rpc, visit.actor, kind, organisation_id)
    people = rpc.accounts.list_people(visit.actor, {"kind": kind, "id": organisation_id},
                                      limit=PAGE_SIZE, cursor=visit.args.get("cursor"))
    return Page("operator_organisation.html", {
        "kind": kind, "kinds": KINDS, "organisation": shown, "people": people["items"],
        "next_cursor": people["next_cursor"], "typed": typed or {"language": visit.lang},
        "errors": errors or {}, "problem": problem, "notice": visit.args.get("notice")},
        status=status)


def _here(visit):
    return f"/operator/organisations/{visit.params['kind']}/{visit.params['organisation_id']}"


def enrol(visit, rpc):
    """The organisation's first person (an owner), sent a link to sign in."""
    kind, organisation_id = _kind(visit), visit.params["organisation_id"]
    typed = {name: visit.value(name) for name in ("email", "name", "language")}
    names = _organisation(rpc, visit.actor, kind, organisation_id).get("names")
    try:
        rpc.accounts.enrol_owner({"kind": kind, "id": organisation_id, "names": names},
                                 typed["email"], typed["name"], typed["language"])
    except InvalidInput as exc:
        return organisation(visit, rpc, typed, by_field(exc.details, visit.lang), status=422)
    except Conflict as exc:
        return organisation(visit, rpc, typed, by_field(exc.details or {}, visit.lang),
                            problem=str(exc), status=409)
    return Redirect(f"{_here(visit)}?notice=enrolled")


def remove(visit, rpc):
    _kind(visit)
    try:
        rpc.accounts.remove_person(visit.actor, visit.params["person_id"])
    except Conflict as exc:
        return organisation(visit, rpc, problem=str(exc), status=409)
    return Redirect(f"{_here(visit)}?notice=removed")


ROUTES = (
    Route("operator_organisations", "GET", "/operator/organisations", organisations,
          "operator"),
    Route("operator_organisation", "GET", "/operator/organisations/<kind>/<organisation_id>",
          organisation, "operator"),
    Route("operator_enrol", "POST",
          "/operator/organisations/<kind>/<organisation_id>/people", enrol, "operator"),
    Route("operator_remove_person", "POST",
          "/operator/organisations/<kind>/<organisation_id>/people/<person_id>/removal",
          remove, "operator"),
)
