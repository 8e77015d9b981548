"""Allocation rounds on plain data: who gets a demand's places, why the others
did not, and the same assignment as the `matching` package's
hospital–resident solver on random instances."""
import random
import warnings
from pathlib import Path

import pytest
from matching.games import HospitalResident

from services.matching.allocation import domain as allocation
from services.matching.allocation.domain import FULL, allocate, solve, why_not_text
from tests.unit.test_layering import FORBIDDEN, imported_roots

BINXIAN = {"title": "High-Tech Valley", "park_names": {
    "en": "Binxian ETDZ", "ko": "빈현경제기술개발구", "zh": "宾县经济技术开发区"}}


def test_the_allocation_module_imports_no_transport_or_storage():
    path = Path(allocation.__file__)
    assert not FORBIDDEN & set(imported_roots(path))


# --- hand cases ---------------------------------------------------------------------

def test_a_demand_takes_its_best_scored_companies_up_to_its_places():
    scores = {"c-a": {"d": 80.0}, "c-b": {"d": 95.5}, "c-c": {"d": 60.0}}
    result = allocate(scores, {"d": 2})
    assert result.assignments == {"d": ["c-b", "c-a"]}
    assert result.placed == {"c-a": "d", "c-b": "d", "c-c": None}
    assert result.unplaced == ["c-c"]


def test_every_company_fits_when_places_suffice():
    scores = {"c1": {"d": 10.0}, "c2": {"d": 20.0}}
    result = allocate(scores, {"d": 5})
    assert result.assignments == {"d": ["c2", "c1"]}
    assert result.why_not == {}


def test_a_rejected_company_moves_on_to_its_next_demand_and_displaces_a_weaker_one():
    # c1 wants d1 then d2; d1 prefers c2, so c1 falls back to d2 where it
    # beats c3, who then has nowhere to go.
    scores = {
        "c1": {"d1": 90.0, "d2": 85.0},
        "c2": {"d1": 95.0},
        "c3": {"d2": 70.0},
    }
    result = allocate(scores, {"d1": 1, "d2": 1})
    assert result.assignments == {"d1": ["c2"], "d2": ["c1"]}
    assert result.placed["c3"] is None
    assert [a["demand_id"] for a in result.why_not["c1"]] == ["d1"]
    assert [a["demand_id"] for a in result.why_not["c3"]] == ["d2"]


def test_a_stated_preference_beats_the_score_order():
    scores = {"c1": {"d-high": 90.0, "d-low": 60.0}}
    by_score = allocate(scores, {"d-high": 1, "d-low": 1})
    stated = allocate(scores, {"d-high": 1, "d-low": 1}, stated={"c1": ["d-low"]})
    assert by_score.placed["c1"] == "d-high"
    assert stated.placed["c1"] == "d-low"
    assert stated.company_rankings["c1"] == ["d-low", "d-high"]


def test_stated_preferences_ignore_demands_the_company_is_not_eligible_for_and_repeats():
    rankings = allocation.company_rankings(
        {"c1": {"d1": 50.0, "d2": 70.0, "d3": 70.0}},
        {"c1": ["gone", "d1", "d1", "elsewhere"]})
    # stated first, then the rest by score, equal scores by demand id
    assert rankings == {"c1": ["d1", "d2", "d3"]}


def test_demands_rank_by_score_and_equal_scores_by_company_id():
    rankings = allocation.demand_rankings({
        "c-b": {"d": 70.0}, "c-a": {"d": 70.0}, "c-c": {"d": 99.9}})
    assert rankings == {"d": ["c-c", "c-a", "c-b"]}


def test_ties_are_broken_the_same_way_whatever_the_input_order():
    pairs = [(f"c{i:02d}", f"d{i % 3}", 50.0) for i in range(12)] + \
            [(f"c{i:02d}", f"d{(i + 1) % 3}", 50.0) for i in range(12)]
    results = []
    for seed in range(5):
        shuffled = pairs[:]
        random.Random(seed).shuffle(shuffled)
        scores = allocation.scores_from_matches(shuffled)
        results.append(allocate(scores, {"d0": 2, "d1": 3, "d2": 1}))
    assert all(r.assignments == results[0].assignments for r in results)
    assert all(r.why_not == results[0].why_not for r in results)
    # all scores equal: every demand takes the lowest company ids that want it
    assert results[0].assignments["d0"] == ["c00", "c02"]


