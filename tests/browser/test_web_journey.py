"""The web app in a real browser (Debian's Chromium driven by Playwright),
every service a real process, e-mail through a real SMTP server: a company
registers in Korean and sees its match explained; a park signs in in
Chinese and requests an introduction (brokered by a partner); the company
accepts from the e-mailed link; the partner sees the alert and its funnel
move.

Playwright's sync API runs an asyncio loop, which hangs under the eventlet
monkey-patching tests/conftest.py applies to every test process. So this
test sets the system up here and runs the browser half in a child pytest
without that conftest (tests/browser/journey_in_browser.py), passing it the
addresses; its assertion report is this test's failure message.

PARKMATCH_SCREENSHOTS=docs/screenshots (an absolute path, or relative to the
repository) also saves the main pages in ko, zh and en."""
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import OPERATOR_KEY
from tests.factories import demand_body, park_body

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PARK_EMAIL = "zhao.lei@binxian.example"
DEMAND_TITLE = "Korea-China High-Tech Valley, phase 1"
PARTNER_NAME = "KIC China"
PARTNER_EMAIL = "minho.park@kic-china.example"


def enrol_owner(operator, organisation, email, name, language):
    """The organisation's first person, e-mailed a sign-in link: POST
    /api/enrolments with the operator's key."""
    enrolled = operator.post("/api/enrolments", {"organisation": organisation, "email": email,
                                                 "name": name, "language": language})
    assert enrolled.status_code == 201, enrolled.text
    return enrolled.json()


def register_partner(operator):
    """A partner subscribed to new matches, its owner enrolled."""
    partner = operator.post("/api/partners", {
        "names": {"en": PARTNER_NAME}, "country": "CN", "kind": "government_office",
        "language": "en"})
    assert partner.status_code == 201, partner.text
    partner_id = partner.json()["partner"]["id"]
    subscribed = operator.as_(partner.json()["api_key"]).post(
        f"/api/partners/{partner_id}/subscriptions", {"event_kinds": ["match.found"]})
    assert subscribed.status_code == 201, subscribed.text
    enrol_owner(operator, {"kind": "partner", "id": partner_id}, PARTNER_EMAIL, "Park Minho",
                "en")
    return partner_id


def test_company_registers_in_korean_park_requests_in_chinese_company_accepts_partner_sees(
        system, operator, mail):
    park = operator.post("/api/parks", park_body(contact={"person": "赵磊",
                                                          "email": PARK_EMAIL}))
    assert park.status_code == 201, park.text
    park_id = park.json()["park"]["id"]
    demand = operator.as_(park.json()["api_key"]).post(
        f"/api/parks/{park_id}/demands", demand_body(title=DEMAND_TITLE))
    assert demand.status_code == 201, demand.text
    enrol_owner(operator, {"kind": "park", "id": park_id}, PARK_EMAIL, "赵磊", "zh")
    partner_id = register_partner(operator)

    env = dict(os.environ, PM_WEB_URL=system.web_url, PM_API_URL=system.url,
               PM_OPERATOR_KEY=OPERATOR_KEY, PM_MAIL_DIR=str(mail.directory),
               PM_PARK_EMAIL=PARK_EMAIL, PM_DEMAND_TITLE=DEMAND_TITLE,
               PM_DEMAND_ID=demand.json()["id"], PM_PARTNER_ID=partner_id,
               PM_PARTNER_NAME=PARTNER_NAME, PM_PARTNER_EMAIL=PARTNER_EMAIL)
    browser = subprocess.run(
        [sys.executable, "-m", "pytest", "--noconftest", "-p", "no:cacheprovider", "-x", "-q",
         "-o", "addopts=", str(ROOT / "tests" / "browser" / "journey_in_browser.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert browser.returncode == 0, browser.stdout[-8000:] + browser.stderr[-3000:]
