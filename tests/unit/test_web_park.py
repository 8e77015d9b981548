"""The park's demand form becomes the body POST /api/parks/<id>/demands and
PATCH /api/demands/<id> take (the criteria editor's fields especially),
profiles' refusals come back next to the right field in the page's
language, a stored demand comes back as the form, and the park's and the
directory's pages render in every language."""
from datetime import UTC, date, datetime

import pytest

from services.contracts.errors import InvalidInput
from services.platform.validation import load_input
from services.profiles.schemas import DemandPublication, DemandUpdate
from services.web import rendering
from services.web.pages import Visit
from services.web.pages.dashboards import context
from services.web.pages.directory import more_url
from services.web.pages.park import _form_context
from services.web.pages.park_form import (
    criterion_field,
    demand_body,
    field_errors,
    flat_names,
    form_state,
    typed_from_demand,
)

FORM = {"title": ["Bio valley, phase 2"], "sectors": ["바이오 의약, 医疗器械"],
        "space_offered_m2": ["12,000"], "places": ["3"], "facilities": ["lab", "office"],
        "valid_from": ["2026-01-01"], "valid_until": [""],
        "c_min_patents_mode": ["required"], "c_min_patents_weight": ["2"],
        "c_min_patents_value": ["1"],
        "c_headcount_mode": ["preference"], "c_headcount_weight": ["1.5"],
        "c_headcount_min": ["10"], "c_headcount_max": [""],
        "c_certification_any_of_mode": [""], "c_certification_any_of_value": ["kr_venture"],
        "c_sectors_mode": ["required"], "c_sectors_value": [""],
        "c_funding_or_market_validation_mode": ["preference"]}


def visit(form, lang="zh"):
    return Visit(lang=lang, path="/park/demands/new", form=form)


def refused(body, schema=DemandPublication, partial=False):
    with pytest.raises(InvalidInput) as refusal:
        load_input(schema(), body, partial=partial)
    return refusal.value.details


def test_the_form_and_its_criteria_become_the_api_body():
    body = demand_body(form_state(visit(FORM)))
    assert body["sectors"] == ["바이오 의약", "医疗器械"]
    assert body["space_offered_m2"] == 12000 and body["places"] == 3
    assert body["facilities"] == ["lab", "office"] and body["incentives"] == []
    assert body["valid_from"] == "2026-01-01" and body["valid_until"] is None
    assert body["criteria"] == [   # the vocabulary's order; unused kinds left out
        {"kind": "sectors", "value": None, "required": True},
        {"kind": "min_patents", "value": 1, "required": True, "weight": 2},
        {"kind": "funding_or_market_validation", "value": True, "required": False},
        {"kind": "headcount", "value": {"min": 10, "max": None}, "required": False,
         "weight": 1.5},
    ]
    loaded = load_input(DemandPublication(), body)
    assert loaded["sectors"] == ["biopharmaceuticals", "medical_devices"]


def test_sector_terms_of_a_criterion_resolve_to_codes_and_lists_split_on_any_comma():
    body = demand_body(form_state(visit({
        **FORM, "c_sectors_value": ["의료기기"], "c_export_markets_mode": ["preference"],
        "c_export_markets_value": ["CN，VN、 JP"]})))
    criteria = {c["kind"]: c for c in body["criteria"]}
    assert criteria["sectors"]["value"] == ["medical_devices"]
    assert criteria["export_markets"]["value"] == ["CN", "VN", "JP"]
    load_input(DemandPublication(), body)


def test_a_bad_criterion_value_is_named_next_to_its_field_in_chinese():
    form = {**FORM, "c_min_patents_value": ["two"], "c_headcount_min": ["30"],
            "c_headcount_max": ["5"], "c_funding_or_market_validation_weight": ["101"],
            "places": ["0"]}
    body = demand_body(form_state(visit(form)))
    details = refused(body)
    assert set(flat_names(details)) >= {"criteria.1.value", "criteria.2.weight",
                                        "criteria.3.value", "places"}
    errors = field_errors(details, "zh", body)
    assert errors["c_min_patents_value"] == ["请填写0或以上的整数。"]
    assert errors["c_headcount_value"] == ["最小值不能大于最大值。"]
    assert errors["c_funding_or_market_validation_weight"] == ["请填写0到100之间的权重。"]
    assert errors["places"] and errors["places"][0] != "must be 1 or more"


def test_missing_places_and_a_reversed_window_are_named_in_korean():
    body = demand_body(form_state(visit({**FORM, "places": [""]}, "ko")))
    errors = field_errors(refused(body), "ko", body)
    assert "places" in errors and errors["places"][0] != "Missing data for required field."
    body = demand_body(form_state(visit({**FORM, "valid_until": ["2025-01-01"]}, "ko")))
    errors = field_errors(refused(body), "ko", body)
    assert errors["valid_until"] == ["종료일은 시작일보다 앞설 수 없습니다."]


