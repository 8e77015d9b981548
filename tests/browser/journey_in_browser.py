"""The browser half of test_web_journey.py, run by it in a child pytest
(no eventlet here). Every step asserts what a person sees on the page.

PARKMATCH_SCREENSHOTS=<dir> also saves the main pages in ko, zh and en there
(docs/screenshots/ holds the committed ones)."""
import email
import email.policy
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

WEB = os.environ.get("PM_WEB_URL", "")
MAIL_DIR = Path(os.environ.get("PM_MAIL_DIR", "."))
PARK_EMAIL = os.environ.get("PM_PARK_EMAIL", "")
DEMAND_TITLE = os.environ.get("PM_DEMAND_TITLE", "")
DEMAND_ID = os.environ.get("PM_DEMAND_ID", "")
PARTNER_ID = os.environ.get("PM_PARTNER_ID", "")
PARTNER_NAME = os.environ.get("PM_PARTNER_NAME", "")
PARTNER_EMAIL = os.environ.get("PM_PARTNER_EMAIL", "")
SHOTS = os.environ.get("PARKMATCH_SCREENSHOTS")
AXE = Path(__file__).resolve().parents[2] / "services/web/static/vendor/axe-core-4.14.1.min.js"
COMPANY_EMAIL = "jiwoo@hanbit.example"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
HAN = re.compile(r"[\u4e00-\u9fff]")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def mail_to(address, after=0, timeout=30, about=None):
    """The newest e-mail to `address` beyond the first `after` of them (only
    those whose text holds `about`, when given: people get alerts too)."""
    deadline = time.monotonic() + timeout
    while True:
        found = []
        for path in sorted(MAIL_DIR.glob("*.eml"), key=lambda p: int(p.name.split("-")[0])):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address in str(message["To"]) and (about is None or about in text_of(message)):
                found.append(message)
        if len(found) > after:
            return found[-1]
        assert time.monotonic() < deadline, f"no e-mail to {address} in {timeout}s"
        time.sleep(0.3)


def mail_with(address, pattern, timeout=30):
    """The text `pattern` finds in an e-mail to `address` (whichever order
    the e-mails arrived in)."""
    deadline = time.monotonic() + timeout
    while True:
        for path in sorted(MAIL_DIR.glob("*.eml"), key=lambda p: int(p.name.split("-")[0])):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address in str(message["To"]):
                found = re.search(pattern, text_of(message))
                if found:
                    return message, found.group(0)
        assert time.monotonic() < deadline, f"no e-mail to {address} with {pattern} in {timeout}s"
        time.sleep(0.3)


def text_of(message):
    return message.get_body(preferencelist=("plain", "html")).get_content()


def sign_in_link(message):
    found = re.search(re.escape(WEB) + r"/sign-in/[A-Za-z0-9_\-]+", text_of(message))
    assert found, text_of(message)
    return found.group(0)


