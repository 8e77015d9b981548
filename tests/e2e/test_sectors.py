"""Sectors through the public HTTP API: the taxonomy is served without a key,
terms typed in any language are stored as codes, and an unknown term is a
422 that names its position in the list and suggests the closest terms."""
import pytest

from tests.factories import company_body, demand_body, park_body

pytestmark = pytest.mark.e2e


def test_sector_terms_through_the_api(api, operator, receiver):
    # the taxonomy, without a key; labels in the asked language
    listed = api.get("/api/sectors")
    assert listed.status_code == 200, listed.text
    by_code = {sector["code"]: sector for sector in listed.json()}
    assert len(by_code) >= 50
    bio = by_code["biopharmaceuticals"]
    assert bio["label"] == "Biopharmaceuticals" and bio["labels"]["ko"] == "바이오의약"
    assert "biologics" in bio["children"] and bio["isic"] == ["2100"]
    assert by_code["biologics"]["parent"] == "biopharmaceuticals"
    assert "health_care" in by_code["medical_devices"]["related"]
    assert {s["code"]: s["label"] for s in api.get("/api/sectors?lang=zh").json()}[
        "artificial_intelligence"] == "人工智能"
    assert api.get("/api/sectors?lang=fr").status_code == 422

    # resolving one term
    found = api.get("/api/sectors", params={"q": "半導體", "lang": "ko"})
    assert found.status_code == 200, found.text
    assert [(s["code"], s["label"]) for s in found.json()] == [("semiconductors", "반도체·장비")]
    unknown = api.get("/api/sectors", params={"q": "인공지눙"})
    assert unknown.status_code == 422
    assert unknown.json()["details"]["q"] == [
        "unknown sector '인공지눙'; closest known terms: "
        "artificial_intelligence (Artificial intelligence)"]

    # a company types its sectors; they are stored as codes
    registered = api.post("/api/companies", company_body(sectors=["바이오 의약"]))
    assert registered.status_code == 201, registered.text
    company = registered.json()["company"]
    assert company["sectors"] == ["biopharmaceuticals"]
    as_company = api.as_(registered.json()["api_key"])
    assert as_company.get(f"/api/companies/{company['id']}").json()["sectors"] == \
        ["biopharmaceuticals"]
    changed = as_company.patch(f"/api/companies/{company['id']}", {"sectors": ["醫療器械", "AI"]})
    assert changed.status_code == 200, changed.text
    assert changed.json()["sectors"] == ["medical_devices", "artificial_intelligence"]

    # an unknown term names its position and the closest known terms
    refused = api.post("/api/companies", company_body(sectors=["bogus"]))
    assert refused.status_code == 422, refused.text
    assert refused.json()["details"] == {"sectors": {"0": [
        "unknown sector 'bogus'; closest known terms: biopharmaceuticals (Biopharmaceuticals)"]}}

    # parks and partners type sectors too
    park = operator.post("/api/parks", park_body()).json()
    as_park = api.as_(park["api_key"])
    demand = as_park.post(f"/api/parks/{park['park']['id']}/demands",
                          demand_body(sectors=["medical device", "바이오의약", "健康医疗"]))
    assert demand.status_code == 201, demand.text
    assert demand.json()["sectors"] == ["medical_devices", "biopharmaceuticals", "health_care"]
    partner = operator.post("/api/partners", {
        "names": {"en": "Seoul Bio Hub"}, "country": "KR", "kind": "cooperation_centre",
        "webhooks": [f"{receiver.url}/hub"]}).json()
    as_partner = api.as_(partner["api_key"])
    subscriptions = f"/api/partners/{partner['partner']['id']}/subscriptions"
    subscribed = as_partner.post(subscriptions, {"sectors": ["생물의약품", "의료 기기"]})
    assert subscribed.status_code == 201, subscribed.text
    assert subscribed.json()["sectors"] == ["biologics", "medical_devices"]
    bad = as_partner.post(subscriptions, {"sectors": ["cloud", "teleportaton"]})
    assert bad.status_code == 422 and list(bad.json()["details"]["sectors"]) == ["1"]
