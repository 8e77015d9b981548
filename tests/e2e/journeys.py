"""Steps many end-to-end journeys share, each through the public HTTP API
(or the web app's forms, over HTTP like a browser)."""
import html
import re
from datetime import timedelta

import requests

from services.platform import clock
from tests.conftest import eventually
from tests.factories import company_body, demand_body, park_body

COMPANY_EMAIL = "minji@example.kr"
COMPANY_PHONE = "+82-2-555-0101"
PARK_EMAIL = "invest@binxian.example"
PARTNER_EMAIL = "jisoo@kic.example"


def register_park_with_demand(operator, **demand_overrides):
    park = operator.post("/api/parks", park_body())
    assert park.status_code == 201, park.text
    park_key = park.json()["api_key"]
    park_id = park.json()["park"]["id"]
    as_park = operator.as_(park_key)
    demand = as_park.post(f"/api/parks/{park_id}/demands", demand_body(**demand_overrides))
    assert demand.status_code == 201, demand.text
    return as_park, park_id, demand.json()


def register_partner(operator, receiver, **subscription):
    partner = operator.post("/api/partners", {
        "names": {"en": "KIC China (Korea Innovation Center China)", "ko": "KIC중국"},
        "country": "CN", "kind": "government_office", "webhooks": [f"{receiver.url}/kic"]})
    assert partner.status_code == 201, partner.text
    body = partner.json()
    receiver.secret = body["webhook_secret"]
    as_partner = operator.as_(body["api_key"])
    partner_id = body["partner"]["id"]
    sub = as_partner.post(f"/api/partners/{partner_id}/subscriptions", subscription)
    assert sub.status_code == 201, sub.text
    return as_partner, partner_id


def request_when_known(as_requester, body):
    """agreements hears of the match over the broker a moment after matching."""
    def made():
        response = as_requester.post("/api/introductions", body)
        assert response.status_code == 201, response.text
        return response.json()
    return eventually(made)


def travel(system, days):
    clock.travel_to(system.log_dir / "clock", clock.now() + timedelta(days=days))


# --- the web app over HTTP ------------------------------------------------------

OWNER_EMAIL = "jiwoo@hanbit.example"
WEB_NAME = "Hanbit Bio"


def csrf_of(page):
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:2000]
    return html.unescape(found.group(1))


def web_session():
    session = requests.Session()
    session.headers["Accept-Language"] = "en"
    return session


def register_on_the_web(system, session):
    form = session.get(f"{system.web_url}/register/company", timeout=30)
    assert form.status_code == 200, form.text[:2000]
    typed = company_body(contact={"person": "Lee Jiwoo", "email": OWNER_EMAIL})
    fields = {
        "csrf_token": csrf_of(form), "name_en": WEB_NAME, "name_ko": "한빛바이오",
        "country": "KR", "sectors": ", ".join(typed["sectors"]),
        "founded_on": typed["founded_on"], "patents": str(typed["patents"]),
        "funding_raised_krw": str(typed["funding_raised_krw"]), "market_validation": "yes",
        "certifications": typed["certifications"], "space_needed_m2": "400",
        "facilities_needed": typed["facilities_needed"], "headcount": "25",
        "contact_person": "Lee Jiwoo", "contact_email": OWNER_EMAIL, "contact_phone": "",
    }
    return session.post(f"{system.web_url}/register/company", data=fields, timeout=30)