def test_an_unknown_sector_is_named_on_the_sectors_field():
    body = demand_body(form_state(visit({**FORM, "sectors": ["우주선"]}, "ko")))
    errors = field_errors(refused(body), "ko", body)
    assert errors["sectors"][0].startswith("알 수 없는 업종입니다: “우주선”")


def test_criterion_field_maps_positions_to_the_kind_sent_there():
    criteria = [{"kind": "sectors"}, {"kind": "headcount"}]
    assert criterion_field("criteria.1.value", criteria) == "c_headcount_value"
    assert criterion_field("criteria.0.weight", criteria) == "c_sectors_weight"
    assert criterion_field("criteria.0.required", criteria) == "c_sectors_mode"
    assert criterion_field("places", criteria) is None


def test_a_stored_demand_comes_back_as_the_form_and_saves_unchanged():
    typed = form_state(visit({**FORM, "status": ["closed"]}))
    stored = load_input(DemandPublication(), demand_body(typed))
    again = typed_from_demand({**stored, "status": "closed"}, "en")
    assert again["c_min_patents_mode"] == "required" and again["c_min_patents_value"] == "1"
    assert again["c_headcount_min"] == "10" and again["c_headcount_max"] == ""
    assert again["c_headcount_weight"] == "1.5" and again["status"] == "closed"
    assert again["sectors"] == "Biopharmaceuticals, Medical devices"
    body = demand_body(again, editing=True)
    assert load_input(DemandUpdate(), body, partial=True) == {**stored, "status": "closed"}


def test_more_url_keeps_the_search_and_sets_the_cursor():
    shown = Visit(lang="ko", path="/directory/parks?q=bio&cursor=old",
                  args={"q": "bio", "cursor": "old"})
    assert more_url(shown, "next") == "/directory/parks?q=bio&cursor=next"
    assert more_url(shown, None) is None
    assert more_url(shown, "n2", "near_cursor") == \
        "/directory/parks?q=bio&cursor=old&near_cursor=n2"


DEMAND = {"id": "d-1", "park_id": "p-1", "title": "Bio valley", "sectors": ["medical_devices"],
          "places": 3, "status": "open", "valid_from": date(2026, 1, 1), "valid_until": None,
          "space_offered_m2": 500, "criteria": []}
PARK = {"id": "p-1", "names": {"zh": "苏州工业园区"}, "level": "national",
        "region": {"country": "CN", "province": "Jiangsu", "city": "Suzhou"},
        "open_demands": [DEMAND]}
ROUND = {"round_id": "r-1", "created_at": datetime(2026, 3, 1, tzinfo=UTC),
         "summary": {"demands": 1, "companies": 1, "places": 1, "placed": 0, "unplaced": 1},
         "demands": [{"demand_id": "d-1", "title": "Bio valley", "places": 1, "candidates": 2,
                      "admitted": [{"company_id": "c-2", "score": 90.0, "rank": 1}]}],
         "companies": [{"company_id": "c-1", "names": {"ko": "한빛"}, "demand_id": None,
                        "why_not": [{"demand_id": "d-1", "text": "full"}]},
                       {"company_id": "c-2", "names": {"en": "Daol"}, "demand_id": "d-1",
                        "why_not": []}]}


@pytest.mark.parametrize("lang", ["ko", "zh", "en"])
def test_the_pages_render_in_every_language(lang):
    def page(template, values):
        return rendering.render(template, {"csrf_token": "t", "path": "/", **values}, lang)

    refused_form = _form_context(visit(FORM, lang), form_state(visit(FORM, lang)),
                                 {"c_min_patents_value": ["bad"]})
    html = page("park_demand_form.html", refused_form)
    assert 'id="c_min_patents_value-error">bad<' in html and 'value="Bio valley, phase 2"' in html
    assert 'aria-invalid="true"' in html
    page("park_demand_form.html", _form_context(visit({}, lang), {"places": "1"}, demand=DEMAND))
    page("park_demand.html", context(demand=DEMAND, matches=[], near_misses=[],
                                     introductions={}, more_matches="/x?cursor=c"))
    page("park_rounds.html", context(rounds=[ROUND], more=None))
    html = page("park_round.html", context(round=ROUND, names={"c-2": {"en": "Daol"}},
                                           titles={"d-1": "Bio valley"}))
    assert "Daol" in html and "full" in html
    html = page("directory_parks.html", {"q": "bio", "parks": [PARK], "more": "/m",
                                         "sector_labels": [], "errors": {}})
    assert "Bio valley" in html and 'rel="next"' in html
    page("directory_park.html", {"park": PARK, "demands": [DEMAND], "more": None})
    page("directory_companies.html", {"q": "", "sector": "x", "sector_labels": [],
                                      "companies": [], "more": None,
                                      "errors": {"sector": ["unknown"]}})
    page("directory_company.html", {"company": {"id": "c", "names": {"en": "A"},
                                                "country": "KR", "sectors": ["software"],
                                                "patents": 0, "contact": None}})
