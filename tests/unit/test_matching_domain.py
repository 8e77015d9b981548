"""Matching rules, table by table: each criterion at its boundaries, unknown
versus not met, the score, a match's life and the order matches are listed
in. Snapshots are built the way the service receives them (loaded through
the event contracts)."""
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from services.contracts import make_event
from services.contracts.events import CompanySnapshotV1, DemandSnapshotV1
from services.contracts.vocabulary import CRITERION_KINDS
from services.matching import domain
from tests.factories import company_body, demand_body, harbin_screening, park_body

TODAY = date(2026, 3, 15)
VENTURE_OR_INNOBIZ = "Korean venture certification, INNOBIZ"
NOW = datetime(2026, 3, 15, 9, 30, tzinfo=UTC)


def company(company_id="c-1", version=1, **overrides):
    overrides.setdefault("founded_on", "2019-06-01")
    body = {k: v for k, v in company_body(**overrides).items() if k != "contact"}
    return CompanySnapshotV1().load({**body, "company_id": company_id, "version": version})


def demand(demand_id="d-1", version=1, **overrides):
    park = park_body()
    body = {"valid_from": "2026-01-01", "status": "open", **demand_body(**overrides)}
    return DemandSnapshotV1().load({
        **body, "demand_id": demand_id, "version": version,
        "park": {"park_id": "p-1", "version": 1, "names": park["names"], "region": park["region"]},
    })


def outcome_of(criterion, company_snapshot, demand_snapshot=None, today=TODAY):
    outcomes = domain.outcomes_for(company_snapshot, demand_snapshot or demand(), today)
    found = [o for o in outcomes if o["criterion"] == criterion]
    return found[0] if found else None


# --- screening criteria (the Harbin rule) --------------------------------------

@pytest.mark.parametrize("patents, outcome, explanation", [
    (None, "unknown", "patents unknown: the company did not say"),
    (0, "not_met", "holds 0 patents; at least 1 required"),
    (1, "met", "holds 1 patent; at least 1 required"),
    (3, "met", "holds 3 patents; at least 1 required"),
])
def test_min_patents_boundary(patents, outcome, explanation):
    found = outcome_of("min_patents", company(patents=patents))
    assert (found["outcome"], found["explanation"]) == (outcome, explanation)
    assert (found["company_value"], found["demand_value"]) == (patents, 1)
    assert found["required"] is True and found["weight"] == 2.0


@pytest.mark.parametrize("founded_on, today, outcome, words", [
    ("2023-03-15", date(2026, 3, 15), "met", "founded 2023-03-15, 3 years ago"),
    ("2023-03-16", date(2026, 3, 15), "not_met", "founded 2023-03-16, 2.9 years ago"),
    ("2010-01-01", date(2026, 3, 15), "met", "founded 2010-01-01, 16.2 years ago"),
    ("2026-03-15", date(2026, 3, 15), "not_met", "founded 2026-03-15, 0 years ago"),
    # 29 February: its anniversary in a common year is 28 February.
    ("2020-02-29", date(2023, 2, 28), "met", "founded 2020-02-29, 3 years ago"),
    ("2020-02-29", date(2023, 2, 27), "not_met", "founded 2020-02-29, 2.9 years ago"),
])
def test_min_years_since_founding_compares_calendar_dates(founded_on, today, outcome, words):
    found = outcome_of("min_years_since_founding", company(founded_on=founded_on), today=today)
    assert found["outcome"] == outcome
    assert found["explanation"] == f"{words}; at least 3 years required"
    assert found["company_value"] == founded_on


def test_min_years_since_founding_unknown_and_fractional_requirement():
    unknown = outcome_of("min_years_since_founding", company(founded_on=None))
    assert unknown["outcome"] == "unknown"
    assert unknown["explanation"] == "founding date unknown: the company did not say"

    half = demand(criteria=[{"kind": "min_years_since_founding", "value": 2.5}])
    exactly = company(founded_on="2023-09-15")  # 2 years 6 months before TODAY
    a_day_short = company(founded_on="2023-09-16")
    assert outcome_of("min_years_since_founding", exactly, half)["outcome"] == "met"
    assert outcome_of("min_years_since_founding", a_day_short, half)["outcome"] == "not_met"


