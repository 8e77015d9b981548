"""Lists that grow, through the public HTTP API with every service a real
process: more alerts than one page are read by following the Link header,
each exactly once, in order, none cut; bad limits and forged cursors are a
422 naming the field."""
import base64
import json

import pytest

from tests.conftest import eventually
from tests.e2e.journeys import register_park_with_demand, register_partner
from tests.factories import company_body

pytestmark = pytest.mark.e2e

COMPANIES = 130


def follow(client, path):
    """Every page from `path` on, following Link rel="next": (page bodies,
    the responses)."""
    bodies, responses = [], []
    while path:
        response = client.get(path)
        assert response.status_code == 200, response.text
        assert isinstance(response.json(), list)   # a list stays a JSON array
        bodies.append(response.json())
        responses.append(response)
        path = response.links.get("next", {}).get("url")
        if path:
            assert path.startswith("/api/")         # root-relative, as documented
            assert response.headers["X-Next-Cursor"] in path
        else:
            assert "X-Next-Cursor" not in response.headers
    return bodies, responses


def test_130_alerts_are_read_in_three_pages_of_50_each_exactly_once(api, operator, receiver):
    as_park, _, demand = register_park_with_demand(operator)
    as_partner, partner_id = register_partner(operator, receiver, min_score=0)
    for _ in range(COMPANIES):
        assert api.post("/api/companies", company_body()).status_code == 201
    alerts_path = f"/api/partners/{partner_id}/alerts"

    def all_alerted():
        bodies, _ = follow(as_partner, f"{alerts_path}?limit=200")
        assert sum(len(body) for body in bodies) == COMPANIES
    eventually(all_alerted, timeout=120, interval=1)

    pages, responses = follow(as_partner, f"{alerts_path}?limit=50")
    assert [len(page) for page in pages] == [50, 50, 30]
    assert "limit=50" in responses[0].links["next"]["url"]
    alerts = [alert for page in pages for alert in page]
    assert len({alert["id"] for alert in alerts}) == COMPANIES
    assert {alert["subject_id"] for alert in alerts} == \
        {m["match_id"] for page in follow(as_park, f"/api/demands/{demand['id']}/matches?"
                                                   "limit=200")[0] for m in page}
    expected = sorted(alerts, key=lambda alert: alert["id"])
    expected.sort(key=lambda alert: alert["created_at"], reverse=True)   # newest first
    assert alerts == expected

    first = as_partner.get(alerts_path)          # no limit: the documented default of 50
    assert len(first.json()) == 50 and first.links["next"]

    # the demand's 130 matches (identical companies: tied scores) page the same way
    matches, _ = follow(as_park, f"/api/demands/{demand['id']}/matches?limit=60&lang=ko")
    assert [len(page) for page in matches] == [60, 60, 10]
    ranked = [m for page in matches for m in page]
    assert all(m["lang"] == "ko" for m in ranked)
    assert [m["match_id"] for m in ranked] == [m["match_id"] for m in sorted(
        ranked, key=lambda m: (-m["score"], m["match_id"]))]
    assert len({m["match_id"] for m in ranked}) == COMPANIES

    deliveries, _ = follow(as_partner, f"/api/partners/{partner_id}/deliveries?limit=100")
    assert [len(page) for page in deliveries] == [100, 30]


def _forged(body):
    return base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")


def test_bad_limits_and_forged_cursors_are_422_naming_the_field(operator, receiver):
    as_park, _, demand = register_park_with_demand(operator)
    as_partner, partner_id = register_partner(operator, receiver, min_score=0)
    alerts = f"/api/partners/{partner_id}/alerts"
    for limit in ("0", "201", "-5", "many"):
        refused = as_partner.get(f"{alerts}?limit={limit}")
        assert refused.status_code == 422, (limit, refused.text)
        assert list(refused.json()["details"]) == ["limit"]
    assert as_partner.get(f"{alerts}?limit=200").status_code == 200
    assert as_partner.get(f"{alerts}?limit=1").status_code == 200

    for cursor in ("garbage!", _forged({"l": f"alerts/{partner_id}", "p": ["not a time", 1]}),
                   _forged({"l": f"demand_matches/{demand['id']}", "p": ["active", 1.0, "x"]})):
        refused = as_partner.get(alerts, params={"cursor": cursor})
        assert refused.status_code == 422, (cursor, refused.text)
        assert list(refused.json()["details"]) == ["cursor"]
    # a cursor of one list is no cursor of another
    refused = operator.get("/api/allocation-rounds",
                           params={"cursor": _forged({"l": f"alerts/{partner_id}",
                                                      "p": ["2026-01-01T00:00:00+00:00", "a"]})})
    assert refused.status_code == 422 and list(refused.json()["details"]) == ["cursor"]
