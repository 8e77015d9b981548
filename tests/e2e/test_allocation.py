"""Allocation rounds end to end (issue #3 §6): every service a real process,
only the public HTTP API and the `parkmatch allocate` command."""
import pytest

from tests.conftest import eventually
from tests.factories import company_body, demand_body, park_body

pytestmark = pytest.mark.e2e

BINXIAN = "Binxian Economic and Technological Development Zone"


def park_with_demand(operator, names=None, **demand):
    park = operator.post("/api/parks", park_body(**({"names": names} if names else {})))
    assert park.status_code == 201, park.text
    as_park = operator.as_(park.json()["api_key"])
    park_id = park.json()["park"]["id"]
    published = as_park.post(f"/api/parks/{park_id}/demands", demand_body(**demand))
    assert published.status_code == 201, published.text
    return as_park, park_id, published.json()["id"]


def company(api, **overrides):
    registered = api.post("/api/companies", company_body(**overrides))
    assert registered.status_code == 201, registered.text
    return api.as_(registered.json()["api_key"]), registered.json()["company"]["id"]


def wait_for_candidates(as_park, demand_id, count):
    def check():
        listed = as_park.get(f"/api/demands/{demand_id}/matches")
        assert listed.status_code == 200, listed.text
        assert len(listed.json()) == count
    eventually(check, timeout=30)


def test_a_round_gives_the_place_to_the_higher_score_follows_preferences_and_the_cli_prints_it(
        api, operator, system):
    as_binxian, _binxian_id, valley = park_with_demand(operator, places=1)
    as_best, best = company(api, names={"en": "Hanbit Bio"})
    as_second, second = company(api, names={"en": "Daebak Pharma"},
                                incentives_wanted=["subsidies"])
    wait_for_candidates(as_binxian, valley, 2)

    # only the operator runs rounds
    assert as_best.post("/api/allocation-rounds", {}).status_code == 403
    held = operator.post("/api/allocation-rounds", {})
    assert held.status_code == 201, held.text
    round_ = held.json()
    assert [(a["company_id"], a["score"]) for a in round_["demands"][0]["admitted"]] == \
        [(best, 100.0)]
    assert round_["unplaced"] == [second]

    # the company left out reads why, naming the park, in its language
    own = as_second.get(f"/api/allocation-rounds/{round_['round_id']}?lang=en")
    assert own.status_code == 200, own.text
    [outcome] = own.json()["companies"]
    assert outcome["demand_id"] is None
    assert outcome["why_not"][0]["text"] == (
        f"{BINXIAN} (Korea-China High-Tech Valley, phase 1) is full with 1 company it ranks "
        "higher (lowest-ranked admitted: score 100; yours: 88.9)")
    assert best not in own.text
    listed = operator.get("/api/allocation-rounds")
    assert [r["round_id"] for r in listed.json()] == [round_["round_id"]]

    # a second park with one place: the better company prefers it, so both get a place
    as_daxing, _, airport = park_with_demand(
        operator, names={"en": "Daxing Airport Economic Zone", "zh": "大兴机场临空经济区"},
        places=1, title="Airport bio cluster")
    wait_for_candidates(as_daxing, airport, 2)
    bad = as_best.request("PUT", f"/api/companies/{best}/demand-preferences",
                          {"demand_ids": [airport, airport]})
    assert bad.status_code == 422 and list(bad.json()["details"]) == ["demand_ids.1"], bad.text
    stated = as_best.request("PUT", f"/api/companies/{best}/demand-preferences",
                             {"demand_ids": [airport]})
    assert stated.status_code == 200, stated.text
    assert as_best.get(f"/api/companies/{best}/demand-preferences").json()["demand_ids"] == \
        [airport]
    assert as_second.get(f"/api/companies/{best}/demand-preferences").status_code == 403

    followed = operator.post("/api/allocation-rounds", {}).json()
    assert {c["company_id"]: c["demand_id"] for c in followed["companies"]} == {
        best: airport, second: valley}
    assert followed["unplaced"] == []

    # the operator's command prints the same kind of round, as a table
    ran = system.cli("allocate", "--demand", valley)
    assert ran.returncode == 0, ran.stderr
    assert "Assignments" in ran.stdout
    valley_row = "Korea-China High-Tech Valley, phase 1  1/1     2           Hanbit Bio (100)"
    assert f"{BINXIAN}: {valley_row}" in ran.stdout
    assert "Daebak Pharma  no place  " + BINXIAN in ran.stdout  # the why-not row
    assert len(operator.get("/api/allocation-rounds").json()) == 3

    failed = system.cli("allocate", "--demand", "no-such-demand")
    assert failed.returncode != 0
    assert "demand_ids.0: no demand no-such-demand known to matching" in failed.stderr