@pytest.mark.parametrize("funding, validated, outcome, explanation", [
    (5_000, None, "met", "raised 5,000 KRW; funding or market validation required"),
    (5_000, False, "met", "raised 5,000 KRW; funding or market validation required"),
    (5_000, True, "met",
     "raised 5,000 KRW and has market validation; funding or market validation required"),
    (0, True, "met", "has market validation; funding or market validation required"),
    (None, True, "met", "has market validation; funding or market validation required"),
    (0, False, "not_met",
     "no funding raised and no market validation; funding or market validation required"),
    (None, False, "unknown", "no market validation; funding unknown: the company did not say"),
    (0, None, "unknown", "no funding raised; market validation unknown: the company did not say"),
    (None, None, "unknown", "funding and market validation unknown: the company did not say"),
])
def test_funding_or_market_validation_truth_table(funding, validated, outcome, explanation):
    found = outcome_of("funding_or_market_validation",
                       company(funding_raised_krw=funding, market_validation=validated))
    assert (found["outcome"], found["explanation"]) == (outcome, explanation)
    assert found["company_value"] == {"funding_raised_krw": funding,
                                      "market_validation": validated}


@pytest.mark.parametrize("held, outcome, explanation", [
    (None, "unknown", "certification unknown: the company did not say"),
    ([], "not_met", f"holds no certification; one of {VENTURE_OR_INNOBIZ} required"),
    (["iso_9001"], "not_met", f"holds ISO 9001; one of {VENTURE_OR_INNOBIZ} required"),
    (["kr_innobiz"], "met", f"holds INNOBIZ; one of {VENTURE_OR_INNOBIZ} required"),
    (["iso_9001", "kr_venture"], "met",
     f"holds Korean venture certification; one of {VENTURE_OR_INNOBIZ} required"),
])
def test_certification_any_of(held, outcome, explanation):
    found = outcome_of("certification_any_of", company(certifications=held))
    assert (found["outcome"], found["explanation"]) == (outcome, explanation)


def test_every_criterion_kind_has_an_evaluator():
    assert set(CRITERION_KINDS) <= set(domain.EVALUATORS)


# --- what the demand offers ---------------------------------------------------

@pytest.mark.parametrize("company_fields, demand_fields, criterion, expected", [
    ({"sectors": ["cloud", "biopharmaceuticals"]}, {}, "sectors",
     ("met", "sectors in common: Biopharmaceuticals")),
    ({"sectors": ["cloud"]}, {"sectors": ["semiconductors"]}, "sectors",
     ("not_met", "no sector in common: the company works in Cloud computing; "
                 "wanted: Semiconductors and equipment")),
    ({"space_needed_m2": 400}, {}, "space", ("met", "needs 400 m²; 51,700 m² offered")),
    ({"space_needed_m2": 60_000}, {}, "space",
     ("not_met", "needs 60,000 m²; only 51,700 m² offered")),
    ({"space_needed_m2": None}, {}, "space", None),
    ({"space_needed_m2": 400}, {"space_offered_m2": None}, "space", None),
    ({"facilities_needed": ["lab", "dormitory"]}, {}, "facilities",
     ("met", "needs lab, dormitory; all offered")),
    ({"facilities_needed": ["clean_room", "lab"]}, {}, "facilities",
     ("not_met", "needs clean room, lab; not offered: clean room")),
    ({"facilities_needed": None}, {}, "facilities", None),
    ({"incentives_wanted": ["subsidies", "free_rent"]}, {}, "incentives",
     ("met", "wants subsidies, free rent; offered: free rent")),
    ({"incentives_wanted": ["subsidies"]}, {}, "incentives",
     ("not_met", "wants subsidies; none of them offered")),
    ({"incentives_wanted": None}, {}, "incentives", None),
])
def test_offer_criteria(company_fields, demand_fields, criterion, expected):
    found = outcome_of(criterion, company(**company_fields), demand(**demand_fields))
    if expected is None:
        assert found is None  # does not apply: no outcome, no weight
    else:
        assert (found["outcome"], found["explanation"]) == expected


def test_incentives_are_a_preference_and_the_rest_of_the_offer_is_required():
    outcomes = domain.outcomes_for(company(incentives_wanted=["subsidies"]), demand(), TODAY)
    assert [(o["criterion"], o["required"], o["weight"]) for o in outcomes] == [
        ("sectors", True, 1.0), ("space", True, 1.0), ("facilities", True, 1.0),
        ("min_patents", True, 2.0), ("min_years_since_founding", True, 1.0),
        ("funding_or_market_validation", True, 1.0), ("certification_any_of", True, 1.0),
        ("incentives", False, 1.0),
    ]
    evaluation = domain.evaluate(company(incentives_wanted=["subsidies"]), demand(), TODAY)
    assert evaluation["qualifies"] is True  # an unmet preference costs score, not the match
    assert evaluation["score"] == 88.9


