"""The browser half of test_park_pages.py, run by it in a child pytest (no
eventlet here). Every step asserts what a person sees on the page."""
import email
import email.policy
import os
import re
import time

from playwright.sync_api import expect

from tests.browser.journey_in_browser import (  # noqa: F401  browser is a fixture
    HAN,
    MAIL_DIR,
    WEB,
    browser,
    no_serious_accessibility_violations,
    reload_until,
    shoot,
    text_of,
)

PARK_EMAIL = os.environ.get("PM_PARK_EMAIL", "")
COMPANY_EMAIL = os.environ.get("PM_COMPANY_EMAIL", "")
PARK_NAME_KO = os.environ.get("PM_PARK_NAME_KO", "")
# a Chinese page shows a name in zh, else en, else ko
COMPANY_NAME_IN_ZH = os.environ.get("PM_COMPANY_NAME_EN", "")
PARK_ID = os.environ.get("PM_PARK_ID", "")
TITLE = "医疗器械企业入驻计划"


def mails_to(address):
    """The e-mails `address` received so far, oldest first (the link
    enrol_owner sent, match alerts, sign-in links...)."""
    found = []
    for path in sorted(MAIL_DIR.glob("*.eml"), key=lambda p: int(p.name.split("-")[0])):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address in str(message["To"]):
            found.append(message)
    return found


def link_sent_to(address, before, timeout=30):
    """The sign-in link of an e-mail to `address` beyond the first `before`
    (an alert may arrive before or after it)."""
    link = re.compile(re.escape(WEB) + r"/sign-in/[A-Za-z0-9_\-]+")
    deadline = time.monotonic() + timeout
    while True:
        for message in mails_to(address)[before:]:
            found = link.search(text_of(message))
            if found:
                return found.group(0)
        assert time.monotonic() < deadline, f"no sign-in link sent to {address}"
        time.sleep(0.3)


def sign_in(context, address, field, send, button):
    """Through the sign-in page, with the link of the e-mail it sends."""
    page = context.new_page()
    page.goto(f"{WEB}/sign-in")
    page.get_by_label(field).fill(address)
    before = len(mails_to(address))
    page.get_by_role("button", name=send).click()
    page.goto(link_sent_to(address, before))
    page.get_by_role("button", name=button).click()
    return page


def publish_with_a_bad_value_first(park):
    park.get_by_role("link", name="发布需求").click()
    expect(park.get_by_role("heading", level=1)).to_have_text("发布需求")
    park.get_by_label("标题 *").fill(TITLE)
    park.get_by_label("行业 *").fill("医疗器械")
    park.get_by_label("名额 *").fill("2")
    park.locator("#facilities-lab").check()        # the company needs a lab
    park.locator("#c_min_patents_mode").select_option("required")
    park.locator("#c_min_patents_value").fill("两个")           # not a number
    park.locator("#c_certification_any_of_mode").select_option("preference")
    park.locator("#c_certification_any_of_weight").fill("2.5")
    park.locator("#c_certification_any_of_value-kr_venture").check()
    park.get_by_role("button", name="发布", exact=True).click()
    expect(park.locator("#c_min_patents_value-error")).to_have_text("请填写0或以上的整数。")
    expect(park.locator("#c_min_patents_value")).to_have_attribute("aria-invalid", "true")
    expect(park.get_by_label("标题 *")).to_have_value(TITLE)
    expect(park.get_by_label("行业 *")).to_have_value("医疗器械")
    expect(park.locator("#c_min_patents_value")).to_have_value("两个")
    expect(park.locator("#c_min_patents_mode")).to_have_value("required")
    expect(park.locator("#c_certification_any_of_weight")).to_have_value("2.5")
    expect(park.locator("#c_certification_any_of_value-kr_venture")).to_be_checked()
    expect(park.locator("#facilities-lab")).to_be_checked()
    shoot(park, "park-demand-form-errors-zh")
    park.locator("#c_min_patents_value").fill("1")
    park.get_by_role("button", name="发布", exact=True).click()
    expect(park.get_by_role("status")).to_contain_text("需求已发布")
    expect(park.get_by_role("heading", level=1)).to_have_text(TITLE)
    return re.search(r"/park/demands/([^/?#]+)", park.url).group(1)


def test_park_pages_and_directory(browser):  # noqa: F811  the imported fixture
    park_ctx = browser.new_context(locale="zh-CN")
    park = sign_in(park_ctx, PARK_EMAIL, "电子邮件地址", "发送登录链接", "立即登录")
    expect(park).to_have_url(f"{WEB}/park")
    demand_id = publish_with_a_bad_value_first(park)

    candidate = park.locator("article.match", has_text=COMPANY_NAME_IN_ZH)
    try:
        reload_until(park, candidate)
    except AssertionError:  # say what the page showed instead
        raise AssertionError(park.inner_text("main")) from None
    rows = candidate.locator("table.criteria tbody tr")
    expect(rows.filter(has_text="专利").first).to_contain_text("必需")
    expect(rows.filter(has_text="认证").first).to_be_visible()
    explanations = candidate.locator("table.criteria td:nth-child(3)").all_inner_texts()
    assert explanations and all(HAN.search(text) for text in explanations), explanations
    shoot(park, "park-demand-candidates-zh")

    park.get_by_role("link", name="编辑需求").click()
    expect(park.locator("#c_min_patents_value")).to_have_value("1")
    expect(park.locator("#c_certification_any_of_mode")).to_have_value("preference")

    company_ctx = browser.new_context(locale="ko-KR")
    company = sign_in(company_ctx, COMPANY_EMAIL, "이메일 주소", "로그인 링크 받기", "지금 로그인")
    expect(company).to_have_url(f"{WEB}/company")
    company.get_by_role("link", name="산업단지").click()
    company.get_by_label("이름, 도시 또는 업종").fill("의료기기")
    company.get_by_role("button", name="검색").click()
    found = company.locator("article", has_text=PARK_NAME_KO)
    expect(found).to_contain_text(TITLE)
    shoot(company, "directory-parks-ko")
    found.get_by_role("link", name=PARK_NAME_KO).click()
    expect(company.get_by_role("heading", level=1)).to_have_text(PARK_NAME_KO)
    expect(company.locator("article", has_text=TITLE)).to_be_visible()
    assert PARK_EMAIL not in company.content()

    park.goto(f"{WEB}/directory/companies?sector=의료기기")
    expect(park.get_by_role("link", name=COMPANY_NAME_IN_ZH)).to_be_visible()
    assert COMPANY_EMAIL not in park.content()

    for context, paths in ((park_ctx, ("/park", "/park/demands/new", f"/park/demands/{demand_id}",
                                       f"/park/demands/{demand_id}/edit",
                                       "/park/allocation-rounds", "/directory/companies")),
                           (company_ctx, ("/directory/parks?q=의료기기",
                                          f"/directory/parks/{PARK_ID}"))):
        audit = browser.new_context(bypass_csp=True)
        audit.add_cookies(context.cookies())
        for path in paths:
            no_serious_accessibility_violations(audit, WEB + path)
        audit.close()
