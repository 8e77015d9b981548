"""The partner's channels and subscriptions in a real browser: a webhook
channel pointing at a real local HTTP receiver gets a test send that
verifies with the standardwebhooks package; a subscription with a bad
minimum score shows the message next to the field, in the page's language.
The browser half runs in a child pytest (partner_pages_in_browser.py), as
for test_web_journey.py."""
import os
import subprocess
import sys

import pytest

from tests.browser.test_web_journey import enrol_owner
from tests.conftest import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PARTNER_EMAIL = "desk@cooperation-centre.example"


def test_partner_adds_a_webhook_sends_a_test_and_subscribes(system, operator, mail):
    partner = operator.post("/api/partners", {
        "names": {"en": "Korea-China Cooperation Centre"}, "country": "CN",
        "kind": "cooperation_centre", "language": "en"})
    assert partner.status_code == 201, partner.text
    partner_id = partner.json()["partner"]["id"]
    enrol_owner(operator, {"kind": "partner", "id": partner_id}, PARTNER_EMAIL, "Lee", "en")

    env = dict(os.environ, PM_WEB_URL=system.web_url, PM_MAIL_DIR=str(mail.directory),
               PM_PARTNER_EMAIL=PARTNER_EMAIL)
    browser = subprocess.run(
        [sys.executable, "-m", "pytest", "--noconftest", "-p", "no:cacheprovider", "-x", "-q",
         "-o", "addopts=", str(ROOT / "tests" / "browser" / "partner_pages_in_browser.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert browser.returncode == 0, browser.stdout[-8000:] + browser.stderr[-3000:]
