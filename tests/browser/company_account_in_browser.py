"""The browser half of test_company_account.py, run by it in a child pytest
(no eventlet here). Every step asserts what a person sees on the page."""
import os
import re
import shutil

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from tests.browser.journey_in_browser import (
    CHROMIUM_ARGS,
    HANGUL,
    follow_sign_in_link,
    mail_to,
    no_serious_accessibility_violations,
    reload_until,
    shoot,
    sign_in_mail,
    text_of,
)

WEB = os.environ.get("PM_WEB_URL", "")
API = os.environ.get("PM_API_URL", "")
COMPANY_ID = os.environ.get("PM_COMPANY_ID", "")
OWNER_EMAIL = os.environ.get("PM_OWNER_EMAIL", "")
NEAR_TITLE = os.environ.get("PM_NEAR_TITLE", "")
COLLEAGUE_EMAIL = "sumin@hanbit.example"


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def invitation_link(message):
    found = re.search(re.escape(WEB) + r"/invitations/[A-Za-z0-9_\-]+", text_of(message))
    assert found, text_of(message)
    return found.group(0)


def edit_profile_in_korean(page):
    page.goto(f"{WEB}/company")
    page.get_by_role("link", name="프로필 수정").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("프로필 수정")
    expect(page.get_by_label("한국어 이름")).to_have_value("한빛바이오")
    page.get_by_label("보유 특허 수").fill("열 개")  # not a number, on purpose
    page.get_by_label("직원 수").fill("30")
    page.get_by_role("button", name="프로필 저장").click()
    expect(page.locator("#patents-error")).to_have_text("정수를 입력하세요.")
    expect(page.get_by_label("보유 특허 수")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("보유 특허 수")).to_have_value("열 개")
    expect(page.get_by_label("직원 수")).to_have_value("30")
    shoot(page, "company-profile-errors-ko")
    stored = page.context.request.get(f"{WEB}/company")  # nothing stored on a refused save
    assert "<dd>3</dd>" in stored.text() and "<dd>30</dd>" not in stored.text()
    page.get_by_label("보유 특허 수").fill("4")
    page.get_by_role("button", name="프로필 저장").click()
    expect(page.get_by_role("status")).to_contain_text("프로필을 저장했습니다.")
    expect(page.get_by_label("보유 특허 수")).to_have_value("4")
    expect(page.get_by_label("직원 수")).to_have_value("30")


def near_miss_with_its_gap(page):
    page.goto(f"{WEB}/company")
    # the saved profile (4 patents) is matched again a moment later: 6 more, has 4, needs 10
    miss = page.locator("article.near-miss", has_text=NEAR_TITLE).filter(has_text="6")
    reload_until(page, miss)
    gap = miss.locator("ul.gaps li").first.inner_text()
    assert HANGUL.search(gap) and "10" in gap and "4" in gap, gap
    shoot(page, "company-near-misses-ko")


def invite_a_colleague(browser, page):
    page.get_by_role("link", name="사람").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("조직의 사람들")
    page.get_by_label("이름 *").fill("박수민")
    page.get_by_label("이메일 주소 *").fill(COLLEAGUE_EMAIL)
    page.get_by_label("이메일 언어").select_option("ko")
    page.get_by_role("button", name="초대 보내기").click()
    expect(page.get_by_role("status")).to_contain_text("초대를 보냈습니다.")

    invitation = mail_to(COLLEAGUE_EMAIL)
    colleague_ctx = browser.new_context(locale="ko-KR")
    colleague = colleague_ctx.new_page()
    colleague.goto(invitation_link(invitation))
    colleague.reload()  # a mail scanner's visit uses nothing up
    colleague.get_by_role("button", name="초대 수락").click()
    expect(colleague).to_have_url(f"{WEB}/company")
    expect(colleague.get_by_role("heading", level=1)).to_have_text("한빛바이오")
    assert any(c["name"] == "pm_session" for c in colleague_ctx.cookies())
    colleague_ctx.close()
    page.reload()
    expect(page.locator("table.people")).to_contain_text(COLLEAGUE_EMAIL)


def create_and_revoke_an_api_key(page):
    page.get_by_role("link", name="API 키").click()
    page.get_by_label("이름표 *").fill("CRM 동기화")
    page.get_by_role("button", name="키 만들기").click()
    expect(page.get_by_role("alert")).to_contain_text("이번 한 번만 표시되며")
    key = page.locator("#new-api-key").inner_text().strip()
    assert len(key) > 20
    read = requests.get(f"{API}/api/companies/{COMPANY_ID}",
                        headers={"Authorization": f"Bearer {key}"}, timeout=30)
    assert read.status_code == 200, read.text
    page.get_by_role("link", name="API 키로 돌아가기").click()
    row = page.locator("table.api-keys tr", has_text="CRM 동기화")
    expect(row).to_contain_text(key[:16])
    assert key not in page.content()  # listed by prefix only
    row.get_by_role("button", name="CRM 동기화 폐기").click()
    expect(page.get_by_role("status")).to_contain_text("키를 폐기했습니다.")
    revoked = requests.get(f"{API}/api/companies/{COMPANY_ID}",
                           headers={"Authorization": f"Bearer {key}"}, timeout=30)
    assert revoked.status_code == 401, revoked.text


def read_the_inbox(page):
    page.goto(f"{WEB}/account/alerts")
    unread = page.locator("article.alert-item.unread")
    reload_until(page, unread)
    expect(page.locator("header.site")).to_contain_text("읽지 않음")
    first = unread.first
    assert HANGUL.search(first.inner_text()), first.inner_text()
    before = unread.count()
    first.get_by_role("button", name="읽음으로 표시").click()
    expect(page.locator("article.alert-item.unread")).to_have_count(before - 1)
    page.get_by_label("하루 한 번 요약으로").check()
    page.get_by_label("일일 요약 발송 시각").select_option("8")
    page.get_by_label("시간대").fill("Asia/Seoul")
    page.get_by_role("button", name="설정 저장").click()
    expect(page.get_by_role("status")).to_contain_text("알림 설정을 저장했습니다.")
    expect(page.get_by_label("하루 한 번 요약으로")).to_be_checked()


def language_switch_is_kept_for_emails(page):
    page.goto(f"{WEB}/account/people")
    owner = page.locator("table.people tr", has_text=OWNER_EMAIL)
    expect(owner).to_contain_text("한국어")
    page.get_by_role("link", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh")
    expect(page.locator("table.people tr", has_text=OWNER_EMAIL)).to_contain_text("中文")


def test_company_and_account_pages(chromium):
    browser = chromium
    context = browser.new_context(locale="ko-KR")
    page = context.new_page()
    follow_sign_in_link(page, sign_in_mail(OWNER_EMAIL), "지금 로그인")
    expect(page).to_have_url(f"{WEB}/company")

    edit_profile_in_korean(page)
    near_miss_with_its_gap(page)
    invite_a_colleague(browser, page)
    create_and_revoke_an_api_key(page)
    read_the_inbox(page)
    language_switch_is_kept_for_emails(page)

    audit = browser.new_context(bypass_csp=True)
    audit.add_cookies(context.cookies())
    for path in ("/company", "/company/profile", "/company/agreements", "/account/people",
                 "/account/api-keys", "/account/alerts"):
        no_serious_accessibility_violations(audit, WEB + path)
    audit.close()
    context.close()
