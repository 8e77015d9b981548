"""The directory over RPC on the real broker and database: parks with their
open demands and companies, searched by name, city and sector terms in any
language, paged by keyset, and never with contact details a caller may not
see (the same rule as get_company and get_park)."""
from datetime import date, timedelta

import pytest

from services.contracts.actors import OPERATOR
from services.contracts.errors import Forbidden, InvalidInput, Unauthenticated
from services.profiles.service import ProfilesService
from tests.factories import company_body, demand_body, park_body


@pytest.fixture
def profiles(run_service):
    return run_service(ProfilesService)


def _park(rpc, **overrides):
    return rpc.profiles.register_park(OPERATOR, park_body(
        contact={"person": "Wang Lei", "email": "wang@park.example.cn"}, **overrides))["park"]


def _all(list_page):
    """Every item of a list, following next_cursor page by page."""
    items, cursor = [], None
    while True:
        page = list_page(cursor)
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_parks_are_found_by_name_city_and_sector_term_with_open_demands(profiles, rpc):
    harbin = _park(rpc)
    suzhou = _park(rpc, names={"en": "Suzhou Industrial Park", "zh": "苏州工业园区"},
                   region={"country": "CN", "province": "Jiangsu", "city": "Suzhou"})
    park_actor = {"kind": "park", "id": harbin["id"]}
    open_demand = rpc.profiles.publish_demand(park_actor, harbin["id"], demand_body(
        sectors=["medical_devices"]))
    closed = rpc.profiles.publish_demand(park_actor, harbin["id"], demand_body(
        title="Closed call", sectors=["software"]))
    rpc.profiles.update_demand(park_actor, closed["id"], {"status": "closed"})
    company = {"kind": "company", "id": rpc.profiles.register_company(company_body())
               ["company"]["id"]}

    def names(q):
        return [p["names"]["en"] for p in rpc.profiles.list_parks(company, q)["items"]]

    assert names("suzhou industrial") == ["Suzhou Industrial Park"]
    assert names("苏州") == ["Suzhou Industrial Park"]
    assert names("HARBIN") == [harbin["names"]["en"]]          # the city, any case
    assert names("의료기기") == [harbin["names"]["en"]]         # medical devices, in Korean
    assert names("医疗器械") == [harbin["names"]["en"]]         # and in Chinese
    assert names("software") == []                               # only a closed demand has it
    listed = rpc.profiles.list_parks(company, None)["items"]
    assert [p["id"] for p in listed] == [harbin["id"], suzhou["id"]]
    assert [d["id"] for d in listed[0]["open_demands"]] == [open_demand["id"]]
    assert all(p["contact"] is None for p in listed)
    own = rpc.profiles.list_parks(park_actor, "harbin")["items"][0]
    assert own["contact"]["email"] == "wang@park.example.cn"


def test_a_demand_outside_its_window_is_not_listed_as_open(profiles, rpc):
    park = _park(rpc)
    actor = {"kind": "park", "id": park["id"]}
    later = (date.today() + timedelta(days=30)).isoformat()
    rpc.profiles.publish_demand(actor, park["id"], demand_body(valid_from=later))
    listed = rpc.profiles.list_parks(actor, None)["items"]
    assert listed[0]["open_demands"] == []


def test_parks_page_by_cursor_without_repeats(profiles, rpc):
    made = [_park(rpc, names={"en": f"Park {n}"}) for n in range(5)]
    actor = {"kind": "park", "id": made[0]["id"]}
    first = rpc.profiles.list_parks(actor, "park", limit=2)
    assert len(first["items"]) == 2 and first["next_cursor"]
    every = _all(lambda cursor: rpc.profiles.list_parks(actor, "park", limit=2, cursor=cursor))
    assert [p["id"] for p in every] == [p["id"] for p in made]


def test_a_sparse_search_pages_past_many_records(profiles, rpc):
    """More records than a storage batch, the one found near the end."""
    for n in range(205):
        rpc.profiles.register_company(company_body(names={"en": f"Filler {n}"}))
    wanted = rpc.profiles.register_company(company_body(names={"ko": "한빛바이오"}))["company"]
    found = rpc.profiles.list_companies(OPERATOR, "한빛", limit=1)
    assert [c["id"] for c in found["items"]] == [wanted["id"]]
    assert found["next_cursor"] is None