# --- whole evaluations ---------------------------------------------------------

def test_a_company_meeting_the_harbin_rule_is_a_match_with_a_readable_summary():
    evaluation = domain.evaluate(company(), demand(), TODAY)
    assert evaluation["qualifies"] is True
    assert evaluation["score"] == 100.0
    assert evaluation["withdrawn_reason"] is None
    assert evaluation["summary"] == ("Meets all 7 required criteria of Korea-China High-Tech "
                                     "Valley, phase 1; sectors in common: Biopharmaceuticals")
    assert evaluation["match_id"] == domain.match_id("c-1", "d-1")
    assert evaluation["demand"]["park_names"]["en"].startswith("Binxian")


@pytest.mark.parametrize("overrides, qualifies, score", [
    ({}, True, 100.0),
    ({"patents": 0}, False, 75.0),                         # 6 of 8
    ({"patents": None}, False, 87.5),  # unknown earns half its weight of 2: 7 of 8
    ({"patents": 0, "certifications": None}, False, 68.8),  # 5.5 of 8
    ({"sectors": ["cloud"]}, False, 87.5),                 # 7 of 8
    ({"space_needed_m2": None, "facilities_needed": None}, True, 100.0),
    ({"incentives_wanted": ["free_rent"]}, True, 100.0),
    ({"incentives_wanted": ["subsidies"], "certifications": []}, False, 77.8),  # 7 of 9
])
def test_score_and_qualification(overrides, qualifies, score):
    evaluation = domain.evaluate(company(**overrides), demand(), TODAY)
    assert (evaluation["qualifies"], evaluation["score"]) == (qualifies, score)


def test_unknown_and_not_met_both_fail_a_required_criterion_but_read_differently():
    unknown = domain.evaluate(company(certifications=None), demand(), TODAY)
    not_met = domain.evaluate(company(certifications=["iso_9001"]), demand(), TODAY)
    assert unknown["qualifies"] is False and not_met["qualifies"] is False
    assert unknown["withdrawn_reason"] == (
        "required criteria not met: certification "
        "(certification unknown: the company did not say)")
    assert not_met["withdrawn_reason"] == (
        "required criteria not met: certification "
        f"(holds ISO 9001; one of {VENTURE_OR_INNOBIZ} required)")
    assert unknown["summary"] == ("Does not meet 1 of 7 required criteria of Korea-China "
                                  "High-Tech Valley, phase 1: certification")


def test_an_unknown_preference_is_only_a_preference():
    criteria = [dict(c, required=False) for c in harbin_screening()]
    evaluation = domain.evaluate(company(patents=None, certifications=None),
                                 demand(criteria=criteria), TODAY)
    assert evaluation["qualifies"] is True
    assert evaluation["score"] == 81.3  # 5 met, patents (2) and certification (1) at half: 6.5 of 8
    assert evaluation["summary"].endswith("; 2 of 4 preferences met")


def test_score_rounds_half_up_to_one_decimal():
    def outcomes(met, total):
        return [{"weight": 1.0, "outcome": "met" if i < met else "not_met"} for i in range(total)]
    assert domain.score(outcomes(1, 16)) == 6.3     # 6.25; round() would say 6.2
    assert domain.score(outcomes(2, 3)) == 66.7
    assert domain.score(outcomes(0, 3)) == 0.0
    assert domain.score([]) == 0.0


@pytest.mark.parametrize("demand_fields, state, reason", [
    ({}, "open", None),
    ({"status": "closed"}, "closed", "demand closed"),
    ({"valid_until": "2026-03-14"}, "expired", "demand expired"),
    ({"valid_until": "2026-03-15"}, "open", None),
    ({"valid_from": "2026-03-16"}, "not_yet_open", "demand not open yet"),
])
def test_only_an_open_demand_matches(demand_fields, state, reason):
    snapshot = demand(**demand_fields)
    assert domain.demand_state(snapshot, TODAY) == state
    evaluation = domain.evaluate(company(), snapshot, TODAY)
    assert evaluation["qualifies"] is (state == "open")
    assert evaluation["withdrawn_reason"] == reason


def test_match_payload_satisfies_the_contract_and_is_json():
    match, _ = domain.next_match(None, domain.evaluate(company(), demand(), TODAY), NOW)
    event = make_event("match.found", domain.event_payload(match), producer="test")
    assert event.payload["outcomes"][4]["company_value"] == "2019-06-01"
    json.dumps(event.to_message())


