"""Issue #3 §2-4: every criterion kind configurable per demand (hard or
preference, with a weight), the screening rule of shared/domain/README.md
expressed exactly, sector hierarchy credit, the unknown rule, near misses and
their gap texts, and every text in en, ko and zh from one catalogue."""
import re
import string
from datetime import date

import pytest
from marshmallow import ValidationError

from services.contracts.events import (
    CompanySnapshotV1,
    CriterionSchema,
    DemandSnapshotV1,
)
from services.contracts.vocabulary import CRITERION_KINDS
from services.matching import domain, messages
from services.profiles.schemas import DemandPublication
from tests.factories import company_body, demand_body, harbin_screening, park_body

TODAY = date(2026, 3, 15)


def company(**overrides):
    overrides.setdefault("founded_on", "2019-06-01")
    body = {k: v for k, v in company_body(**overrides).items() if k != "contact"}
    return CompanySnapshotV1().load({**body, "company_id": "c-1", "version": 1})


def demand(**overrides):
    park = park_body()
    body = {"valid_from": "2026-01-01", "status": "open", **demand_body(**overrides)}
    return DemandSnapshotV1().load({
        **body, "demand_id": "d-1", "version": 1,
        "park": {"park_id": "p-1", "version": 1, "names": park["names"], "region": park["region"]},
    })


def by_kind(evaluation):
    return {o["criterion"]: o for o in evaluation["outcomes"]}


# --- the screening rule of the Harbin cooperation centre, exactly ---------------------

HARBIN = ["min_patents", "min_years_since_founding", "funding_or_market_validation",
          "certification_any_of"]


@pytest.mark.parametrize("overrides, expected, qualifies", [
    ({}, ("met", "met", "met", "met"), True),
    # founded exactly three years ago today: met; one day less: not met
    ({"founded_on": "2023-03-15"}, ("met", "met", "met", "met"), True),
    ({"founded_on": "2023-03-16"}, ("met", "not_met", "met", "met"), False),
    ({"founded_on": None}, ("met", "unknown", "met", "met"), False),
    ({"patents": 0}, ("not_met", "met", "met", "met"), False),
    ({"patents": None}, ("unknown", "met", "met", "met"), False),
    ({"patents": 1}, ("met", "met", "met", "met"), True),
    # funding raised OR market validation
    ({"funding_raised_krw": 0, "market_validation": True}, ("met",) * 4, True),
    ({"funding_raised_krw": 1, "market_validation": False}, ("met",) * 4, True),
    ({"funding_raised_krw": 0, "market_validation": False},
     ("met", "met", "not_met", "met"), False),
    ({"funding_raised_krw": None, "market_validation": None},
     ("met", "met", "unknown", "met"), False),
    ({"funding_raised_krw": None, "market_validation": False},
     ("met", "met", "unknown", "met"), False),
    # a Korean high-tech / venture certification
    ({"certifications": ["kr_innobiz"]}, ("met",) * 4, True),
    ({"certifications": ["cn_high_tech_enterprise"]}, ("met", "met", "met", "not_met"), False),
    ({"certifications": []}, ("met", "met", "met", "not_met"), False),
    ({"certifications": None}, ("met", "met", "met", "unknown"), False),
])
def test_the_screening_rule_table(overrides, expected, qualifies):
    evaluation = domain.evaluate(company(**overrides), demand(), TODAY)
    outcomes = by_kind(evaluation)
    assert tuple(outcomes[kind]["outcome"] for kind in HARBIN) == expected
    assert evaluation["qualifies"] is qualifies
    # missing data is unknown, never not met, and never passes
    assert all(outcomes[kind]["required"] for kind in HARBIN)


def test_screening_boundary_follows_the_calendar_not_day_counts():
    founded = domain.add_months(TODAY, -36)
    assert founded == date(2023, 3, 15)
    a_day_less = date(2023, 3, 16)
    old_enough = domain.evaluate(company(founded_on=founded.isoformat()), demand(), TODAY)
    too_young = domain.evaluate(company(founded_on=a_day_less.isoformat()), demand(), TODAY)
    assert by_kind(old_enough)["min_years_since_founding"]["outcome"] == "met"
    assert by_kind(too_young)["min_years_since_founding"]["outcome"] == "not_met"
    assert too_young["near_miss"] is True
    assert [g["message"] for g in too_young["gaps"]] == [
        {"id": "gap.founding", "params": {"founded": "2023-03-16", "eligible_on": "2026-03-16"}}]


# --- every kind, configurable ---------------------------------------------------------