def no_serious_accessibility_violations(context, url):
    """axe-core (vendored) in the page: no serious or critical violation.
    Its own context bypasses the CSP only to inject axe."""
    page = context.new_page()
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => { const r = await axe.run(); return {passes: "
                           "r.passes.length, violations: r.violations.map(v => ({id: v.id, "
                           "impact: v.impact, nodes: v.nodes.length}))}; }")
    page.close()
    assert result["passes"] > 10, f"axe checked hardly anything on {url}: {result}"
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{url}: {bad}"


def shoot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def reload_until(page, locator, timeout=30):
    deadline = time.monotonic() + timeout
    while not locator.count():
        assert time.monotonic() < deadline, f"{locator} never appeared on {page.url}"
        time.sleep(0.5)
        page.reload()


def register_company_in_korean(page):
    page.goto(f"{WEB}/")
    page.get_by_role("link", name="한국어").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    page.get_by_role("link", name="기업 등록").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("기업 등록")
    page.get_by_label("한국어 이름").fill("한빛바이오")
    page.get_by_label("국가(두 글자 코드) *").fill("Korea")  # wrong on purpose
    page.get_by_label("업종 *").fill("바이오 의약")
    page.get_by_label("설립일").fill("2019-03-15")
    page.get_by_label("보유 특허 수").fill("2")
    page.get_by_label("투자 유치액(원)").fill("1500000000")
    page.get_by_label("벤처기업확인").check()
    page.get_by_label("담당자").fill("이지우")
    page.get_by_label("이메일 주소 *").fill(COMPANY_EMAIL)
    page.get_by_role("button", name="등록하기").click()
    # the Korean message next to the field; everything typed is still there
    expect(page.locator("#country-error")).to_have_text(
        "ISO 3166 두 글자 국가 코드를 입력하세요(예: KR).")
    expect(page.get_by_label("국가(두 글자 코드) *")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("한국어 이름")).to_have_value("한빛바이오")
    expect(page.get_by_label("업종 *")).to_have_value("바이오 의약")
    expect(page.get_by_label("벤처기업확인")).to_be_checked()
    expect(page.get_by_label("이메일 주소 *")).to_have_value(COMPANY_EMAIL)
    shoot(page, "register-company-errors-ko")
    page.get_by_label("국가(두 글자 코드) *").fill("KR")
    page.get_by_role("button", name="등록하기").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("이메일을 확인하세요")
    expect(page.get_by_text("기업 등록이 완료되었습니다.")).to_be_visible()


def sign_in_mail(address, after=0):
    """The newest e-mail to `address` that carries a sign-in link."""
    return mail_to(address, after=after, about="/sign-in/")


def follow_sign_in_link(page, message, button):
    """Opening the link twice (as a mail scanner would first) uses nothing
    up: only the button's POST signs in."""
    page.goto(sign_in_link(message))
    page.reload()
    page.get_by_role("button", name=button).click()


def test_journey(browser):
    company_ctx = browser.new_context(locale="ko-KR")
    company = company_ctx.new_page()
    register_company_in_korean(company)

    welcome, _ = mail_with(COMPANY_EMAIL, re.escape(WEB) + r"/sign-in/")
    assert HANGUL.search(str(welcome["Subject"]) + text_of(welcome)), text_of(welcome)
    follow_sign_in_link(company, welcome, "지금 로그인")
    expect(company).to_have_url(f"{WEB}/company")
    session = next(c for c in company_ctx.cookies() if c["name"] == "pm_session")
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    expect(company.get_by_role("heading", level=1)).to_have_text("한빛바이오")
    match = company.locator("article.match")
    reload_until(company, match)
    expect(match.get_by_role("heading", level=3)).to_contain_text(DEMAND_TITLE)
    expect(match.locator(".score")).to_contain_text("점수:")
    for criterion in ("업종", "특허", "업력", "투자 유치 또는 시장 검증", "인증"):
        expect(match.locator("th", has_text=criterion).first).to_be_visible()
    explanations = match.locator("table.criteria td:nth-child(3)").all_inner_texts()
    assert explanations and all(HANGUL.search(text) for text in explanations), explanations
    shoot(company, "company-dashboard-ko")

    park_ctx = browser.new_context(locale="zh-CN")
    park = park_ctx.new_page()
    park.goto(f"{WEB}/sign-in")
    expect(park.locator("html")).to_have_attribute("lang", "zh")
    sent_before = 1  # the link enrol_owner sent
    park.get_by_label("电子邮件地址").fill(PARK_EMAIL)
    park.get_by_role("button", name="发送登录链接").click()
    expect(park.get_by_role("heading", level=1)).to_have_text("请查看您的电子邮件")
    follow_sign_in_link(park, sign_in_mail(PARK_EMAIL, after=sent_before), "立即登录")
    expect(park).to_have_url(f"{WEB}/park")
    park.get_by_role("link", name=DEMAND_TITLE).click()
    candidate = park.locator("article.match", has_text="한빛바이오")
    reload_until(park, candidate)
    gaps = candidate.locator("table.criteria td:nth-child(3)").all_inner_texts()
    assert gaps and all(HAN.search(text) for text in gaps), gaps
    partner_ctx = browser.new_context(locale="en-GB")
    partner = partner_sees_the_alert(partner_ctx)
    expect(funnel_count(partner, "introductions_requested")).to_have_text("0")

    request_introduction(park, candidate)
    expect(candidate.locator(".state")).to_have_text("引荐：已请求")
    shoot(park, "park-demand-zh")

    # the company accepts from the link in the request's e-mail
    _, accept_link = mail_with(COMPANY_EMAIL, re.escape(WEB) + r"/company/introductions/[\w-]+")
    company.goto(accept_link)
    expect(company).to_have_url(re.compile(re.escape(f"{WEB}/company") + r"#introductions$"))
    request = company.locator("article.introduction")
    expect(request).to_contain_text("상태: 요청됨")
    request.get_by_role("button", name="수락하고 연락처 공유").click()
    expect(company.get_by_role("status")).to_have_text(
        "소개를 수락했습니다. 이제 서로의 연락처를 볼 수 있습니다.")
    expect(company.locator("article.introduction")).to_contain_text(PARK_EMAIL)

    park.reload()
    candidate = park.locator("article.match", has_text="한빛바이오")
    expect(candidate.locator(".state")).to_have_text("引荐：已接受")
    expect(candidate.locator("dl.contacts")).to_contain_text(COMPANY_EMAIL)

    # the partner's funnel moved: the match, the request it brokers, its acceptance
    partner.reload()
    for stage in ("matches", "introductions_requested", "introductions_accepted"):
        expect(funnel_count(partner, stage)).to_have_text("1")
    shoot(partner, "partner-dashboard-en")

    audit_pages(browser, company_ctx, park_ctx, partner_ctx)
    if SHOTS:
        screenshots_in_every_language(company_ctx, park_ctx)


def partner_sees_the_alert(context):
    """The partner signs in by its enrolment e-mail's link and finds the
    company's match among its alerts, and in its funnel."""
    page = context.new_page()
    follow_sign_in_link(page, sign_in_mail(PARTNER_EMAIL), "Sign in now")
    expect(page).to_have_url(f"{WEB}/partner")
    expect(page.get_by_role("heading", level=1)).to_have_text(PARTNER_NAME)
    page.get_by_role("navigation", name="Partner pages").get_by_role("link",
                                                                     name="Alerts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alerts")
    alert = page.locator("tr.alert-row", has_text="한빛바이오")
    reload_until(page, alert)
    expect(alert).to_contain_text("New match")
    expect(alert).to_contain_text(DEMAND_TITLE)
    page.get_by_role("link", name="Overview").click()
    expect(funnel_count(page, "matches")).to_have_text("1")
    return page


def funnel_count(page, stage):
    return page.locator(f'table.funnel tr[data-stage="{stage}"] td').first


def request_introduction(park, candidate, timeout=30):
    """agreements hears of the match over the broker a moment after matching
    found it: until then the request is refused and the page says so."""
    deadline = time.monotonic() + timeout
    while True:
        candidate.get_by_label("协助引荐的合作伙伴（ID，可选）").fill(PARTNER_ID)
        candidate.get_by_role("button", name="请求引荐").click()
        park.wait_for_load_state()
        if park.get_by_role("status").count():
            expect(park.get_by_role("status")).to_have_text(
                "已发送引荐请求，是否共享联系方式由企业决定。")
            return
        assert time.monotonic() < deadline, park.content()[-2000:]
        time.sleep(0.5)
        park.goto(f"{WEB}/park/demands/{DEMAND_ID}")


def audit_pages(browser, company_ctx, park_ctx, partner_ctx):
    for signed_in, paths in ((None, ("/", "/sign-in", "/register/company")),
                             (company_ctx, ("/company",)),
                             (park_ctx, ("/park", f"/park/demands/{DEMAND_ID}")),
                             (partner_ctx, ("/partner", "/partner/alerts",
                                            "/partner/deliveries", "/partner/agreements"))):
        audit = browser.new_context(bypass_csp=True)
        if signed_in:
            audit.add_cookies(signed_in.cookies())
        for path in paths:
            no_serious_accessibility_violations(audit, WEB + path)
        audit.close()


def screenshots_in_every_language(company_ctx, park_ctx):
    for context, pages in ((company_ctx, ("/", "/register/company", "/company")),
                           (park_ctx, (f"/park/demands/{DEMAND_ID}",))):
        page = context.new_page()
        page.set_viewport_size({"width": 1000, "height": 700})
        for lang in ("ko", "zh", "en"):
            for path in pages:
                page.goto(f"{WEB}/language/{lang}?next={path}")
                name = {"/": "landing", "/register/company": "register-company",
                        "/company": "company-dashboard"}.get(path, "park-demand")
                shoot(page, f"{name}-{lang}")
        page.close()
