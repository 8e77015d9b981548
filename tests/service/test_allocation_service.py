"""Allocation rounds in the matching service, in nameko containers on the
real broker and a real database, fed by the profiles service: companies'
stated preferences, rounds over the active matches, who sees what."""
import pytest

from services.contracts.actors import OPERATOR
from services.contracts.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from services.matching.service import MatchingService
from services.profiles.service import ProfilesService
from tests.factories import company_body, demand_body, park_body

BINXIAN = "Binxian Economic and Technological Development Zone"
TITLE = "Korea-China High-Tech Valley, phase 1"


@pytest.fixture
def services(run_service):
    run_service(ProfilesService)
    return run_service(MatchingService)


def publish_demand(rpc, park_names=None, **overrides):
    park = rpc.profiles.register_park(
        OPERATOR, park_body(**({"names": park_names} if park_names else {})))["park"]
    actor = {"kind": "park", "id": park["id"]}
    return actor, rpc.profiles.publish_demand(actor, park["id"], demand_body(**overrides))


def register_company(rpc, **overrides):
    company = rpc.profiles.register_company(company_body(**overrides))["company"]
    return {"kind": "company", "id": company["id"]}, company


def wait_for_matches(event_spy, count):
    event_spy.wait_for("match.found", count=count)


def test_a_one_place_demand_goes_to_the_higher_score_and_the_other_hears_why_not(
        services, rpc, event_spy):
    park_actor, demand = publish_demand(rpc, places=1)
    _best_actor, best = register_company(rpc, names={"en": "Best Bio"})
    second_actor, second = register_company(rpc, names={"en": "Second Bio"},
                                            incentives_wanted=["subsidies"])  # scores 88.9
    wait_for_matches(event_spy, 2)

    held = rpc.matching.run_allocation_round(OPERATOR, {})
    assert held["view"] == "operator"
    assert held["summary"] == {"demands": 1, "companies": 2, "places": 1, "placed": 1,
                               "unplaced": 1}
    assert held["demands"] == [{
        "demand_id": demand["id"], "title": TITLE, "park_id": park_actor["id"],
        "park_names": park_body()["names"], "places": 1, "candidates": 2,
        "admitted": [{"company_id": best["id"], "score": 100.0, "rank": 1}]}]
    outcomes = {c["company_id"]: c for c in held["companies"]}
    assert (outcomes[best["id"]]["demand_id"], outcomes[best["id"]]["choice"]) == (demand["id"], 1)
    assert outcomes[best["id"]]["why_not"] == []
    assert outcomes[second["id"]]["names"]["en"] == "Second Bio"
    assert outcomes[second["id"]]["demand_id"] is None
    assert held["unplaced"] == [second["id"]]
    [why] = outcomes[second["id"]]["why_not"]
    assert why == {
        "demand_id": demand["id"], "reason": "full_with_higher_ranked", "places": 1,
        "admitted_ranked_higher": [{"company_id": best["id"], "score": 100.0}],
        "lowest_admitted_score": 100.0, "score": 88.9, "rank": 2,
        "text": f"{BINXIAN} ({TITLE}) is full with 1 company it ranks higher "
                "(lowest-ranked admitted: score 100; yours: 88.9)"}

    # stored: the operator lists it and reads it back, in Chinese too
    listed = rpc.matching.list_allocation_rounds(OPERATOR)["items"]
    assert [r["round_id"] for r in listed] == [held["round_id"]]
    assert listed[0]["summary"] == held["summary"]
    assert rpc.matching.get_allocation_round(OPERATOR, held["round_id"]) == held
    in_chinese = rpc.matching.get_allocation_round(OPERATOR, held["round_id"], "zh")
    assert [c["why_not"][0]["text"] for c in in_chinese["companies"] if c["why_not"]] == [
        ("宾县经济技术开发区（Korea-China High-Tech Valley, phase 1）已满，"
         "录取了1家排名更靠前的企业（录取最低分：100；您的得分：88.9）")]

    # the company left out sees its own outcome, without the other's id
    own = rpc.matching.get_allocation_round(second_actor, held["round_id"], "ko")
    assert own["view"] == "company"
    assert [c["company_id"] for c in own["companies"]] == [second["id"]]
    assert own["unplaced"] == [second["id"]]
    assert own["companies"][0]["why_not"][0]["admitted_ranked_higher"] == [{"score": 100.0}]
    assert own["companies"][0]["why_not"][0]["text"].startswith("빈현경제기술개발구 (")
    assert own["demands"][0]["admitted"] == [{"score": 100.0, "rank": 1}]
    assert best["id"] not in str(own)
    # the park sees its demand and both candidates
    park_view = rpc.matching.get_allocation_round(park_actor, held["round_id"])
    assert park_view["view"] == "park"
    assert {c["company_id"]: c["demand_id"] for c in park_view["companies"]} == {
        best["id"]: demand["id"], second["id"]: None}


