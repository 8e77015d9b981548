"""The registration form becomes the body POST /api/companies takes, and
profiles' own validation messages come back next to each field in the
page's language."""
import pytest

from services.contracts.errors import InvalidInput
from services.platform.validation import load_input
from services.profiles.schemas import CompanyRegistration
from services.web.pages import Visit
from services.web.pages.errors import by_field
from services.web.pages.register import company_body

FORM = {"name_ko": ["한빛바이오"], "country": ["Korea"], "sectors": ["바이오 의약, 우주선"],
        "patents": ["two"], "contact_email": ["not-an-email"], "certifications": ["kr_venture"]}


def refused(body):
    with pytest.raises(InvalidInput) as refusal:
        load_input(CompanyRegistration(), body)
    return refusal.value.details


def test_the_form_becomes_the_api_body():
    body = company_body(Visit(lang="ko", path="/", form={
        **FORM, "country": ["kr"], "patents": ["1,200"], "market_validation": ["1"]}))
    assert body["names"] == {"ko": "한빛바이오", "zh": None, "en": None}
    assert body["country"] == "KR" and body["patents"] == 1200
    assert body["sectors"] == ["바이오 의약", "우주선"]
    assert body["market_validation"] is True and body["certifications"] == ["kr_venture"]


def test_each_bad_field_gets_its_message_in_korean():
    details = refused(company_body(Visit(lang="ko", path="/", form=FORM)))
    errors = by_field(details, "ko")
    assert errors["country"] == ["ISO 3166 두 글자 국가 코드를 입력하세요(예: KR)."]
    assert errors["patents"] == ["정수를 입력하세요."]
    assert errors["contact_email"] == ["올바른 이메일 주소가 아닙니다."]
    assert errors["sectors"][0].startswith("알 수 없는 업종입니다: “우주선”")


def test_a_missing_name_is_shown_at_the_names_in_chinese():
    details = refused(company_body(Visit(lang="zh", path="/", form={
        **FORM, "name_ko": [""]})))
    assert by_field(details, "zh")["names"] == ["请至少用韩文、中文或英文中的一种填写名称。"]


def test_a_message_the_catalogue_lacks_is_shown_as_it_came():
    assert by_field({"x": ["something new"]}, "ko") == {"x": ["something new"]}
