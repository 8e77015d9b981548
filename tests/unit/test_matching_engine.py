"""The numpy engine gives exactly what the per-pair domain evaluation gives
(match, near miss, failed hard criteria, score) on random companies and
demands: every criterion kind, unknowns, offer kinds as preferences, odd
weights, sector hierarchy, closed and expired windows, month-end founding
dates."""
import random
from datetime import date, timedelta

import numpy as np
import pytest

from services.contracts.events import CompanySnapshotV1, DemandSnapshotV1
from services.contracts.taxonomy import SECTOR_CODES
from services.contracts.vocabulary import CERTIFICATIONS, FACILITIES, INCENTIVES
from services.matching import domain, engine

SECTORS = sorted(SECTOR_CODES)
MARKETS = ["CN", "VN", "JP", "US", "de", " Vietnam "]


def maybe(rng, value, p=0.2):
    return None if rng.random() < p else value


def random_company(rng, i, today):
    founded = today - timedelta(days=rng.choice([0, 1, 364, 365, 366, 1095, 1096, 1094,
                                                 rng.randint(0, 6000)]))
    if rng.random() < 0.15:  # month ends: the calendar's awkward days
        founded = rng.choice([date(2020, 2, 29), date(2023, 1, 31), date(2022, 12, 31),
                              date(2023, 3, 31), date(2023, 2, 28)])
    return CompanySnapshotV1().load({
        "company_id": f"c{i:04d}", "version": 1, "names": {"en": f"Company {i}"}, "country": "KR",
        "sectors": rng.sample(SECTORS, rng.randint(1, 3)),
        "founded_on": maybe(rng, founded.isoformat()),
        "patents": maybe(rng, rng.randint(0, 4)),
        "funding_raised_krw": maybe(rng, rng.choice([0, 0, 5_000_000])),
        "market_validation": maybe(rng, rng.random() < 0.5),
        "certifications": maybe(rng, rng.sample(sorted(CERTIFICATIONS), rng.randint(0, 2))),
        "space_needed_m2": maybe(rng, rng.choice([100, 500, 2000, 60_000]), 0.4),
        "facilities_needed": maybe(rng, rng.sample(FACILITIES, rng.randint(0, 2)), 0.4),
        "headcount": maybe(rng, rng.randint(1, 120)),
        "export_markets": maybe(rng, rng.sample(MARKETS, rng.randint(0, 2))),
        "incentives_wanted": maybe(rng, rng.sample(INCENTIVES, rng.randint(0, 2)), 0.4),
    })


def random_criterion(rng, kind):
    value = {
        "sectors": lambda: maybe(rng, rng.sample(SECTORS, rng.randint(1, 3)), 0.5),
        "space": lambda: maybe(rng, rng.choice([300, 1000, 50_000]), 0.5),
        "facilities": lambda: maybe(rng, rng.sample(FACILITIES, rng.randint(0, 4)), 0.5),
        "incentives": lambda: None,
        "min_patents": lambda: rng.randint(0, 3),
        "min_years_since_founding": lambda: rng.choice([0, 1, 2.5, 3, 3.04]),
        "funding_or_market_validation": lambda: True,
        "certification_any_of": lambda: rng.sample(sorted(CERTIFICATIONS), rng.randint(1, 3)),
        "headcount": lambda: rng.choice([{"min": 10}, {"max": 50}, {"min": 5, "max": 60}]),
        "export_markets": lambda: rng.sample(["cn", "vn ", "Vietnam", "KR"], rng.randint(1, 2)),
    }[kind]()
    criterion = {"kind": kind, "value": value, "weight": rng.choice([0, 0.25, 1, 1.5, 2, 3.33])}
    if kind != "incentives":
        criterion["required"] = rng.random() < 0.6
    return criterion


def random_demand(rng, i, today):
    kinds = rng.sample(list(domain.EVALUATORS), rng.randint(0, 6))
    status = "closed" if rng.random() < 0.1 else "open"
    valid_until = maybe(rng, (today + timedelta(days=rng.choice([-1, 0, 30]))).isoformat(), 0.6)
    return DemandSnapshotV1().load({
        "demand_id": f"d{i:04d}", "version": 1, "title": f"Demand {i}",
        "park": {"park_id": "p", "version": 1, "names": {"en": "Park"},
                 "region": {"country": "CN"}},
        "sectors": rng.sample(SECTORS, rng.randint(1, 4)),
        "space_offered_m2": maybe(rng, rng.choice([400, 2000, 51_700]), 0.3),
        "facilities": rng.sample(FACILITIES, rng.randint(0, 5)),
        "incentives": rng.sample(INCENTIVES, rng.randint(0, 2)),
        "criteria": [random_criterion(rng, kind) for kind in kinds],
        "places": 3,
        "valid_from": (today - timedelta(days=rng.choice([0, 10, -1]))).isoformat(),
        "valid_until": valid_until if status == "open" else None,
        "status": status,
    })


