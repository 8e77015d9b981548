"""Issue #4 through the public HTTP API, every service a real process:
double opt-in introductions (no contact leaks before acceptance, in any
response or any published event), expiry and obligation reminders with the
clock moved across processes, and the partner funnel."""
import json
from datetime import timedelta

import pytest

from services.platform import clock
from tests.conftest import eventually, holds
from tests.e2e.journeys import (
    COMPANY_EMAIL,
    COMPANY_PHONE,
    PARK_EMAIL,
    PARTNER_EMAIL,
    request_when_known,
    travel,
)

pytestmark = pytest.mark.e2e

SECRETS = (COMPANY_EMAIL, COMPANY_PHONE)


def no_company_contact(response):
    assert response.status_code < 500, response.text
    for secret in SECRETS:
        assert secret not in response.text, f"company contact leaked: {response.text[:500]}"
    return response


def test_double_opt_in_leaks_no_contact_before_acceptance_then_both_sides_get_them(
        setting, operator, receiver, event_spy):
    s = setting
    as_partner, as_park, as_company = s["partner"], s["park"], s["company"]
    intro = request_when_known(as_partner, {
        "match_id": s["match"]["match_id"], "message": "KIC China would like to introduce you",
        "contact": {"person": "Park Jisoo", "email": PARTNER_EMAIL}})
    assert intro["status"] == "requested" and intro["contacts"] is None
    assert intro["sponsor_partner_id"] == s["partner_id"]

    # Every response the park and the partner can read, before acceptance.
    readable = [
        "/api/introductions", f"/api/introductions/{intro['id']}",
        f"/api/companies/{s['company_id']}", f"/api/matches/{s['match']['match_id']}",
        f"/api/demands/{s['demand_id']}/matches", "/api/agreements",
        f"/api/parks/{s['park_id']}", f"/api/funnel?park_id={s['park_id']}",
        f"/api/funnel?partner_id={s['partner_id']}",
        f"/api/partners/{s['partner_id']}/alerts",
        f"/api/partners/{s['partner_id']}/deliveries",
    ]
    for who in (as_park, as_partner):
        for path in readable:
            no_company_contact(who.get(path))
    assert as_partner.get(f"/api/parks/{s['park_id']}").json()["contact"] is None
    # the company sees the request, still without anyone's contact
    mine = as_company.get(f"/api/introductions/{intro['id']}").json()
    assert mine["contacts"] is None and PARTNER_EMAIL not in json.dumps(mine)
    # nobody but the company answers
    assert as_park.post(f"/api/introductions/{intro['id']}/acceptance", {}).status_code == 403
    assert as_partner.post(f"/api/introductions/{intro['id']}/acceptance",
                           {}).status_code == 403

    accepted = as_company.post(f"/api/introductions/{intro['id']}/acceptance", {})
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["contacts"]["requester"]["email"] == PARTNER_EMAIL
    assert accepted.json()["contacts"]["park"]["email"] == PARK_EMAIL
    for who in (as_partner, as_park):
        contacts = who.get(f"/api/introductions/{intro['id']}").json()["contacts"]
        assert contacts["company"]["email"] == COMPANY_EMAIL
        assert contacts["company"]["phone"] == COMPANY_PHONE
    # after acceptance too, lists and profiles stay as they were
    for who in (as_park, as_partner):
        no_company_contact(who.get("/api/introductions"))
        no_company_contact(who.get(f"/api/companies/{s['company_id']}"))

    # Every event published, and every webhook body, never carries a contact.
    event_spy.wait_for("introduction.accepted",
                       lambda e: e["payload"]["introduction_id"] == intro["id"])
    published = json.dumps(event_spy.events)
    assert "introduction.requested" in published
    for secret in SECRETS + (PARTNER_EMAIL, PARK_EMAIL):
        assert secret not in published
        assert secret not in str([r["body"] for r in receiver.received])
    assert receiver.received, "the partner got no webhook at all"


def test_an_unanswered_request_expires_when_the_clock_passes_fourteen_days(
        setting, system, event_spy):
    s = setting
    intro = request_when_known(s["park"], {"match_id": s["match"]["match_id"]})
    assert intro["requester"] == {"kind": "park", "id": s["park_id"]}
    travel(system, 15)

    def expired():
        seen = s["park"].get(f"/api/introductions/{intro['id']}").json()
        assert seen["status"] == "expired"
    eventually(expired)
    event = event_spy.wait_for("introduction.expired")
    assert event["payload"]["introduction_id"] == intro["id"]
    late = s["company"].post(f"/api/introductions/{intro['id']}/acceptance", {})
    assert late.status_code == 409, late.text
    assert no_company_contact(s["park"].get(f"/api/introductions/{intro['id']}")).json()[
        "contacts"] is None