def test_who_may_run_and_read_rounds(services, rpc, event_spy):
    park_actor, _demand = publish_demand(rpc, places=1)
    company_actor, _company = register_company(rpc)
    wait_for_matches(event_spy, 1)
    held = rpc.matching.run_allocation_round(OPERATOR, None)

    other_park = {"kind": "park", "id": "another-park"}
    assert rpc.matching.get_allocation_round(other_park, held["round_id"])["demands"] == []
    stranger = {"kind": "company", "id": "someone-else"}
    assert rpc.matching.get_allocation_round(stranger, held["round_id"])["companies"] == []
    for call in (lambda: rpc.matching.run_allocation_round(park_actor, {}),
                 lambda: rpc.matching.run_allocation_round(company_actor, {}),
                 lambda: rpc.matching.list_allocation_rounds(park_actor)["items"],
                 lambda: rpc.matching.get_allocation_round({"kind": "partner", "id": "kic"},
                                                           held["round_id"])):
        with pytest.raises(Forbidden):
            call()
    with pytest.raises(Unauthenticated):
        rpc.matching.get_allocation_round(None, held["round_id"])
    with pytest.raises(NotFound):
        rpc.matching.get_allocation_round(OPERATOR, "no-such-round")
    with pytest.raises(InvalidInput) as caught:
        rpc.matching.get_allocation_round(OPERATOR, held["round_id"], "fr")
    assert "lang" in caught.value.details


def test_a_round_can_cover_chosen_demands_or_one_park(services, rpc, event_spy):
    first_park, first = publish_demand(rpc, places=1)
    _second_park, second = publish_demand(rpc, places=1)
    register_company(rpc)
    wait_for_matches(event_spy, 2)

    by_ids = rpc.matching.run_allocation_round(OPERATOR, {"demand_ids": [second["id"]]})
    assert [d["demand_id"] for d in by_ids["demands"]] == [second["id"]]
    assert by_ids["scope"] == {"demand_ids": [second["id"]], "park_id": None}
    by_park = rpc.matching.run_allocation_round(OPERATOR, {"park_id": first_park["id"]})
    assert [d["demand_id"] for d in by_park["demands"]] == [first["id"]]
    everything = rpc.matching.run_allocation_round(OPERATOR, {})
    assert sorted(d["demand_id"] for d in everything["demands"]) == \
        sorted([first["id"], second["id"]])

    with pytest.raises(InvalidInput) as caught:
        rpc.matching.run_allocation_round(OPERATOR, {"demand_ids": [first["id"], "no-such"]})
    assert caught.value.details == {"demand_ids.1": ["no demand no-such known to matching"]}
    with pytest.raises(InvalidInput) as caught:
        rpc.matching.run_allocation_round(OPERATOR, {"park_id": "no-such-park"})
    assert list(caught.value.details) == ["park_id"]
    with pytest.raises(InvalidInput) as caught:
        rpc.matching.run_allocation_round(OPERATOR, {"park_id": first_park["id"],
                                                     "demand_ids": [first["id"]]})
    assert list(caught.value.details) == ["park_id"]

    rpc.profiles.update_demand(first_park, first["id"], {"status": "closed"})
    event_spy.wait_for("match.withdrawn")
    with pytest.raises(InvalidInput) as caught:
        rpc.matching.run_allocation_round(OPERATOR, {"demand_ids": [first["id"]]})
    assert caught.value.details == {
        "demand_ids.0": [f"demand {first['id']} is not open (demand closed)"]}
    assert [d["demand_id"] for d in rpc.matching.run_allocation_round(OPERATOR, {})["demands"]] \
        == [second["id"]]


