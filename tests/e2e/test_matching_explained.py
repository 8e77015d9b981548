"""Issue #3 end to end, through the public HTTP API only: a company that is a
near miss (no patent yet) becomes eligible by adding one (PATCH), which
produces match.found and a partner's webhook alert; losing eligibility again
produces match.withdrawn and its alert. Near misses and explanations read in
Korean and Chinese; near misses are never alerted."""
import pytest

from tests.conftest import eventually, holds
from tests.e2e.journeys import register_park_with_demand, register_partner
from tests.factories import company_body

pytestmark = pytest.mark.e2e


def test_adding_a_patent_turns_a_near_miss_into_a_match_and_losing_it_withdraws(
        api, operator, receiver):
    as_park, _, demand = register_park_with_demand(operator)
    register_partner(operator, receiver)  # the default subscription: every alert kind

    registered = api.post("/api/companies", company_body(patents=0))
    assert registered.status_code == 201, registered.text
    company_id = registered.json()["company"]["id"]
    as_company = api.as_(registered.json()["api_key"])
    near_misses_path = f"/api/demands/{demand['id']}/near-misses"

    # a near miss, with what would close the gap, in the park's languages
    def is_near_miss():
        listed = as_park.get(near_misses_path + "?lang=ko")
        assert listed.status_code == 200, listed.text
        assert [n["company"]["company_id"] for n in listed.json()] == [company_id]
        return listed.json()[0]
    near = eventually(is_near_miss)
    assert [(g["criterion"], g["text"]) for g in near["gaps"]] == [
        ("min_patents", "특허 1건 더 필요: 보유 0건, 필요 1건")]
    chinese = as_park.get(near_misses_path + "?lang=zh").json()[0]
    assert chinese["gaps"][0]["text"] == "还需1项专利：现有0项，需要1项"
    assert as_park.get(near_misses_path).json()[0]["gaps"][0]["text"] == \
        "needs 1 more patent: has 0, needs 1"
    assert as_company.get(near_misses_path).status_code == 403
    assert as_park.get(near_misses_path + "?lang=fr").status_code == 422
    assert as_company.get(f"/api/companies/{company_id}/matches").json() == []
    assert receiver.alerts() == []  # a near miss is no match: nobody is alerted

    # one patent more: a match, an alert, and no near miss any more
    patched = as_company.patch(f"/api/companies/{company_id}", {"patents": 1})
    assert patched.status_code == 200, patched.text
    eventually(lambda: holds(len(receiver.alerts("match.found")) == 1))
    alert = receiver.alerts("match.found")[0]
    assert alert["_verified"]
    matches = as_company.get(f"/api/companies/{company_id}/matches?lang=zh").json()
    assert [m["demand"]["demand_id"] for m in matches] == [demand["id"]]
    match = matches[0]
    assert match["lang"] == "zh"
    patents = next(o for o in match["outcomes"] if o["criterion"] == "min_patents")
    assert (patents["outcome"], patents["explanation"]) == ("met", "拥有1项专利，要求至少1项")
    assert patents["explanations"]["ko"] == "특허 1건 보유, 최소 1건 필요"
    assert match["summaries"]["en"].startswith("Meets all 7 required criteria")
    korean = as_park.get(f"/api/matches/{match['match_id']}?lang=ko").json()
    assert korean["summary"] == match["summaries"]["ko"]
    eventually(lambda: holds(as_park.get(near_misses_path).json() == []))

    # losing the patent: withdrawn, alerted as such, a near miss again
    assert as_company.patch(f"/api/companies/{company_id}", {"patents": 0}).status_code == 200
    eventually(lambda: holds(len(receiver.alerts("match.withdrawn")) == 1))
    withdrawn = as_park.get(f"/api/matches/{match['match_id']}?lang=ko").json()
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["withdrawn_reason"] == \
        "필수 요건 미충족: 특허 (특허 0건 보유, 최소 1건 필요)"
    eventually(lambda: holds(len(as_park.get(near_misses_path).json()) == 1))
    assert len(receiver.alerts("match.found")) == 1


def test_criteria_are_configurable_and_a_bad_one_is_a_422_naming_it(api, operator):
    as_park, park_id, _ = register_park_with_demand(operator)
    bad = as_park.post(f"/api/parks/{park_id}/demands", {
        "title": "Export-ready medtech", "sectors": ["medical_devices"], "places": 5,
        "criteria": [{"kind": "headcount", "value": {"min": 50, "max": 10}}]})
    assert bad.status_code == 422, bad.text
    assert "value" in bad.json()["details"]["criteria"]["0"]

    published = as_park.post(f"/api/parks/{park_id}/demands", {
        "title": "Export-ready medtech", "sectors": ["medical_devices"], "places": 5,
        "criteria": [{"kind": "headcount", "value": {"min": 10}},
                     {"kind": "export_markets", "value": ["CN", "VN"], "required": False,
                      "weight": 2},
                     {"kind": "sectors", "weight": 3}]})
    assert published.status_code == 201, published.text
    demand_id = published.json()["id"]

    registered = api.post("/api/companies", company_body(
        sectors=["health_care"], headcount=25, export_markets=["VN"],
        facilities_needed=None, space_needed_m2=None)).json()
    as_company = api.as_(registered["api_key"])

    def matched():
        found = as_company.get(f"/api/companies/{registered['company']['id']}/matches")
        assert found.status_code == 200, found.text
        mine = [m for m in found.json() if m["demand"]["demand_id"] == demand_id]
        assert len(mine) == 1
        return mine[0]
    match = eventually(matched)
    sectors = next(o for o in match["outcomes"] if o["criterion"] == "sectors")
    assert (sectors["credit"], sectors["weight"]) == (0.5, 3.0)  # related sector
    # sectors 3 x 0.5 + headcount 1 + export markets 2 + facilities? none: of 6
    assert match["score"] == round(100 * 4.5 / 6, 1)