# --- a match's life ---------------------------------------------------------------

def _active(**company_overrides):
    match, _ = domain.next_match(
        None, domain.evaluate(company(**company_overrides), demand(), TODAY), NOW)
    return match


LATER = NOW + timedelta(hours=1)


@pytest.mark.parametrize("existing, company_overrides, expected", [
    (None, {}, ("match.found", 1, "active")),
    (None, {"patents": 0}, None),
    ("active", {}, None),
    ("active", {"headcount": 99}, None),                            # not a criterion
    ("active", {"incentives_wanted": ["subsidies"]}, ("match.updated", 2, "active")),
    ("active", {"patents": 7}, ("match.updated", 2, "active")),     # company value changed
    ("active", {"names": {"en": "Renamed"}}, ("match.updated", 2, "active")),
    ("active", {"patents": 0}, ("match.withdrawn", 2, "withdrawn")),
    ("withdrawn", {}, ("match.found", 3, "active")),
    ("withdrawn", {"patents": 0}, None),
])
def test_lifecycle(existing, company_overrides, expected):
    current = None
    if existing:
        current = _active()
        if existing == "withdrawn":
            current, _ = domain.next_match(
                current, domain.evaluate(company(patents=0), demand(), TODAY), NOW)
    change = domain.next_match(
        current, domain.evaluate(company(**company_overrides), demand(), TODAY), LATER)
    if expected is None:
        assert change is None
        return
    match, event_type = change
    assert (event_type, match["version"], match["status"]) == expected
    assert match["updated_at"] == LATER
    assert match["created_at"] == (LATER if current is None else NOW)
    if match["status"] == "withdrawn":
        assert match["withdrawn_reason"].startswith("required criteria not met: patents")
    else:
        assert match["withdrawn_reason"] is None


def test_a_day_passing_alone_changes_no_match():
    current = _active()
    tomorrow = domain.evaluate(company(), demand(), TODAY + timedelta(days=40))
    assert tomorrow["outcomes"] != current["outcomes"]  # the age in words moved...
    assert domain.next_match(current, tomorrow, LATER) is None  # ...which is no news


def test_a_closed_demand_withdraws_its_match():
    match, event_type = domain.next_match(
        _active(), domain.evaluate(company(), demand(status="closed"), TODAY), LATER)
    assert (event_type, match["withdrawn_reason"]) == ("match.withdrawn", "demand closed")


def test_match_ids_are_deterministic_per_pair():
    assert domain.match_id("c-1", "d-1") == domain.match_id("c-1", "d-1")
    assert len({domain.match_id("c-1", "d-1"), domain.match_id("c-1", "d-2"),
                domain.match_id("c-2", "d-1")}) == 3


def test_only_newer_snapshots_replace_stored_ones():
    assert domain.is_newer({"version": 1}, None)
    assert domain.is_newer({"version": 3}, {"version": 2})
    assert not domain.is_newer({"version": 2}, {"version": 2})
    assert not domain.is_newer({"version": 1}, {"version": 2})


# --- listing and who may look ---------------------------------------------------------

def test_ranking_is_by_score_then_match_id_with_withdrawn_last_and_only_on_request():
    def m(match_id, score, status="active"):
        return {"match_id": match_id, "score": score, "status": status}
    matches = [m("b", 80.0), m("c", 95.0), m("z", 99.0, "withdrawn"), m("a", 80.0), m("d", 50.0)]
    assert [x["match_id"] for x in domain.ranked(matches)] == ["c", "a", "b", "d"]
    assert [x["match_id"] for x in domain.ranked(list(reversed(matches)))] == ["c", "a", "b", "d"]
    assert [x["match_id"] for x in domain.ranked(matches, include_withdrawn=True)] == \
        ["c", "a", "b", "d", "z"]


@pytest.mark.parametrize("actor, allowed", [
    ({"kind": "operator", "id": "operator"}, True),
    ({"kind": "partner", "id": "any-partner"}, True),
    ({"kind": "company", "id": "c-1"}, True),
    ({"kind": "company", "id": "c-2"}, False),
    ({"kind": "park", "id": "p-1"}, True),
    ({"kind": "park", "id": "p-2"}, False),
    (None, False),
])
def test_who_may_see_a_match(actor, allowed):
    assert domain.may_see_match(actor, _active()) is allowed