def test_every_criterion_kind_has_an_evaluator_a_label_and_a_value_rule():
    from services.contracts.events import _CRITERION_VALUE_RULES
    assert set(CRITERION_KINDS) == set(domain.EVALUATORS) == set(messages.CRITERIA)
    assert set(CRITERION_KINDS) == set(_CRITERION_VALUE_RULES)


@pytest.mark.parametrize("headcount, bounds, outcome, text", [
    (25, {"min": 10}, "met", "25 employees; at least 10 required"),
    (9, {"min": 10}, "not_met", "9 employees; at least 10 required"),
    (1, {"max": 50}, "met", "1 employee; at most 50 allowed"),
    (51, {"max": 50}, "not_met", "51 employees; at most 50 allowed"),
    (50, {"min": 10, "max": 50}, "met", "50 employees; between 10 and 50 required"),
    (None, {"min": 10}, "unknown", "headcount unknown: the company did not say"),
])
def test_headcount(headcount, bounds, outcome, text):
    found = by_kind(domain.evaluate(
        company(headcount=headcount),
        demand(criteria=[{"kind": "headcount", "value": bounds}]), TODAY))["headcount"]
    assert (found["outcome"], found["explanation"]) == (outcome, text)
    assert (found["company_value"], found["demand_value"]) == (headcount, bounds)


@pytest.mark.parametrize("markets, outcome, text", [
    (["cn", "JP"], "met", "exports to cn; any of CN, VN wanted"),
    (["JP"], "not_met", "exports to JP; none of CN, VN"),
    ([], "not_met", "exports nowhere yet; any of CN, VN wanted"),
    (None, "unknown", "export markets unknown: the company did not say"),
])
def test_export_markets_any_of(markets, outcome, text):
    found = by_kind(domain.evaluate(
        company(export_markets=markets),
        demand(criteria=[{"kind": "export_markets", "value": ["CN", "VN"]}]), TODAY))
    assert (found["export_markets"]["outcome"], found["export_markets"]["explanation"]) == \
        (outcome, text)


def test_offer_criteria_default_to_the_offer_and_can_be_preferences_with_weights():
    criteria = [
        {"kind": "sectors", "required": False, "weight": 3},
        {"kind": "space", "value": 300, "required": False, "weight": 0.5},
        {"kind": "facilities", "required": False},
        {"kind": "incentives", "weight": 2},
    ]
    snapshot = demand(criteria=criteria)
    assert [(c["kind"], c["value"], c["required"], c["weight"])
            for c in domain.criteria_of(snapshot)] == [
        ("sectors", snapshot["sectors"], False, 3.0), ("space", 300, False, 0.5),
        ("facilities", snapshot["facilities"], False, 1.0),
        ("incentives", ["free_rent", "tax_benefits"], False, 2.0)]
    # a company in another sector, needing more space than this criterion
    # offers and a clean room: all preferences, so it still qualifies
    evaluation = domain.evaluate(company(sectors=["cloud"], facilities_needed=["clean_room"],
                                         incentives_wanted=["free_rent"]), snapshot, TODAY)
    assert evaluation["qualifies"] is True
    assert evaluation["score"] == round(100 * 2 / 6.5, 1)  # only incentives (2) of 6.5 met
    assert evaluation["summary"] == ("Korea-China High-Tech Valley, phase 1 sets no required "
                                     "criteria; 1 of 4 preferences met")


def test_default_demands_keep_the_former_behaviour():
    assert [(c["kind"], c["required"], c["weight"]) for c in domain.criteria_of(demand())] == [
        ("sectors", True, 1.0), ("space", True, 1.0), ("facilities", True, 1.0),
        ("min_patents", True, 2.0), ("min_years_since_founding", True, 1.0),
        ("funding_or_market_validation", True, 1.0), ("certification_any_of", True, 1.0),
        ("incentives", False, 1.0)]
    assert [c["kind"] for c in domain.criteria_of(demand(space_offered_m2=None))][:2] == \
        ["sectors", "facilities"]