def test_companies_by_name_and_sector_without_contacts(profiles, rpc):
    bio = rpc.profiles.register_company(company_body(names={"en": "Hanbit Bio", "ko": "한빛바이오"},
                                                     sectors=["biopharmaceuticals"]))["company"]
    rpc.profiles.register_company(company_body(names={"en": "Daol Soft"}, sectors=["software"]))
    park = {"kind": "park", "id": _park(rpc)["id"]}
    partner = {"kind": "partner", "id": "a-partner"}

    by_sector = rpc.profiles.list_companies(park, None, "바이오 의약")["items"]
    assert [c["id"] for c in by_sector] == [bio["id"]]
    assert by_sector[0]["contact"] is None
    assert by_sector == [rpc.profiles.get_company(park, bio["id"])]  # what a non-owner sees
    assert [c["names"]["en"] for c in rpc.profiles.list_companies(partner, "hanbit")
            ["items"]] == ["Hanbit Bio"]
    assert rpc.profiles.list_companies(partner, "soft", "生物医药")["items"] == []
    seen_by_operator = rpc.profiles.list_companies(OPERATOR, "hanbit")["items"]
    assert seen_by_operator[0]["contact"]["email"] == "minji@example.kr"


def test_companies_are_not_listed_to_companies_or_anonymous_callers(profiles, rpc):
    company = rpc.profiles.register_company(company_body())["company"]
    with pytest.raises(Forbidden):
        rpc.profiles.list_companies({"kind": "company", "id": company["id"]})
    with pytest.raises(Unauthenticated):
        rpc.profiles.list_companies(None)
    with pytest.raises(Unauthenticated):
        rpc.profiles.list_parks(None)


def test_bad_queries_name_their_field(profiles, rpc):
    with pytest.raises(InvalidInput) as caught:
        rpc.profiles.list_companies(OPERATOR, None, "spaceships")
    assert "sector" in caught.value.details
    with pytest.raises(InvalidInput) as caught:
        rpc.profiles.list_parks(OPERATOR, "x" * 201)
    assert "q" in caught.value.details
    with pytest.raises(InvalidInput) as caught:
        rpc.profiles.list_parks(OPERATOR, None, cursor="not-a-cursor")
    assert "cursor" in caught.value.details
    with pytest.raises(InvalidInput) as caught:
        rpc.profiles.list_companies(OPERATOR, None, None, limit=0)
    assert "limit" in caught.value.details


# --- a park's allocation rounds (matching) -------------------------------------------

def test_a_park_lists_the_rounds_of_its_demands_only(run_service, rpc, event_spy):
    from services.matching.service import MatchingService
    run_service(ProfilesService)
    run_service(MatchingService)
    mine, other = _park(rpc), _park(rpc, names={"en": "Another Park"})
    me, them = ({"kind": "park", "id": park["id"]} for park in (mine, other))
    rpc.profiles.publish_demand(me, mine["id"], demand_body(places=1))
    rpc.profiles.register_company(company_body())
    event_spy.wait_for("match.found")
    rounds = [rpc.matching.run_allocation_round(OPERATOR, {})["round_id"] for _ in range(3)]
    rpc.matching.run_allocation_round(OPERATOR, {"park_id": mine["id"]})  # scoped to mine
    assert rpc.matching.list_park_allocation_rounds(them, other["id"])["items"] == []

    every = _all(lambda cursor: rpc.matching.list_park_allocation_rounds(
        me, mine["id"], limit=2, cursor=cursor))
    assert len(every) == 4 and set(rounds) < {r["round_id"] for r in every}
    assert every[0]["created_at"] >= every[-1]["created_at"]          # newest first
    assert rpc.matching.list_park_allocation_rounds(OPERATOR, mine["id"])["items"] == every[:4]
    with pytest.raises(Forbidden):
        rpc.matching.list_park_allocation_rounds(them, mine["id"])
    with pytest.raises(InvalidInput) as caught:
        rpc.matching.list_park_allocation_rounds(OPERATOR, "")
    assert "park_id" in caught.value.details
