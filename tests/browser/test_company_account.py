"""A company's own pages and the account pages in a real browser (Debian's
Chromium driven by Playwright), every service a real process, e-mail
through a real SMTP server: the owner edits its profile, reads a near miss,
invites a colleague who joins, creates and revokes an API key, and reads its
inbox. Set up here; the browser half runs in a child pytest without eventlet
(tests/browser/company_account_in_browser.py), as in test_web_journey.py."""
import os
import subprocess
import sys

import pytest

from tests.browser.test_web_journey import enrol_owner
from tests.conftest import ROOT, eventually
from tests.factories import company_body, demand_body, park_body

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

OWNER_EMAIL = "jiwoo@hanbit.example"
MATCHED_TITLE = "Korea-China High-Tech Valley, phase 1"
NEAR_TITLE = "Biomedical Innovation Park, phase 2"


def test_company_owner_edits_invites_keys_and_reads_its_inbox(system, operator, api, mail):
    company = api.post("/api/companies", company_body(
        names={"ko": "한빛바이오", "en": "Hanbit Bio"},
        contact={"person": "이지우", "email": OWNER_EMAIL}))
    assert company.status_code == 201, company.text
    company_id = company.json()["company"]["id"]
    park = operator.post("/api/parks", park_body())
    assert park.status_code == 201, park.text
    park_api = operator.as_(park.json()["api_key"])
    park_id = park.json()["park"]["id"]
    for title, criteria in ((MATCHED_TITLE, None), (NEAR_TITLE, [
            {"kind": "min_patents", "value": 10, "required": True, "weight": 1}])):
        body = demand_body(title=title, **({"criteria": criteria} if criteria else {}))
        demand = park_api.post(f"/api/parks/{park_id}/demands", body)
        assert demand.status_code == 201, demand.text
    enrol_owner(operator, {"kind": "company", "id": company_id}, OWNER_EMAIL, "이지우", "ko")

    def near_miss_through_the_api():  # what the web page shows, the API answers too
        answer = api.as_(company.json()["api_key"]).get(
            f"/api/companies/{company_id}/near-misses?lang=ko&limit=1")
        assert answer.status_code == 200, answer.text
        assert [m["demand"]["title"] for m in answer.json()] == [NEAR_TITLE]
        assert "10" in answer.json()[0]["gaps"][0]["text"]  # has 3 patents, needs 10
        assert answer.json()[0]["lang"] == "ko"
    eventually(near_miss_through_the_api, timeout=30)

    env = dict(os.environ, PM_WEB_URL=system.web_url, PM_API_URL=system.url,
               PM_MAIL_DIR=str(mail.directory), PM_COMPANY_ID=company_id,
               PM_OWNER_EMAIL=OWNER_EMAIL, PM_NEAR_TITLE=NEAR_TITLE,
               PM_MATCHED_TITLE=MATCHED_TITLE)
    browser = subprocess.run(
        [sys.executable, "-m", "pytest", "--noconftest", "-p", "no:cacheprovider", "-x", "-q",
         "-o", "addopts=", str(ROOT / "tests" / "browser" / "company_account_in_browser.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert browser.returncode == 0, browser.stdout[-8000:] + browser.stderr[-3000:]