@pytest.mark.parametrize("criterion, field, words", [
    ({"kind": "min_patents", "value": -1}, "value", "whole number"),
    ({"kind": "min_patents", "value": True}, "value", "whole number"),
    ({"kind": "min_years_since_founding", "value": "three"}, "value", "number of years"),
    ({"kind": "funding_or_market_validation", "value": False}, "value", "true"),
    ({"kind": "certification_any_of", "value": []}, "value", "non-empty list"),
    ({"kind": "certification_any_of", "value": ["kr_vc"]}, "value", "kr_venture"),
    ({"kind": "headcount", "value": {}}, "value", "min, a max or both"),
    ({"kind": "headcount", "value": {"min": 9, "max": 3}}, "value", "must not exceed"),
    ({"kind": "headcount", "value": 10}, "value", '"min"'),
    ({"kind": "export_markets", "value": []}, "value", "non-empty list"),
    ({"kind": "export_markets", "value": [" "]}, "value", "non-empty list"),
    ({"kind": "sectors", "value": ["teleportation"]}, "value", "sector codes"),
    ({"kind": "space", "value": -5}, "value", "whole number"),
    ({"kind": "facilities", "value": ["spa"]}, "value", "clean_room"),
    ({"kind": "incentives", "required": True}, "required", "only be a preference"),
    ({"kind": "min_patents", "value": 1, "weight": 0.125}, "weight", "hundredths"),
    ({"kind": "min_patents", "value": 1, "weight": 101}, "weight", ""),
    ({"kind": "guanxi", "value": 1}, "kind", ""),
])
def test_criterion_values_are_checked_per_kind_naming_the_field(criterion, field, words):
    errors = CriterionSchema().validate(criterion)
    assert field in errors, errors
    assert words in " ".join(errors[field])


def test_a_bad_criterion_in_a_demand_names_criteria_index_and_field():
    body = demand_body(criteria=[{"kind": "min_patents", "value": 1},
                                 {"kind": "headcount", "value": {"min": "many"}}])
    body.pop("valid_from", None)
    with pytest.raises(ValidationError) as caught:
        DemandPublication().load(body)
    assert list(caught.value.messages) == ["criteria"]
    assert list(caught.value.messages["criteria"]) == [1]
    assert "value" in caught.value.messages["criteria"][1]


# --- the score ------------------------------------------------------------------------

def test_sector_hierarchy_weights_in_the_score():
    only_sectors = demand(sectors=["biopharmaceuticals", "medical_devices"], criteria=[],
                          space_offered_m2=None, facilities=[], incentives=[])

    def sector_outcome(sectors):
        evaluation = domain.evaluate(company(sectors=sectors, facilities_needed=None),
                                     only_sectors, TODAY)
        outcome = by_kind(evaluation)["sectors"]
        return evaluation["qualifies"], evaluation["score"], outcome["credit"], \
            outcome["explanation"]

    assert sector_outcome(["biopharmaceuticals"]) == (
        True, 100.0, 1.0, "sectors in common: Biopharmaceuticals")
    assert sector_outcome(["biologics"]) == (
        True, 80.0, 0.8, "works in Biologics, a branch of Biopharmaceuticals (counts 80%)")
    assert sector_outcome(["health_care"]) == (
        True, 50.0, 0.5, "works in Health care, related to Medical devices (counts 50%)")
    assert sector_outcome(["cloud"])[:3] == (False, 0.0, 0.0)
    # the best relation counts: an exact code beats a child one
    assert sector_outcome(["biologics", "medical_devices"])[1] == 100.0


def test_a_biologics_company_ranks_below_an_exact_one_for_a_biopharma_demand():
    exact = domain.evaluate(company(sectors=["biopharmaceuticals"]), demand(), TODAY)
    child = domain.evaluate(company(sectors=["biologics"]), demand(), TODAY)
    assert exact["qualifies"] and child["qualifies"]
    assert exact["score"] == 100.0
    assert child["score"] == 97.5  # sectors (weight 1 of 8) earns 0.8
    assert [m["score"] for m in domain.ranked([
        {**child, "status": "active"}, {**exact, "status": "active"}])] == [100.0, 97.5]


def test_unknown_earns_half_credit_as_a_preference_and_never_passes_as_hard():
    prefs = [dict(c, required=False) for c in harbin_screening()]
    said_no = domain.evaluate(company(patents=0), demand(criteria=prefs), TODAY)
    silent = domain.evaluate(company(patents=None), demand(criteria=prefs), TODAY)
    said_yes = domain.evaluate(company(patents=4), demand(criteria=prefs), TODAY)
    assert said_no["score"] < silent["score"] < said_yes["score"]
    assert (said_no["score"], silent["score"], said_yes["score"]) == (75.0, 87.5, 100.0)
    assert by_kind(silent)["min_patents"]["credit"] == 0.5
    hard = domain.evaluate(company(patents=None), demand(), TODAY)
    assert hard["qualifies"] is False and hard["score"] == 87.5