@pytest.mark.parametrize("seed", range(6))
def test_engine_equals_the_domain_on_random_pairs(seed):
    rng = random.Random(seed)
    today = date(2026, 3, 31) if seed % 2 else date(2026, 2, 28)
    companies = [random_company(rng, i, today) for i in range(60)]
    demands = [random_demand(rng, i, today) for i in range(50)]
    index = engine.DemandIndex(demands)
    result = index.evaluate(index.encode(companies), today, scores="all")
    kinds_seen = set()
    outcomes_seen = set()
    for i, company in enumerate(companies):
        for j, demand in enumerate(demands):
            expected = domain.assess(company, demand, today)
            got = (bool(result["qualifies"][i, j]), bool(result["near_miss"][i, j]),
                   int(result["hard"][i, j]), result["score_tenths"][i, j] / 10)
            assert got == (expected["qualifies"], expected["near_miss"],
                           expected["hard_unmet"], expected["score"]), \
                (company["company_id"], demand["demand_id"], expected["outcomes"])
            kinds_seen |= {o["criterion"] for o in expected["outcomes"]}
            outcomes_seen |= {(o["criterion"], o["outcome"]) for o in expected["outcomes"]}
    # the random data exercises every kind and outcome it can have
    assert kinds_seen == set(domain.EVALUATORS)
    assert len(outcomes_seen) >= 24
    assert result["qualifies"].any() and result["near_miss"].any()


def test_one_company_against_many_and_blocks_agree_with_the_whole():
    rng = random.Random(42)
    today = date(2026, 3, 15)
    companies = [random_company(rng, i, today) for i in range(30)]
    demands = [random_demand(rng, i, today) for i in range(40)]
    index = engine.DemandIndex(demands)
    encoded = index.encode(companies)
    whole = index.evaluate(encoded, today)
    kept = whole["qualifies"] | whole["near_miss"]
    assert (whole["score_tenths"][kept] >= 0).all() and (whole["score_tenths"][~kept] == -1).all()
    for start, part in index.evaluate_blocks(encoded, today, block=7):
        for key in whole:
            assert np.array_equal(part[key], whole[key][start:start + 7])
    single = index.evaluate_company(companies[3], today)
    assert np.array_equal(single["score_tenths"], whole["score_tenths"][3])
    expected = [j for j, d in enumerate(demands)
                if (a := domain.assess(companies[3], d, today))["qualifies"] or a["near_miss"]]
    assert list(index.candidates(companies[3], today)) == expected


def test_month_end_founding_dates_follow_add_months():
    rng = random.Random(7)
    demand = random_demand(rng, 0, date(2026, 2, 28))
    demand["criteria"] = [{"kind": "min_years_since_founding", "value": 3, "required": True,
                           "weight": 1}] + [{"kind": kind, "value": None, "required": False,
                                             "weight": 1} for kind in domain.OFFER_KINDS]
    demand["status"], demand["valid_until"] = "open", None
    demand["valid_from"] = date(2020, 1, 1)
    index = engine.DemandIndex([demand])
    seen = set()
    for founded in (date(2020, 2, 29), date(2023, 1, 31), date(2022, 12, 31), date(2023, 3, 1)):
        for today in (date(2023, 2, 27), date(2023, 2, 28), date(2026, 2, 27), date(2026, 2, 28),
                      date(2026, 3, 31), date(2026, 4, 30)):
            company = random_company(rng, 1, today)
            company["founded_on"] = founded
            got = bool(index.evaluate_company(company, today)["hard"][0] == 0)
            want = all(o["outcome"] == "met" for o in domain.assess(company, demand, today)
                       ["outcomes"] if o["required"])
            assert got == want, (founded, today)
            seen.add((want, founded.day > today.day))
    assert seen == {(True, True), (True, False), (False, True), (False, False)}