def test_stated_preferences_decide_between_equally_scored_demands(services, rpc, event_spy):
    _first_park, first = publish_demand(rpc, places=1)
    _second_park, second = publish_demand(rpc, places=1)
    best_actor, best = register_company(rpc, names={"en": "Best Bio"})
    _other_actor, other = register_company(rpc, names={"en": "Other Bio"},
                                          incentives_wanted=["subsidies"])
    wait_for_matches(event_spy, 4)
    low, high = sorted([first["id"], second["id"]])

    # equal scores: both rank the demands by id; the better company gets the first
    by_score = rpc.matching.run_allocation_round(OPERATOR, {})
    assert {c["company_id"]: c["demand_id"] for c in by_score["companies"]} == {
        best["id"]: low, other["id"]: high}

    stated = rpc.matching.set_demand_preferences(best_actor, best["id"], {"demand_ids": [high]})
    assert (stated["company_id"], stated["demand_ids"]) == (best["id"], [high])
    assert stated["updated_at"]
    assert rpc.matching.get_demand_preferences(best_actor, best["id"])["demand_ids"] == [high]
    followed = rpc.matching.run_allocation_round(OPERATOR, {})
    outcomes = {c["company_id"]: c for c in followed["companies"]}
    assert (outcomes[best["id"]]["demand_id"], outcomes[best["id"]]["ranking"]) == \
        (high, [high, low])
    assert outcomes[best["id"]]["stated_preferences"] is True
    assert outcomes[other["id"]]["demand_id"] == low

    # the other company also wants `high` first: it is refused, and told why
    rpc.matching.set_demand_preferences(OPERATOR, other["id"], {"demand_ids": [high, low]})
    refused = rpc.matching.run_allocation_round(OPERATOR, {})
    outcome = next(c for c in refused["companies"] if c["company_id"] == other["id"])
    assert (outcome["demand_id"], outcome["choice"]) == (low, 2)
    assert [w["demand_id"] for w in outcome["why_not"]] == [high]

    # clearing them goes back to the score order
    rpc.matching.set_demand_preferences(best_actor, best["id"], {"demand_ids": []})
    assert rpc.matching.get_demand_preferences(OPERATOR, best["id"])["demand_ids"] == []


def test_preferences_name_only_the_company_s_active_matches_once(services, rpc, event_spy):
    park_actor, demand = publish_demand(rpc, places=1)
    _, elsewhere = publish_demand(rpc, places=1, sectors=["cloud"])  # no match for the company
    actor, company = register_company(rpc)
    wait_for_matches(event_spy, 1)

    assert rpc.matching.get_demand_preferences(actor, company["id"]) == {
        "company_id": company["id"], "demand_ids": [], "updated_at": None}
    with pytest.raises(InvalidInput) as caught:
        rpc.matching.set_demand_preferences(actor, company["id"], {
            "demand_ids": [demand["id"], elsewhere["id"], demand["id"]]})
    assert caught.value.details == {
        "demand_ids.1": [f"the company has no active match with demand {elsewhere['id']}"],
        "demand_ids.2": [f"{demand['id']} is listed twice"]}
    with pytest.raises(InvalidInput) as caught:
        rpc.matching.set_demand_preferences(actor, company["id"], {"demand_ids": ["", 7]})
    assert set(caught.value.details) == {"demand_ids.0", "demand_ids.1"}
    with pytest.raises(InvalidInput):
        rpc.matching.set_demand_preferences(actor, company["id"], {})
    for who in (park_actor, {"kind": "company", "id": "someone-else"}):
        with pytest.raises(Forbidden):
            rpc.matching.set_demand_preferences(who, company["id"], {"demand_ids": []})
        with pytest.raises(Forbidden):
            rpc.matching.get_demand_preferences(who, company["id"])
    with pytest.raises(NotFound):
        rpc.matching.set_demand_preferences(OPERATOR, "no-such-company", {"demand_ids": []})
    # nothing was stored by the refused calls
    assert rpc.matching.get_demand_preferences(actor, company["id"])["demand_ids"] == []
