"""A park's pages and the directory in a real browser (as
test_web_journey.py: this test sets the system up, a child pytest without
eventlet drives Chromium, tests/browser/park_pages_in_browser.py).

A park signs in in Chinese and publishes a demand with one hard criterion
and one weighted preference (a bad value first: the Chinese message next to
the field, everything typed kept); a company registered through the API
matches it and appears as an explained candidate; the company finds the
park in the directory by a Korean sector term; axe checks these pages."""
import os
import subprocess
import sys

import pytest

from tests.browser.test_web_journey import enrol_owner
from tests.conftest import ROOT
from tests.factories import company_body, park_body

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PARK_EMAIL = "li.na@suzhou-bio.example"
COMPANY_EMAIL = "seoyeon@daon-medical.example"
PARK_NAME = "苏州生物医药产业园"
PARK_NAME_KO = "쑤저우 바이오의약 산업단지"
COMPANY_NAME = "다온메디칼"
COMPANY_NAME_EN = "Daon Medical"


def test_park_publishes_a_demand_and_a_company_finds_the_park(system, operator, mail):
    park = operator.post("/api/parks", park_body(
        names={"zh": PARK_NAME, "ko": PARK_NAME_KO, "en": "Suzhou BioBAY"},
        region={"country": "CN", "province": "Jiangsu", "city": "Suzhou"},
        contact={"person": "李娜", "email": PARK_EMAIL}))
    assert park.status_code == 201, park.text
    park_id, park_key = park.json()["park"]["id"], park.json()["api_key"]
    company = operator.as_(None).post("/api/companies", company_body(
        names={"ko": COMPANY_NAME, "en": COMPANY_NAME_EN}, sectors=["의료기기"], patents=2,
        contact={"person": "박서연", "email": COMPANY_EMAIL}))
    assert company.status_code == 201, company.text
    company_id, company_key = company.json()["company"]["id"], company.json()["api_key"]

    # the directory's API routes, end to end: a company lists parks, a park
    # lists companies without their contacts
    found = operator.as_(company_key).get("/api/parks", params={"q": "suzhou"})
    assert found.status_code == 200, found.text
    assert [p["id"] for p in found.json()] == [park_id]
    companies = operator.as_(park_key).get("/api/companies", params={"sector": "의료기기"})
    assert companies.status_code == 200, companies.text
    assert [(c["id"], c["contact"]) for c in companies.json()] == [(company_id, None)]
    assert operator.as_(company_key).get("/api/companies").status_code == 403

    enrol_owner(operator, {"kind": "park", "id": park_id}, PARK_EMAIL, "李娜", "zh")
    enrol_owner(operator, {"kind": "company", "id": company_id}, COMPANY_EMAIL, "박서연", "ko")
    env = dict(os.environ, PM_WEB_URL=system.web_url, PM_MAIL_DIR=str(mail.directory),
               PM_PARK_EMAIL=PARK_EMAIL, PM_COMPANY_EMAIL=COMPANY_EMAIL,
               PM_PARK_NAME_KO=PARK_NAME_KO, PM_COMPANY_NAME_EN=COMPANY_NAME_EN, PM_PARK_ID=park_id)
    browser = subprocess.run(
        [sys.executable, "-m", "pytest", "--noconftest", "-p", "no:cacheprovider", "-x", "-q",
         "-o", "addopts=", str(ROOT / "tests" / "browser" / "park_pages_in_browser.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert browser.returncode == 0, browser.stdout[-8000:] + browser.stderr[-3000:]
