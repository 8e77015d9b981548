"""`Idempotency-Key` through the public HTTP API, every service a real
process: a client that retries a create after losing the reply gets the
first answer again (the API key shown once included) and nothing is created
twice; the key reused with another body, or malformed, is a 422 naming it."""
import time
import uuid

import pytest

from tests.conftest import eventually
from tests.factories import company_body, demand_body

pytestmark = pytest.mark.e2e


def keyed(key):
    return {"headers": {"Idempotency-Key": key}}


def refused_naming_the_key(response):
    assert response.status_code == 422, response.text
    assert list(response.json()["details"]) == ["Idempotency-Key"]


def test_a_retried_registration_answers_the_same_company_and_key_and_registers_once(
        api, event_spy):
    key = str(uuid.uuid4())
    first = api.post("/api/companies", company_body(), **keyed(key))
    again = api.post("/api/companies", company_body(), **keyed(key))
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    company_id = first.json()["company"]["id"]

    # the replayed key works: it is the company's key
    as_company = api.as_(again.json()["api_key"])
    assert as_company.get(f"/api/companies/{company_id}").status_code == 200
    event_spy.wait_for("company.registered",
                       lambda e: e["payload"]["company_id"] == company_id)
    time.sleep(1)  # a second announcement would be on its way by now
    assert len(event_spy.of_type("company.registered")) == 1

    refused_naming_the_key(api.post("/api/companies", company_body(patents=7), **keyed(key)))
    refused_naming_the_key(api.post("/api/companies", company_body(), **keyed("x" * 201)))
    refused_naming_the_key(api.post("/api/companies", company_body(), **keyed("")))

    # without a key, two requests are two companies, as before
    one = api.post("/api/companies", company_body())
    two = api.post("/api/companies", company_body())
    assert one.status_code == two.status_code == 201
    assert len({company_id, one.json()["company"]["id"], two.json()["company"]["id"]}) == 3
    event_spy.wait_for("company.registered", count=3)


def test_a_retried_demand_and_introduction_are_created_once(setting):
    park, park_id = setting["park"], setting["park_id"]
    body = demand_body(title="Korea-China High-Tech Valley, phase 2")
    first = park.post(f"/api/parks/{park_id}/demands", body, **keyed("phase-2"))
    again = park.post(f"/api/parks/{park_id}/demands", body, **keyed("phase-2"))
    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"]
    demands = park.get(f"/api/parks/{park_id}/demands").json()
    assert [d["title"] for d in demands].count(body["title"]) == 1
    refused_naming_the_key(park.post(f"/api/parks/{park_id}/demands",
                                     demand_body(title="Phase 3"), **keyed("phase-2")))

    match_id = setting["match"]["match_id"]
    request = {"match_id": match_id, "message": "Shall we meet in Harbin?"}

    def requested():
        # agreements hears of the match a moment after matching; until then
        # the request fails, and a failed request remembers nothing
        response = park.post("/api/introductions", request, **keyed("meet-1"))
        assert response.status_code == 201, response.text
        return response
    first = eventually(requested)
    introduction_id = first.json()["id"]
    withdrawn = park.post(f"/api/introductions/{introduction_id}/withdrawal", {})
    assert withdrawn.status_code == 201, withdrawn.text

    # the lost reply's retry: the first answer, not a new request for the match
    again = park.post("/api/introductions", request, **keyed("meet-1"))
    assert again.status_code == 201 and again.json() == first.json()
    assert [i["id"] for i in park.get("/api/introductions").json()] == [introduction_id]
    refused_naming_the_key(park.post("/api/introductions",
                                     {**request, "message": "Another time"}, **keyed("meet-1")))

    # without a key the withdrawn request may be made anew, as before
    anew = park.post("/api/introductions", request)
    assert anew.status_code == 201 and anew.json()["id"] != introduction_id