def test_score_is_computed_in_whole_hundredths():
    outcomes = [{"weight": 0.33, "outcome": "met"}, {"weight": 0.67, "outcome": "not_met"}]
    assert domain.score(outcomes) == 33.0
    assert domain.score([{"weight": 1, "outcome": "met", "credit": 0.8},
                         {"weight": 2, "outcome": "unknown"}]) == 60.0
    assert domain.score([{"weight": 0, "outcome": "met"}]) == 0.0


# --- near misses --------------------------------------------------------------------------

@pytest.mark.parametrize("overrides, near_miss, gap_kinds", [
    ({}, False, []),                                                  # a match
    ({"patents": 0}, True, ["min_patents"]),
    ({"patents": 0, "certifications": None}, True, ["min_patents", "certification_any_of"]),
    ({"patents": 0, "certifications": None, "founded_on": None}, False,
     ["min_patents", "min_years_since_founding", "certification_any_of"]),    # three gaps
    ({"sectors": ["cloud"]}, False, []),                              # another industry
    ({"space_needed_m2": 60_000}, True, ["space"]),
])
def test_near_misses_fail_one_or_two_hard_criteria_but_never_the_sector(
        overrides, near_miss, gap_kinds):
    evaluation = domain.evaluate(company(**overrides), demand(), TODAY)
    assert evaluation["near_miss"] is near_miss
    assert [g["criterion"] for g in evaluation["gaps"]] == gap_kinds


def test_a_closed_demand_has_no_near_misses():
    assert domain.evaluate(company(patents=0), demand(status="closed"), TODAY)["near_miss"] \
        is False


GAP_TEXTS = [
    ({"patents": 0}, {
        "en": "needs 1 more patent: has 0, needs 1",
        "ko": "특허 1건 더 필요: 보유 0건, 필요 1건",
        "zh": "还需1项专利：现有0项，需要1项"}),
    ({"founded_on": "2023-03-16"}, {
        "en": "founded 2023-03-16, eligible from 2026-03-16",
        "ko": "2023년 3월 16일 설립, 2026년 3월 16일부터 자격 충족",
        "zh": "成立于2023年3月16日，自2026年3月16日起符合条件"}),
    ({"certifications": None}, {
        "en": "certification unknown: ask the company",
        "ko": "인증 정보 없음: 기업에 확인 필요",
        "zh": "资质认证未知：请向企业询问"}),
    ({"certifications": ["iso_9001"]}, {
        "en": "needs one of Korean venture certification, INNOBIZ: holds ISO 9001",
        "ko": "벤처기업 확인, 이노비즈 중 하나 필요: 현재 보유 인증은 ISO 9001",
        "zh": "需具备韩国风险企业认证、INNOBIZ技术创新型中小企业认证之一：目前持有ISO 9001"}),
    ({"funding_raised_krw": 0, "market_validation": False}, {
        "en": "needs funding or market validation: has neither",
        "ko": "투자 유치 또는 시장 검증 필요: 현재 둘 다 없음",
        "zh": "需要融资或市场验证：目前两者皆无"}),
    ({"space_needed_m2": 60_000}, {
        "en": "needs 60,000 m², 8,300 m² more than the 51,700 m² offered",
        "ko": "필요 면적 60,000 m²: 제공 가능 면적 51,700 m²보다 8,300 m² 부족",
        "zh": "需要60,000 m²，比可提供的51,700 m²多8,300 m²"}),
]


@pytest.mark.parametrize("overrides, texts", GAP_TEXTS)
def test_near_miss_gap_texts_in_three_languages(overrides, texts):
    evaluation = domain.evaluate(company(**overrides), demand(), TODAY)
    record = domain.near_miss_record(evaluation, None)
    assert len(record["gaps"]) == 1
    assert record["gaps"][0]["texts"] == texts
    for lang, text in texts.items():
        assert domain.localized_near_miss(record, lang)["gaps"][0]["text"] == text


def test_a_founding_gap_sets_the_day_to_look_again():
    record = domain.near_miss_record(
        domain.evaluate(company(founded_on="2023-03-16"), demand(), TODAY), None)
    assert record["recheck_on"] == "2026-03-16"
    assert domain.near_miss_record(
        domain.evaluate(company(patents=0), demand(), TODAY), None)["recheck_on"] is None


def test_near_misses_rank_fewest_gaps_then_score_then_company():
    def record(company_id, gaps, score):
        return {"company": {"company_id": company_id}, "gaps": [{}] * gaps, "score": score}
    records = [record("b", 2, 90.0), record("c", 1, 70.0), record("a", 1, 70.0),
               record("d", 1, 80.0)]
    assert [r["company"]["company_id"] for r in domain.ranked_near_misses(records)] == \
        ["d", "a", "c", "b"]


