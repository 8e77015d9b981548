"""A company registered through the web app's form is matched, and partners
hear of it, only once its owner has confirmed the e-mail address by the
link accounts e-mailed: every service a real process, the web app driven
over HTTP like a browser (CSRF cookie and token), e-mail through a real
local SMTP server."""
import html
import re
import time

from tests.conftest import eventually, holds
from tests.e2e.journeys import (
    OWNER_EMAIL,
    WEB_NAME,
    csrf_of,
    register_on_the_web,
    register_park_with_demand,
    register_partner,
    web_session,
)
from tests.factories import company_body


def link_in_mail_to(system, mail, address, after=0, timeout=30):
    """The sign-in link in the newest sign-in e-mail to `address` beyond the
    first `after` of them (the owner also gets e-mails about its matches)."""
    pattern = re.compile(re.escape(system.web_url) + r"/sign-in/[A-Za-z0-9_\-]+")
    deadline = time.monotonic() + timeout
    while True:
        links = [pattern.search(m.get_body(preferencelist=("plain", "html")).get_content())
                 for m in mail.messages() if address in str(m["To"])]
        links = [found.group(0) for found in links if found]
        if len(links) > after:
            return links[-1]
        assert time.monotonic() < deadline, f"no sign-in link to {address} in {timeout}s"
        time.sleep(0.1)


def sign_in_by(session, link):
    """As a person does: opening the link shows a button, pressing it signs in."""
    confirm = session.get(link, timeout=30)
    assert confirm.status_code == 200, confirm.text[:2000]
    return session.post(link, data={"csrf_token": csrf_of(confirm)}, timeout=30)


def alerts_about(receiver, company_name):
    return [a for a in receiver.alerts("match.found")
            if a["data"]["company"]["names"].get("en") == company_name]


def matched_names(as_park, demand_id):
    matches = as_park.get(f"/api/demands/{demand_id}/matches")
    assert matches.status_code == 200, matches.text
    return sorted(m["company"]["names"].get("en") for m in matches.json())


def announce_a_company_by_the_api(api, as_park, demand_id, receiver, name):
    """A company registered through the API is matched and alerted at once;
    once it is, events published before it have been handled too."""
    assert api.post("/api/companies", company_body(names={"en": name})).status_code == 201
    eventually(lambda: holds(name in matched_names(as_park, demand_id)), timeout=30)
    eventually(lambda: holds(len(alerts_about(receiver, name)) == 1), timeout=30)


def test_the_web_registration_is_matched_and_alerted_once_the_address_is_confirmed(
        system, api, operator, receiver, mail):
    as_park, _, demand = register_park_with_demand(operator)
    register_partner(operator, receiver, min_score=0)
    owner = web_session()

    registered = register_on_the_web(system, owner)
    assert registered.status_code == 200, registered.text[:3000]
    assert "Check your e-mail" in registered.text
    assert "matching starts, once you confirm your e-mail address" in registered.text

    # the API company's match and alert come after the web company's would have
    announce_a_company_by_the_api(api, as_park, demand["id"], receiver, "First By API")
    assert matched_names(as_park, demand["id"]) == ["First By API"]
    assert alerts_about(receiver, WEB_NAME) == []

    signed_in = sign_in_by(owner, link_in_mail_to(system, mail, OWNER_EMAIL))
    assert signed_in.status_code == 200 and signed_in.url == f"{system.web_url}/company", \
        signed_in.text[:2000]
    assert WEB_NAME in signed_in.text  # the owner sees the profile, pending or not

    eventually(lambda: holds(WEB_NAME in matched_names(as_park, demand["id"])), timeout=30)
    eventually(lambda: holds(len(alerts_about(receiver, WEB_NAME)) == 1), timeout=30)
    [alert] = alerts_about(receiver, WEB_NAME)
    assert alert["_verified"] and OWNER_EMAIL not in str(receiver.received)
    company_id = alert["data"]["company"]["company_id"]
    dashboard = owner.get(f"{system.web_url}/company", timeout=30)
    assert html.escape(demand["title"]) in dashboard.text  # its match, on its dashboard

    # signing in again confirms nothing new: no second announcement, no second alert
    other_device = web_session()
    form = other_device.get(f"{system.web_url}/sign-in", timeout=30)
    asked = other_device.post(f"{system.web_url}/sign-in", timeout=30,
                              data={"csrf_token": csrf_of(form), "email": OWNER_EMAIL})
    assert asked.status_code == 200, asked.text[:2000]
    assert sign_in_by(other_device, link_in_mail_to(system, mail, OWNER_EMAIL, after=1)).url \
        == f"{system.web_url}/company"
    announce_a_company_by_the_api(api, as_park, demand["id"], receiver, "Second By API")
    assert len(alerts_about(receiver, WEB_NAME)) == 1
    assert matched_names(as_park, demand["id"]) == sorted(["First By API", "Second By API",
                                                           WEB_NAME])
    as_other = operator.as_(api.post("/api/companies", company_body()).json()["api_key"])
    assert as_other.get(f"/api/companies/{company_id}").json()["contact"] is None
