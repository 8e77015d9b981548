"""The directory: parks and their open demands for signed-in companies,
searched by name, city or sector (a term in any language) and paged; and
company profiles for parks and partners, with exactly what the API shows
them (profiles decides: never contact details)."""
from urllib.parse import urlencode

from services.contracts import taxonomy
from services.contracts.errors import Forbidden, InvalidInput

from ..rendering import sector_label
from . import Page, Route
from .errors import by_field


def more_url(visit, next_cursor, param="cursor"):
    """The URL of the next page (this page's query with `param` set to the
    cursor), or None when no page follows."""
    if not next_cursor:
        return None
    args = {key: value for key, value in visit.args.items() if key != param and value}
    args[param] = next_cursor
    return f"{visit.path.split('?', 1)[0]}?{urlencode(args)}"


def _sector_labels(lang):
    return sorted({sector_label(code, lang) for code in taxonomy.SECTORS})


def parks(visit, rpc):
    q = visit.args.get("q", "").strip()
    try:
        found = rpc.profiles.list_parks(visit.actor, q or None, cursor=visit.args.get("cursor"))
    except InvalidInput as exc:
        return Page("directory_parks.html",
                    {"q": q, "parks": [], "more": None, "sector_labels": _sector_labels(visit.lang),
                     "errors": by_field(exc.details, visit.lang)}, status=422)
    return Page("directory_parks.html",
                {"q": q, "parks": found["items"], "more": more_url(visit, found["next_cursor"]),
                 "sector_labels": _sector_labels(visit.lang), "errors": {}})


def park(visit, rpc):
    shown = rpc.profiles.get_park(visit.actor, visit.params["park_id"])
    demands = rpc.profiles.list_park_demands(visit.actor, shown["id"],
                                             cursor=visit.args.get("cursor"))
    return Page("directory_park.html",
                {"park": shown, "demands": [d for d in demands["items"] if d["status"] == "open"],
                 "more": more_url(visit, demands["next_cursor"])})


def companies(visit, rpc):
    q, sector = visit.args.get("q", "").strip(), visit.args.get("sector", "").strip()
    shown = {"q": q, "sector": sector, "sector_labels": _sector_labels(visit.lang)}
    try:
        found = rpc.profiles.list_companies(visit.actor, q or None, sector or None,
                                            cursor=visit.args.get("cursor"))
    except InvalidInput as exc:
        return Page("directory_companies.html",
                    {**shown, "companies": [], "more": None,
                     "errors": by_field(exc.details, visit.lang)}, status=422)
    return Page("directory_companies.html",
                {**shown, "companies": found["items"], "errors": {},
                 "more": more_url(visit, found["next_cursor"])})


def company(visit, rpc):
    if visit.actor and visit.actor.get("kind") == "company":
        raise Forbidden("the directory of companies is for parks and partners")
    shown = rpc.profiles.get_company(visit.actor, visit.params["company_id"])
    return Page("directory_company.html", {"company": shown})


ROUTES = (
    Route("directory_parks", "GET", "/directory/parks", parks, "company"),
    Route("directory_park", "GET", "/directory/parks/<park_id>", park, "company"),
    # parks, partners and the operator: profiles refuses anyone else
    Route("directory_companies", "GET", "/directory/companies", companies),
    Route("directory_company", "GET", "/directory/companies/<company_id>", company),
)