# --- the catalogue ----------------------------------------------------------------------------

def _fields(template):
    return sorted({(name, spec) for _, name, spec, _ in string.Formatter().parse(template)
                   if name})


@pytest.mark.parametrize("message_id", sorted(messages.MESSAGES))
def test_every_message_has_three_languages_with_the_same_parameters(message_id):
    templates = messages.MESSAGES[message_id]
    assert set(templates) == {"en", "ko", "zh"}
    names = {lang: sorted({name for name, _ in _fields(t)}) for lang, t in templates.items()}
    assert names["ko"] == names["en"] == names["zh"], names
    assert not re.search(r"[가-힣]", templates["en"]) and not re.search(r"[一-鿿]", templates["en"])
    words = re.sub(r"\{[^}]*\}", "", templates["en"])
    if re.search(r"[a-z]{3}", words):  # real words, not only parameters: translated
        assert re.search(r"[가-힣]", templates["ko"]), templates["ko"]
        assert re.search(r"[一-鿿]", templates["zh"]), templates["zh"]


def test_labels_exist_in_every_language_for_every_code():
    from services.contracts.vocabulary import CERTIFICATIONS, FACILITIES, INCENTIVES
    for table, codes in ((messages.CERTIFICATIONS, CERTIFICATIONS),
                         (messages.FACILITIES, FACILITIES), (messages.INCENTIVES, INCENTIVES)):
        assert set(table) == set(codes)
        assert all(set(labels) == {"en", "ko", "zh"} for labels in table.values())


def test_a_whole_match_reads_in_korean_and_chinese():
    evaluation = domain.evaluate(company(sectors=["biologics"]), demand(), TODAY)
    assert evaluation["summaries"] == {
        "en": "Meets all 7 required criteria of Korea-China High-Tech Valley, phase 1; works "
              "in Biologics, a branch of Biopharmaceuticals (counts 80%)",
        "ko": "Korea-China High-Tech Valley, phase 1의 필수 요건 7개 모두 충족; 바이오의약의 "
              "세부 업종인 바이오의약품(생물학적제제) 분야 기업 (80% 반영)",
        "zh": "满足Korea-China High-Tech Valley, phase 1的全部7项必备条件；企业从事生物制品，"
              "属于生物医药的细分领域（按80%计分）",
    }
    patents = by_kind(evaluation)["min_patents"]["explanations"]
    assert patents == {"en": "holds 3 patents; at least 1 required",
                       "ko": "특허 3건 보유, 최소 1건 필요",
                       "zh": "拥有3项专利，要求至少1项"}
    withdrawn = domain.evaluate(company(patents=0), demand(), TODAY)["withdrawn_reasons"]
    assert withdrawn == {
        "en": "required criteria not met: patents (holds 0 patents; at least 1 required)",
        "ko": "필수 요건 미충족: 특허 (특허 0건 보유, 최소 1건 필요)",
        "zh": "未满足必备条件：专利（拥有0项专利，要求至少1项）",
    }


def test_a_stored_match_renders_in_the_language_asked_for_and_unknown_languages_read_english():
    match, _ = domain.next_match(None, domain.evaluate(company(), demand(), TODAY), None)
    korean = domain.localized_match(match, "ko")
    assert korean["lang"] == "ko"
    assert korean["summary"] == match["summaries"]["ko"]
    assert korean["outcomes"][3]["explanation"] == "특허 3건 보유, 최소 1건 필요"
    assert domain.localized_match(match, "fr")["summary"] == match["summaries"]["en"]
    # a match stored before messages existed still reads (in English)
    legacy = {**match, "summary_message": None,
              "outcomes": [{k: v for k, v in o.items() if k != "message"}
                           for o in match["outcomes"]]}
    assert domain.localized_match(legacy, "zh")["summary"] == match["summary"]


def test_dates_numbers_and_money_follow_the_language():
    msg = messages.message("funding.met_funding", funding=2_000_000_000)
    assert messages.render_all(msg) == {
        "en": "raised 2,000,000,000 KRW; funding or market validation required",
        "ko": "투자 유치 2,000,000,000원; 투자 유치 또는 시장 검증 필요",
        "zh": "已融资2,000,000,000韩元；要求有融资或市场验证"}
    with pytest.raises(KeyError):
        messages.message("no.such.message")
