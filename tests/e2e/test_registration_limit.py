"""Registrations need no key, so the gateway limits them per client address
(through accounts' shared counters): past the limit a clear 429 with
Retry-After, and writes made with a key are not counted."""
import pytest

from services.ops.catalog import STATEFUL
from tests.e2e.conftest import OPERATOR_KEY, Api, System
from tests.e2e.journeys import register_on_the_web, web_session
from tests.factories import company_body, park_body

pytestmark = pytest.mark.e2e


@pytest.fixture
def limited_system(vhost, database_url, tmp_path):
    urls = {name: database_url(name) for name in STATEFUL}
    running = System(vhost, urls, tmp_path,
                     extra_env={"PARKMATCH_REGISTRATION_LIMIT_PER_ADDRESS": "2"})
    running.start_all()
    yield running
    running.stop_all()


def test_the_third_registration_from_one_address_is_a_429_naming_the_limit(limited_system):
    api = Api(limited_system.url)
    first = api.post("/api/companies", company_body())
    assert first.status_code == 201, first.text
    assert api.post("/api/companies", company_body()).status_code == 201

    refused = api.post("/api/companies", company_body())
    assert refused.status_code == 429, refused.text
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    body = refused.json()
    assert body["details"]["limit"] == "client_address"
    assert body["details"]["max_requests"] == 2
    assert "registration" in body["message"] or "register_company" in body["message"]

    # reading and writing with a key are not counted
    as_company = api.as_(first.json()["api_key"])
    company_id = first.json()["company"]["id"]
    assert as_company.get(f"/api/companies/{company_id}").status_code == 200
    assert as_company.patch(f"/api/companies/{company_id}", {"patents": 3}).status_code == 200
    assert api.as_(OPERATOR_KEY).post("/api/parks", park_body()).status_code == 201


def test_the_web_registration_counts_against_the_same_limit(limited_system):
    session = web_session()
    assert register_on_the_web(limited_system, session).status_code == 200
    assert Api(limited_system.url).post("/api/companies", company_body()).status_code == 201
    refused = register_on_the_web(limited_system, session)
    assert refused.status_code == 429
    assert "Too many registrations from your network" in refused.text
    assert 'value="Hanbit Bio"' in refused.text or "Hanbit" in refused.text  # typed kept
