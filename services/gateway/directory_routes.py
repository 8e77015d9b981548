"""The API's routes for the directory: parks with their open demands, and
companies within the privacy rules (no contact details but for the
operator). Declared like every route (route_spec.py)."""
from .route_spec import ACTOR, Route, path, query

PARK_TERM = query("q", "part of a park's name (ko / zh / en), city or province, or a sector "
                       "term in any language: the parks with an open demand in that sector")
COMPANY_TERM = query("q", "part of a company's name (ko / zh / en), case-insensitive")
SECTOR = query("sector", "a sector code or term in ko / zh / en: the companies in that sector "
                         "(or one above or below it)")


def directory_routes(profiles):
    return [
        Route("list_parks", "GET", "/api/parks",
              "profiles.list_parks", args=(ACTOR,), kwargs={"q": PARK_TERM},
              summary="The parks, each with its open demands; ?q= searches names, cities "
                      "and sectors (any signed-in caller)",
              tag="parks", response=profiles.ParkListing, many=True, paged=True),
        Route("list_companies", "GET", "/api/companies",
              "profiles.list_companies", args=(ACTOR,),
              kwargs={"q": COMPANY_TERM, "sector": SECTOR},
              summary="Company profiles by name and sector (parks, partners and the operator); "
                      "contact details only for the operator, as GET /api/companies/{id}",
              tag="companies", response=profiles.CompanyOut, many=True, paged=True),
    ]


def park_round_routes(allocation):
    return [
        Route("list_park_allocation_rounds", "GET", "/api/parks/<park_id>/allocation-rounds",
              "matching.list_park_allocation_rounds", args=(ACTOR, path("park_id")),
              summary="The allocation rounds with a demand of the park, newest first (the "
                      "park itself or the operator); GET /api/allocation-rounds/{round_id} "
                      "shows the park its part",
              tag="allocation", response=allocation.AllocationRoundSummary, many=True,
              paged=True),
    ]