def test_an_agreement_lifecycle_and_an_obligation_reminder_reach_the_broker(
        setting, system, operator, event_spy):
    s = setting
    as_company, as_park = s["company"], s["park"]
    today = clock.today()
    def proposed():  # once agreements has heard of the match over the broker
        response = as_park.post("/api/agreements", {
            "kind": "tenancy", "title": "Incubation in the High-Tech Valley",
            "match_id": s["match"]["match_id"], "starts_on": today.isoformat(),
            "parties": [{"kind": "company", "id": s["company_id"]},
                        {"kind": "park", "id": s["park_id"]}]})
        assert response.status_code == 201, response.text
        return response.json()
    agreement_id = eventually(proposed)["id"]
    early = as_park.post(f"/api/agreements/{agreement_id}/transitions", {"to": "completed"})
    assert early.status_code == 409
    assert early.json()["details"]["allowed_transitions"] == ["terminated"]
    assert "terminated" in early.json()["message"]
    for who in (as_company, as_park):
        assert who.post(f"/api/agreements/{agreement_id}/signatures", {}).status_code == 201
    eventually(lambda: holds(operator.get(f"/api/agreements/{agreement_id}").json()["status"]
                             == "active"))
    doc = as_company.post(f"/api/agreements/{agreement_id}/documents", {
        "url": "https://example.org/tenancy.pdf", "sha256": "c0" * 32, "title": "Contract"})
    assert doc.status_code == 201, doc.text
    bad = as_company.post(f"/api/agreements/{agreement_id}/documents", {
        "url": "https://example.org/tenancy.pdf", "sha256": "c0" * 31, "title": "Contract"})
    assert bad.status_code == 422 and "sha256" in bad.json()["details"]

    due_on = today + timedelta(days=20)
    obligation = as_park.post(f"/api/agreements/{agreement_id}/obligations", {
        "title": "End of the rent-free period", "owner": {"kind": "company",
                                                          "id": s["company_id"]},
        "schedule": {"kind": "once", "due_on": due_on.isoformat()}})
    assert obligation.status_code == 201, obligation.text
    assert obligation.json()["remind_days_before"] == [90, 60, 30]
    bad_rule = as_park.post(f"/api/agreements/{agreement_id}/obligations", {
        "title": "Reports", "owner": {"kind": "company", "id": s["company_id"]},
        "schedule": {"kind": "recurring", "rrule": "FREQ=SECONDLY",
                     "starts_on": today.isoformat()}})
    assert bad_rule.status_code == 422 and "schedule.rrule" in bad_rule.json()["details"]

    due = event_spy.wait_for("obligation.due")
    assert due["payload"]["reminder"] == "due_in_30_days"
    assert due["payload"]["occurrence_on"] == due_on.isoformat()
    travel(system, 21)
    overdue = event_spy.wait_for("obligation.overdue")
    assert overdue["payload"]["obligation_id"] == obligation.json()["id"]
    assert len(event_spy.of_type("obligation.due")) == 1

    history = as_company.get(f"/api/agreements/{agreement_id}/history").json()
    moves = [(h["details"]["from"], h["details"]["to"]) for h in history
             if h["action"] == "state_changed"]
    assert moves == [("proposed", "signed"), ("signed", "active")]
    for event_type in ("agreement.proposed", "agreement.signed", "agreement.activated"):
        event_spy.wait_for(event_type)


def test_the_partner_funnel_counts_from_match_alert_to_acceptance(setting, receiver):
    """Needs notifications.matches_alerted (the notifications branch): the
    match count is the last assertion; everything before it is agreements'."""
    s = setting
    as_partner = s["partner"]
    eventually(lambda: holds(receiver.alerts("match.found")))
    intro = request_when_known(as_partner, {
        "match_id": s["match"]["match_id"],
        "contact": {"person": "Park Jisoo", "email": PARTNER_EMAIL}})
    assert s["company"].post(f"/api/introductions/{intro['id']}/acceptance",
                             {}).status_code == 201
    assert s["company"].get(f"/api/funnel?partner_id={s['partner_id']}").status_code == 403
    funnel = as_partner.get(f"/api/funnel?partner_id={s['partner_id']}")
    assert funnel.status_code == 200, funnel.text
    counts = {stage["stage"]: stage["count"] for stage in funnel.json()["stages"]}
    assert counts["introductions_requested"] == 1 and counts["introductions_accepted"] == 1
    assert counts["agreements_proposed"] == 0
    assert counts["matches"] == 1, funnel.json()["matches_source"]
