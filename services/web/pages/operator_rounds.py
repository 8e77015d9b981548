"""The operator's allocation rounds: the list (newest first, paged), running
one (every open demand, one park's, or chosen demands) and one round with its
assignments and why-not answers in the page's language."""
import re

from services.contracts.errors import InvalidInput

from . import Page, Redirect, Route
from .errors import by_field
from .operator import PAGE_SIZE


def round_body(park_id, demand_ids):
    """The run_allocation_round body from the form: a park, demand ids
    (separated by commas, spaces or lines), or neither (every open demand)."""
    body = {}
    if park_id.strip():
        body["park_id"] = park_id.strip()
    ids = [part for part in re.split(r"[\s,]+", demand_ids) if part]
    if ids:
        body["demand_ids"] = ids
    return body


def rounds(visit, rpc, typed=None, errors=None, status=200):
    listed = rpc.matching.list_allocation_rounds(visit.actor, limit=PAGE_SIZE,
                                                 cursor=visit.args.get("cursor"))
    return Page("operator_rounds.html", {
        "rounds": listed["items"], "next_cursor": listed["next_cursor"],
        "typed": typed or {}, "errors": errors or {}}, status=status)


def run_round(visit, rpc):
    typed = {"park_id": visit.value("park_id"), "demand_ids": visit.value("demand_ids")}
    try:
        ran = rpc.matching.run_allocation_round(
            visit.actor, round_body(typed["park_id"], typed["demand_ids"]), visit.lang)
    except InvalidInput as exc:
        return rounds(visit, rpc, typed, by_field(exc.details, visit.lang), status=422)
    return Redirect(f"/operator/allocation-rounds/{ran['round_id']}")


def company_names(round_):
    return {company["company_id"]: company.get("names") or {}
            for company in round_.get("companies") or []}


def one_round(visit, rpc):
    shown = rpc.matching.get_allocation_round(visit.actor, visit.params["round_id"], visit.lang)
    demands = {demand["demand_id"]: demand for demand in shown.get("demands") or []}
    return Page("operator_round.html", {"round": shown, "demands": demands,
                                        "names": company_names(shown)})


ROUTES = (
    Route("operator_rounds", "GET", "/operator/allocation-rounds", rounds, "operator"),
    Route("operator_run_round", "POST", "/operator/allocation-rounds", run_round, "operator"),
    Route("operator_round", "GET", "/operator/allocation-rounds/<round_id>", one_round,
          "operator"),
)
