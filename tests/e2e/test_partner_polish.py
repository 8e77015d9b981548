"""Withdrawing an introduction request and changing / cancelling an
obligation through the public HTTP API, every service a real process."""
import pytest

from services.platform import clock
from tests.conftest import eventually
from tests.e2e.journeys import request_when_known

pytestmark = pytest.mark.e2e


def test_a_request_is_withdrawn_and_an_obligation_changed_then_cancelled_over_http(
        setting, operator, event_spy):
    s = setting
    as_company, as_park = s["company"], s["park"]
    intro = request_when_known(as_park, {"match_id": s["match"]["match_id"]})
    path = f"/api/introductions/{intro['id']}"

    assert as_company.post(f"{path}/withdrawal", {}).status_code == 403
    withdrawn = as_park.post(f"{path}/withdrawal", {"reason": "we chose another site"})
    assert withdrawn.status_code == 201, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    assert event_spy.wait_for("introduction.withdrawn")["payload"]["introduction_id"] == \
        intro["id"]
    late = as_company.post(f"{path}/acceptance", {})
    assert late.status_code == 409 and late.json()["details"]["state"] == "withdrawn"
    again = request_when_known(as_park, {"match_id": s["match"]["match_id"]})
    assert as_company.post(f"/api/introductions/{again['id']}/acceptance", {}).status_code == 201
    refused = as_park.post(f"/api/introductions/{again['id']}/withdrawal", {})
    assert refused.status_code == 409, refused.text
    assert refused.json()["details"] == {"state": "accepted", "allowed_actions": []}

    def proposed():
        response = as_park.post("/api/agreements", {
            "kind": "cooperation", "title": "Cooperation in the High-Tech Valley",
            "parties": [{"kind": "company", "id": s["company_id"]},
                        {"kind": "park", "id": s["park_id"]}]})
        assert response.status_code == 201, response.text
        return response.json()
    agreement_id = eventually(proposed)["id"]
    today = clock.today()
    created = as_park.post(f"/api/agreements/{agreement_id}/obligations", {
        "title": "Quarterly report", "owner": {"kind": "company", "id": s["company_id"]},
        "schedule": {"kind": "once", "due_on": today.replace(year=today.year + 1).isoformat()}})
    assert created.status_code == 201, created.text
    ob_path = f"/api/agreements/{agreement_id}/obligations/{created.json()['id']}"

    assert as_park.patch(ob_path, {"title": "Not mine"}).status_code == 403
    bad = as_company.patch(ob_path, {"remind_days_before": [-1]})
    assert bad.status_code == 422 and "remind_days_before" in bad.json()["details"]
    changed = as_company.patch(ob_path, {
        "title": "Monthly report", "schedule": {
            "kind": "recurring", "rrule": "FREQ=MONTHLY;COUNT=12",
            "starts_on": today.replace(year=today.year + 1).isoformat()}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["title"] == "Monthly report"
    assert len(changed.json()["next_occurrences"]) == 3

    cancelled = as_company.request("DELETE", ob_path, {"reason": "merged into the audit"})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    listed = as_park.get(f"/api/agreements/{agreement_id}/obligations").json()
    assert [o["status"] for o in listed] == ["cancelled"]
    assert as_company.patch(ob_path, {"title": "Again"}).status_code == 409
    actions = [h["action"] for h in
               as_company.get(f"/api/agreements/{agreement_id}/history").json()]
    assert actions[-3:] == ["obligation_added", "obligation_changed", "obligation_cancelled"]
