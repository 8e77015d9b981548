"""The operator's pages in a real browser: a person whose address is in
PARKMATCH_OPERATOR_EMAILS signs in by link, reads the broker's real queue
figures, replays a dead letter from the page, runs an allocation round and
reads its why-not answers, and finds a registered park among the
organisations. Every service a real process on the test's own vhost.

As in test_web_journey.py, this process sets the system up and a child
pytest without eventlet (tests/browser/operator_in_browser.py) drives
Chromium; its report is this test's failure message."""
import json
import os
import subprocess
import sys
import time

import pytest

from services.ops.catalog import STATEFUL
from tests.conftest import ROOT, eventually
from tests.e2e.conftest import OPERATOR_KEY, Api, System
from tests.e2e.test_resilience import _inject_inbox_failure, _remove_inbox_failure
from tests.factories import company_body, demand_body, park_body

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

OPERATOR_EMAIL = "ops.kim@parkmatch.example"
CONSUMER = "matching.company_changed"
BINXIAN = "Binxian Economic and Technological Development Zone"


@pytest.fixture
def operator_system(vhost, database_url, tmp_path, mail):
    urls = {name: database_url(name) for name in STATEFUL}
    running = System(vhost, urls, tmp_path, extra_env={
        **mail.env(), "PARKMATCH_OPERATOR_EMAILS": f"someone@parkmatch.example,{OPERATOR_EMAIL}"})
    running.start_all()
    yield running
    running.stop_all()


def registered(response):
    assert response.status_code == 201, response.text
    return response.json()


def dead_letters(system):
    listed = system.cli("dead-letters", "list", "--consumer", CONSUMER)
    assert listed.returncode == 0, listed.stderr
    return [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]


def test_the_operator_signs_in_replays_a_dead_letter_and_runs_a_round(operator_system, mail):
    system = operator_system
    api = Api(system.url)
    operator = api.as_(OPERATOR_KEY)
    park = registered(operator.post("/api/parks", park_body()))
    as_park = operator.as_(park["api_key"])
    demand = registered(as_park.post(f"/api/parks/{park['park']['id']}/demands",
                                     demand_body(places=1)))
    registered(api.post("/api/companies", company_body(names={"en": "Hanbit Bio"})))
    registered(api.post("/api/companies", company_body(names={"en": "Daebak Pharma"},
                                                       incentives_wanted=["subsidies"])))

    def two_candidates():
        assert len(as_park.get(f"/api/demands/{demand['id']}/matches").json()) == 2
    eventually(two_candidates, timeout=30)

    # a consumer that keeps failing dead-letters the next company's event
    _inject_inbox_failure(system, CONSUMER)
    registered(api.post("/api/companies", company_body(names={"en": "Dead Letter Tech"})))
    def dead_lettered():
        found = dead_letters(system)
        assert any(letter["attempts"] == 3 for letter in found), found
        return found
    eventually(dead_lettered, timeout=30, interval=0.5)
    time.sleep(2)  # until no other event is still being retried
    letters = dead_letters(system)
    _remove_inbox_failure(system)

    env = dict(os.environ, PM_WEB_URL=system.web_url, PM_MAIL_DIR=str(mail.directory),
               PM_OPERATOR_EMAIL=OPERATOR_EMAIL, PM_CONSUMER=CONSUMER,
               PM_EVENT_ID=letters[0]["event_id"], PM_DEAD_LETTERS=str(len(letters)),
               PM_PARK_ID=park["park"]["id"],
               PM_PARK_NAME=BINXIAN)
    browser = subprocess.run(
        [sys.executable, "-m", "pytest", "--noconftest", "-p", "no:cacheprovider", "-x", "-q",
         "-o", "addopts=", str(ROOT / "tests" / "browser" / "operator_in_browser.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert browser.returncode == 0, browser.stdout[-8000:] + browser.stderr[-3000:]

    # replayed from the page: gone from the dead-letter queue, and matched at last
    assert dead_letters(system) == []

    def three_candidates():
        assert len(as_park.get(f"/api/demands/{demand['id']}/matches").json()) == 3
    eventually(three_candidates, timeout=30)
    partners = operator.get("/api/partners")
    assert partners.status_code == 200 and partners.json() == []