def test_the_result_is_the_company_optimal_of_two_stable_matchings():
    # both {c1-d1, c2-d2} and {c1-d2, c2-d1} are stable; companies propose,
    # so each company gets its first choice
    companies = {"c1": ["d1", "d2"], "c2": ["d2", "d1"]}
    demands = {"d1": ["c2", "c1"], "d2": ["c1", "c2"]}
    assert solve(companies, demands, {"d1": 1, "d2": 1}) == {"d1": ["c1"], "d2": ["c2"]}


def test_pairs_only_one_side_lists_are_not_acceptable():
    companies = {"c1": ["d1"], "c2": ["d1"]}
    demands = {"d1": ["c2"]}  # d1 does not list c1
    assert solve(companies, demands, {"d1": 2}) == {"d1": ["c2"]}


def test_an_empty_round_assigns_nothing():
    result = allocate({}, {})
    assert (result.assignments, result.placed, result.why_not) == ({}, {}, {})


# --- why-not answers -------------------------------------------------------------------

def test_why_not_names_the_full_demand_its_admitted_companies_and_their_scores():
    scores = {"winner": {"d": 92.0}, "runner-up": {"d": 88.5}, "loser": {"d": 71.0}}
    result = allocate(scores, {"d": 2})
    assert result.why_not == {"loser": [{
        "demand_id": "d",
        "reason": FULL,
        "places": 2,
        "admitted_ranked_higher": [{"company_id": "winner", "score": 92.0},
                                   {"company_id": "runner-up", "score": 88.5}],
        "lowest_admitted_score": 88.5,
        "score": 71.0,
        "rank": 3,
    }]}


def test_a_placed_company_hears_why_not_its_better_choices_only():
    scores = {"c1": {"first": 50.0, "second": 60.0, "third": 40.0},
              "rival": {"first": 99.0}}
    result = allocate(scores, {"first": 1, "second": 1, "third": 1},
                      stated={"c1": ["first", "second", "third"]})
    assert result.placed["c1"] == "second"
    assert [a["demand_id"] for a in result.why_not["c1"]] == ["first"]
    assert "rival" not in result.why_not


def test_why_not_texts_in_three_languages():
    answer = allocate({"a": {"d": 100.0}, "b": {"d": 85.0}}, {"d": 1}).why_not["b"][0]
    assert why_not_text(answer, BINXIAN, "en") == (
        "Binxian ETDZ (High-Tech Valley) is full with 1 company it ranks higher "
        "(lowest-ranked admitted: score 100; yours: 85)")
    assert why_not_text(answer, BINXIAN, "ko") == (
        "빈현경제기술개발구 (High-Tech Valley)은(는) 더 높은 순위의 기업 1곳(으)로 정원이 찼습니다 "
        "(합격한 최하위 점수: 100, 귀사 점수: 85)")
    assert why_not_text(answer, BINXIAN, "zh") == (
        "宾县经济技术开发区（High-Tech Valley）已满，录取了1家排名更靠前的企业"
        "（录取最低分：100；您的得分：85）")
    # an unknown language falls back to English; a park without a Korean name too
    assert why_not_text(answer, BINXIAN, "fr").startswith("Binxian ETDZ (High-Tech Valley) is full")
    english_only = {"title": "T", "park_names": {"en": "Daxing"}}
    assert why_not_text(answer, english_only, "ko").startswith("Daxing (T)")


def test_many_admitted_companies_read_as_a_plural():
    scores = {f"c{i}": {"d": float(90 - i)} for i in range(4)}
    answer = allocate(scores, {"d": 3}).why_not["c3"][0]
    assert "full with 3 companies it ranks higher (lowest-ranked admitted: score 88; yours: 87)" \
        in why_not_text(answer, BINXIAN)


def test_why_not_refuses_an_unstable_result():
    result = allocate({"a": {"d": 90.0}, "b": {"d": 80.0}}, {"d": 1})
    result.assignments = {"d": ["b"]}  # tampered: d would rather have a
    result.placed = {"a": None, "b": "d"}
    with pytest.raises(AssertionError, match="not stable"):
        allocation.why_not(result, {"a": {"d": 90.0}, "b": {"d": 80.0}}, {"d": 1})


