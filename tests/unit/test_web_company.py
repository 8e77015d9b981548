"""The company's profile form: a stored profile shown as the fields a
person would type, which the form turns back into the same PATCH body, and
profiles' refusals next to the fields in the page's language; the pages
render their lists with a next-page link."""
import pytest

from services.contracts.errors import InvalidInput
from services.platform.validation import load_input
from services.profiles.schemas import CompanyUpdate
from services.web import rendering
from services.web.pages import Visit
from services.web.pages.company import typed_from
from services.web.pages.errors import by_field
from services.web.pages.register import company_body

STORED = {"id": "c-1", "names": {"ko": "한빛바이오", "en": "Hanbit Bio"}, "country": "KR",
          "sectors": ["biopharmaceuticals", "medical_devices"], "founded_on": "2019-03-15",
          "patents": 2, "funding_raised_krw": None, "space_needed_m2": 400, "headcount": 0,
          "certifications": ["kr_venture"], "market_validation": True,
          "contact": {"person": "이지우", "email": "jiwoo@hanbit.example", "phone": None}}
BASE = {"csrf_token": "t", "path": "/company/profile", "actor": {"kind": "company", "id": "c-1"},
        "person": None}


def as_form(typed):
    return {name: [value] for name, value in typed.items()}


def test_a_stored_profile_is_shown_as_typed_in_the_pages_language():
    typed = typed_from(STORED, "ko")
    assert typed["name_ko"] == "한빛바이오" and typed["name_zh"] == ""
    assert typed["sectors"] == "바이오의약, 의료기기"
    assert (typed["patents"], typed["funding_raised_krw"], typed["headcount"]) == ("2", "", "0")
    assert typed["contact_email"] == "jiwoo@hanbit.example" and typed["contact_phone"] == ""


def test_the_shown_profile_saved_unchanged_is_a_valid_patch_of_the_same_values():
    form = {**as_form(typed_from(STORED, "zh")), "certifications": ["kr_venture"],
            "market_validation": ["1"]}
    body = load_input(CompanyUpdate(), company_body(Visit(lang="zh", path="/", form=form)),
                      partial=True)
    assert body["sectors"] == ["biopharmaceuticals", "medical_devices"]
    assert body["names"]["ko"] == "한빛바이오" and body["patents"] == 2
    assert body["funding_raised_krw"] is None and body["headcount"] == 0


def test_a_bad_value_is_refused_by_name_in_korean():
    form = {**as_form(typed_from(STORED, "ko")), "patents": ["둘"], "country": ["Korea"]}
    with pytest.raises(InvalidInput) as refused:
        load_input(CompanyUpdate(), company_body(Visit(lang="ko", path="/", form=form)),
                   partial=True)
    errors = by_field(refused.value.details, "ko")
    assert errors["patents"] == ["정수를 입력하세요."]
    assert errors["country"] == ["ISO 3166 두 글자 국가 코드를 입력하세요(예: KR)."]


def test_the_profile_page_keeps_what_was_typed_and_shows_the_message_at_the_field():
    from services.web.pages.register import _form_context
    visit = Visit(lang="ko", path="/", form={**as_form(typed_from(STORED, "ko")),
                                             "patents": ["둘"]})
    shown = _form_context(visit, {"patents": ["정수를 입력하세요."]})
    html = rendering.render("company_profile.html", {**BASE, **shown, "editing": True}, "ko")
    assert 'id="patents-error">정수를 입력하세요.' in html
    assert 'value="둘"' in html and "저장되지 않았습니다" in html
    assert "We send the sign-in link here." not in html and "로그인 링크" not in html


@pytest.mark.parametrize("lang, more", [("ko", "더 보기"), ("zh", "更多"), ("en", "More")])
def test_each_list_of_the_dashboard_links_its_next_page(lang, more):
    html = rendering.render("company.html", {
        **BASE, "company": STORED, "matches": [], "matches_next": "M1",
        "near_misses": [{"demand": {"park_names": {"en": "Binxian"}, "title": "Phase 1"},
                         "gaps": [{"criterion": "min_patents", "text": "needs 1 more patent"}],
                         "recheck_on": None}],
        "near_misses_next": None, "introductions": [], "introductions_next": "I1",
        "demands": {}, "criteria": {"min_patents": "Patents"}, "outcomes": {},
        "statuses": {}}, lang)
    assert f'href="?matches_cursor=M1#matches">{more}</a>' in html
    assert f'href="?introductions_cursor=I1#introductions">{more}</a>' in html
    assert "near_misses_cursor" not in html
    assert "needs 1 more patent" in html
