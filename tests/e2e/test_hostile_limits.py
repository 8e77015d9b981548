"""Per-field limits through the public API: one past a maximum is a 422
naming the field and stores nothing; a company and a demand at every
maximum are accepted and then matched, and no handler dead-letters an
event the API accepted."""
import json
import time

import pytest

from services.contracts import limits
from services.contracts.taxonomy import SECTORS
from services.contracts.vocabulary import CERTIFICATIONS, FACILITIES, INCENTIVES
from tests.conftest import eventually
from tests.factories import company_body, demand_body, park_body

pytestmark = pytest.mark.e2e

MARKETS = [f"{i:02d}" + "m" * (limits.MARKET_MAX - 2) for i in range(limits.EXPORT_MARKETS_MAX)]


def company_at_every_maximum():
    sectors = ["biopharmaceuticals", *[code for code in sorted(SECTORS)
                                       if code != "biopharmaceuticals"]]
    return company_body(
        names={"en": "M" * limits.NAME_MAX, "ko": "최" * limits.NAME_MAX},
        sectors=sectors[:limits.COMPANY_SECTORS_MAX], founded_on="1900-01-01",
        patents=limits.PATENTS_MAX, funding_raised_krw=limits.KRW_MAX,
        certifications=sorted(CERTIFICATIONS), space_needed_m2=limits.AREA_M2_MAX,
        facilities_needed=list(FACILITIES), headcount=limits.HEADCOUNT_MAX,
        export_markets=MARKETS, incentives_wanted=list(INCENTIVES),
        contact={"person": "P" * limits.NAME_MAX, "email": "a" * limits.EMAIL_LOCAL_MAX
                 + "@example.kr"})


def demand_at_every_maximum():
    return demand_body(
        title="T" * limits.TITLE_MAX, places=limits.PLACES_MAX,
        space_offered_m2=limits.AREA_M2_MAX, facilities=list(FACILITIES),
        incentives=list(INCENTIVES), criteria=[
            {"kind": "min_patents", "value": limits.PATENTS_MAX, "weight": limits.WEIGHT_MAX},
            {"kind": "headcount", "value": {"min": 0, "max": limits.HEADCOUNT_MAX},
             "weight": limits.WEIGHT_MAX},
            {"kind": "export_markets", "value": MARKETS, "required": False, "weight": 1},
        ])


def dead_letters(system):
    listed = system.cli("dead-letters", "list")
    assert listed.returncode == 0, listed.stderr
    return [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]


def test_one_past_a_maximum_is_a_422_and_stores_nothing(system, api, operator, event_spy):
    for field, value in (("patents", 10**30), ("funding_raised_krw", 10**30),
                         ("headcount", limits.HEADCOUNT_MAX + 1),
                         ("certifications", ["kr_venture"] * 10_000),
                         ("export_markets", ["CN"] * (limits.EXPORT_MARKETS_MAX + 1))):
        refused = api.post("/api/companies", company_body(**{field: value}))
        assert refused.status_code == 422, refused.text
        assert list(refused.json()["details"]) == [field], refused.text
    too_long = api.post("/api/companies", company_body(
        contact={"email": "a" * 5000 + "@example.kr"}))
    assert too_long.status_code == 422 and "contact" in too_long.json()["details"]
    park = operator.post("/api/parks", park_body(
        region={"country": "CN", "city": "c" * (limits.CITY_MAX + 1)}))
    assert park.status_code == 422 and list(park.json()["details"]) == ["region"]
    hook = operator.post("/api/partners", {
        "names": {"en": "Limits Partner"}, "country": "KR", "kind": "other",
        "webhooks": ["https://example.com/" + "a" * limits.URL_MAX]})
    assert hook.status_code == 422 and list(hook.json()["details"]) == ["webhooks"]

    accepted = api.post("/api/companies", company_body(names={"en": "Within Limits Ltd"}))
    assert accepted.status_code == 201, accepted.text
    event_spy.wait_for("company.registered")
    assert [e["payload"]["names"]["en"] for e in event_spy.of_type("company.registered")] == \
        ["Within Limits Ltd"]
    assert not event_spy.of_type("park.registered") and not event_spy.of_type(
        "partner.registered")


def test_a_company_and_a_demand_at_every_maximum_are_matched(system, api, operator, event_spy):
    park = operator.post("/api/parks", park_body(
        description="d" * limits.FREE_TEXT_MAX,
        region={"country": "CN", "province": "p" * limits.CITY_MAX,
                "city": "c" * limits.CITY_MAX}))
    assert park.status_code == 201, park.text
    park_id = park.json()["park"]["id"]
    as_park = operator.as_(park.json()["api_key"])
    demand = as_park.post(f"/api/parks/{park_id}/demands", demand_at_every_maximum())
    assert demand.status_code == 201, demand.text

    company = api.post("/api/companies", company_at_every_maximum())
    assert company.status_code == 201, company.text
    company_id = company.json()["company"]["id"]
    as_company = api.as_(company.json()["api_key"])

    def matched():
        answer = as_company.get(f"/api/companies/{company_id}/matches")
        assert answer.status_code == 200, answer.text
        found = answer.json()
        assert [m["demand"]["demand_id"] for m in found] == [demand.json()["id"]]
        return found[0]
    match = eventually(matched, timeout=30)
    assert 0 <= match["score"] <= limits.SCORE_MAX
    event_spy.wait_for("match.found")
    # every consumer has had time to retry and dead-letter (3 quick attempts)
    time.sleep(3)
    assert dead_letters(system) == []