# --- against the matching package ----------------------------------------------------------

def package_assignment(company_prefs, demand_prefs, capacities):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any inconsistency in our lists fails the test
        game = HospitalResident.create_from_dictionaries(
            company_prefs, demand_prefs, capacities)
        matching = game.solve(optimal="resident")
    return {hospital.name: sorted(r.name for r in residents)
            for hospital, residents in matching.items()}


def random_round(seed):
    """Companies eligible for a random subset of demands (incomplete lists),
    scores on a coarse grid (many ties), random capacities, stated
    preferences for some companies (also naming demands they may not have)."""
    rng = random.Random(seed)
    n_companies, n_demands = rng.randint(1, 60), rng.randint(1, 15)
    scores = {}
    for c in range(n_companies):
        chosen = rng.sample(range(n_demands), rng.randint(1, min(n_demands, 6)))
        scores[f"co-{c:03d}"] = {f"de-{d:02d}": rng.choice([50.0, 62.5, 75.0, 87.5, 100.0,
                                                           round(rng.uniform(0, 100), 1)])
                                 for d in chosen}
    demands = sorted({d for s in scores.values() for d in s})
    places = {d: rng.randint(1, 5) for d in demands}
    stated = {}
    for company_id, eligible in scores.items():
        if rng.random() < 0.4:
            options = list(eligible) + [f"de-{d:02d}" for d in range(n_demands)]
            stated[company_id] = rng.sample(options, rng.randint(1, len(options)))
    return scores, places, stated


@pytest.mark.parametrize("seed", range(60))
def test_a_round_assigns_as_the_matching_package_does(seed):
    scores, places, stated = random_round(seed)
    result = allocate(scores, places, stated)
    ours = {d: sorted(cs) for d, cs in result.assignments.items()}
    assert ours == package_assignment(result.company_rankings, result.demand_rankings, places)
    # and the why-not answers cover exactly the demands ranked above what each got
    for company_id, ranking in result.company_rankings.items():
        got = result.placed[company_id]
        above = ranking if got is None else ranking[:ranking.index(got)]
        assert [a["demand_id"] for a in result.why_not.get(company_id, [])] == above


@pytest.mark.parametrize("seed", range(30))
def test_solve_on_arbitrary_rankings_matches_the_matching_package(seed):
    """Rankings not derived from scores: each side orders the acceptable
    pairs independently (the general hospital–resident game)."""
    rng = random.Random(1000 + seed)
    n_companies, n_demands = rng.randint(1, 80), rng.randint(1, 20)
    acceptable = {f"c{c}": rng.sample([f"d{d}" for d in range(n_demands)],
                                      rng.randint(1, n_demands)) for c in range(n_companies)}
    demand_prefs = {}
    for company_id, wanted in acceptable.items():
        for demand_id in wanted:
            demand_prefs.setdefault(demand_id, []).append(company_id)
    for listed in demand_prefs.values():
        rng.shuffle(listed)
    capacities = {d: rng.randint(1, 6) for d in demand_prefs}
    ours = {d: sorted(cs) for d, cs in solve(acceptable, demand_prefs, capacities).items()}
    assert ours == package_assignment(acceptable, demand_prefs, capacities)


def test_why_not_texts_come_from_the_one_message_catalogue(monkeypatch):
    from services.matching import messages
    answer = allocate({"a": {"d": 100.0}, "b": {"d": 85.0}}, {"d": 1}).why_not["b"][0]
    msg = allocation.why_not_message(answer, BINXIAN)
    assert msg == {"id": "allocation.full_with_higher_ranked",
                   "params": {"park": BINXIAN["park_names"], "title": "High-Tech Valley",
                              "admitted": 1, "lowest": 100.0, "score": 85.0}}
    assert messages.render_all(msg) == {lang: why_not_text(answer, BINXIAN, lang)
                                        for lang in ("en", "ko", "zh")}
    # changing the catalogue changes what allocation says
    monkeypatch.setitem(messages.MESSAGES, "allocation.full_with_higher_ranked",
                        {"en": "{park:names} full", "ko": "가득", "zh": "满"})
    assert why_not_text(answer, BINXIAN, "en") == "Binxian ETDZ full"
