"""The whole flow of issue #2 §2 through the public HTTP API, every hop over
RabbitMQ between real processes, alerts checked by a real partner server."""
import pytest

from tests.conftest import eventually, holds
from tests.e2e.journeys import register_park_with_demand, register_partner
from tests.factories import company_body, park_body

pytestmark = pytest.mark.e2e


def test_company_to_match_to_alert_to_signed_agreement(api, operator, receiver):
    as_park, park_id, demand = register_park_with_demand(operator)
    as_partner, partner_id = register_partner(
        operator, receiver, sectors=["biopharmaceuticals"],
        regions=[{"country": "CN", "province": "Heilongjiang"}], min_score=50)

    registered = api.post("/api/companies", company_body())
    assert registered.status_code == 201, registered.text
    company_id = registered.json()["company"]["id"]
    as_company = api.as_(registered.json()["api_key"])

    # matching heard of the company over the broker and found the match
    def company_has_match():
        matches = as_company.get(f"/api/companies/{company_id}/matches")
        assert matches.status_code == 200, matches.text
        assert [m["demand"]["demand_id"] for m in matches.json()] == [demand["id"]]
        return matches.json()[0]
    match = eventually(company_has_match)
    assert match["status"] == "active" and 0 <= match["score"] <= 100
    assert {o["criterion"] for o in match["outcomes"]} >= {"min_patents", "certification_any_of"}
    assert all(o["outcome"] == "met" for o in match["outcomes"] if o["required"])

    # the park sees the same match, ranked, explained
    park_view = as_park.get(f"/api/demands/{demand['id']}/matches").json()
    assert [m["match_id"] for m in park_view] == [match["match_id"]]

    # the partner got exactly one signed alert, without the company's contact
    eventually(lambda: holds(len(receiver.alerts("match.found")) == 1))
    alert = receiver.alerts("match.found")[0]
    assert alert["_verified"], "webhook signature did not verify with the standardwebhooks package"
    assert "minji@example.kr" not in str(receiver.received)
    listed = as_partner.get(f"/api/partners/{partner_id}/alerts")
    assert listed.status_code == 200 and len(listed.json()) == 1

    # an introduction becomes an agreement; both sign; partners hear of it
    proposal = as_company.post("/api/agreements", {
        "kind": "tenancy", "title": "Incubation in the High-Tech Valley",
        "match_id": match["match_id"],
        "parties": [{"kind": "company", "id": company_id}, {"kind": "park", "id": park_id}],
        "sponsor_partner_id": partner_id})
    assert proposal.status_code == 201, proposal.text
    agreement_id = proposal.json()["id"]
    assert as_company.post(f"/api/agreements/{agreement_id}/signatures", {}).status_code == 201
    signed = as_park.post(f"/api/agreements/{agreement_id}/signatures", {})
    assert signed.status_code == 201, signed.text
    assert signed.json()["status"] == "signed"
    assert as_partner.get(f"/api/agreements/{agreement_id}").json()["status"] == "signed"
    eventually(lambda: holds(len(receiver.alerts("agreement.signed")) == 1))


def test_losing_eligibility_withdraws_the_match_and_tells_the_partner(api, operator, receiver):
    register_park_with_demand(operator)
    register_partner(operator, receiver)
    registered = api.post("/api/companies", company_body()).json()
    company_id = registered["company"]["id"]
    as_company = api.as_(registered["api_key"])
    eventually(lambda: holds(len(receiver.alerts("match.found")) == 1))

    patched = as_company.patch(f"/api/companies/{company_id}", {"patents": 0})
    assert patched.status_code == 200 and patched.json()["version"] == 2

    def withdrawn():
        matches = as_company.get(f"/api/companies/{company_id}/matches?include_withdrawn=true")
        assert [m["status"] for m in matches.json()] == ["withdrawn"]
        assert as_company.get(f"/api/companies/{company_id}/matches").json() == []
    eventually(withdrawn)
    eventually(lambda: holds(len(receiver.alerts("match.withdrawn")) == 1))

    # becoming eligible again by adding a patent finds it again
    assert as_company.patch(f"/api/companies/{company_id}", {"patents": 1}).status_code == 200
    eventually(lambda: holds(len(as_company.get(
        f"/api/companies/{company_id}/matches").json()) == 1))


def test_bad_input_is_named_and_never_a_500(api, operator):
    invalid = api.post("/api/companies", company_body(country="Korea", sectors=[], patents="x"))
    assert invalid.status_code == 422
    assert set(invalid.json()["details"]) >= {"country", "sectors", "patents"}

    assert api.post("/api/companies", raw="{not json").status_code == 400
    assert api.post("/api/companies", raw="[1, 2]").status_code == 422
    assert operator.get("/api/companies/does-not-exist").status_code == 404
    assert operator.get("/api/demands/does-not-exist/matches").status_code == 404
    assert api.post("/api/parks", park_body()).status_code == 401

    mine = api.post("/api/companies", company_body()).json()
    theirs = api.post("/api/companies", company_body()).json()
    as_me = api.as_(mine["api_key"])
    other = f"/api/companies/{theirs['company']['id']}"
    assert api.patch(other, {"patents": 9}).status_code == 401
    assert api.as_("pmk_company_forged").patch(other, {"patents": 9}).status_code == 401
    assert as_me.patch(other, {"patents": 9}).status_code == 403
    seen = as_me.get(other)
    assert seen.status_code == 200 and seen.json()["contact"] is None
    assert operator.get(other).json()["contact"]["email"] == "minji@example.kr"
    assert operator.get(other).json()["patents"] == 3  # the refused PATCH changed nothing

    for path, body in [("/api/companies", {"names": {}}), ("/api/companies", {"sectors": 5}),
                       (f"/api/companies/{mine['company']['id']}", {"founded_on": "tomorrow"}),
                       ("/api/agreements", {"parties": "all"})]:
        response = as_me.request("PATCH" if path.count("/") == 3 else "POST", path, body)
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text)


def test_openapi_document_lists_the_contract_paths(api):
    spec = api.get("/api/openapi.json").json()
    for path in ["/api/companies", "/api/companies/{company_id}",
                 "/api/companies/{company_id}/matches", "/api/parks",
                 "/api/parks/{park_id}/demands", "/api/demands/{demand_id}",
                 "/api/demands/{demand_id}/matches", "/api/partners",
                 "/api/partners/{partner_id}/subscriptions", "/api/partners/{partner_id}/alerts",
                 "/api/agreements", "/api/agreements/{agreement_id}",
                 "/api/agreements/{agreement_id}/signatures"]:
        assert path in spec["paths"], path
    company = spec["components"]["schemas"]["CompanyRegistration"]
    assert "sectors" in company["properties"] and "contact" in company["required"]
    assert api.get("/health").json()["status"] == "ok"
