"""The browser half of test_operator_pages.py, run by it in a child pytest
(no eventlet here). Every step asserts what the operator sees."""
import os
import re

from playwright.sync_api import expect

from tests.browser.journey_in_browser import (  # noqa: F401  (browser: a fixture)
    browser,
    mail_to,
    no_serious_accessibility_violations,
    shoot,
)

WEB = os.environ.get("PM_WEB_URL", "")
OPERATOR_EMAIL = os.environ.get("PM_OPERATOR_EMAIL", "")
CONSUMER = os.environ.get("PM_CONSUMER", "")
EVENT_ID = os.environ.get("PM_EVENT_ID", "")
DEAD_LETTERS = int(os.environ.get("PM_DEAD_LETTERS", "1"))
PARK_ID = os.environ.get("PM_PARK_ID", "")
PARK_NAME = os.environ.get("PM_PARK_NAME", "")
HAN = re.compile(r"[\u4e00-\u9fff]")


def sign_in_as_operator(page):
    page.goto(f"{WEB}/sign-in")
    page.get_by_label("E-mail address").fill(OPERATOR_EMAIL)
    page.get_by_role("button", name="Send me a sign-in link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    text = mail_to(OPERATOR_EMAIL).get_body(preferencelist=("plain",)).get_content()
    link = re.search(re.escape(WEB) + r"/sign-in/[A-Za-z0-9_\-]+", text)
    assert link, text
    page.goto(link.group(0))
    page.get_by_role("button", name="Sign in now").click()
    expect(page).to_have_url(f"{WEB}/operator")
    expect(page.get_by_role("heading", level=1)).to_have_text("Operations")
    expect(page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Operations")).to_be_visible()


def queue_row(page):
    return page.locator("table.queues tbody tr", has=page.locator("th", has_text=CONSUMER))


def replay_the_dead_letters(page):
    page.get_by_role("link", name="Queues", exact=True).first.click()
    row = queue_row(page)
    # the broker's own figures for the test's vhost: one consumer, the dead letters
    expect(row.locator("td").nth(2)).to_have_text("1")
    expect(row.locator("td").nth(3)).to_have_text(str(DEAD_LETTERS))
    shoot(page, "operator-queues-en")
    row.get_by_role("link", name=str(DEAD_LETTERS)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dead letters of {CONSUMER}")
    letter = page.locator("table.dead-letters tbody tr", has_text=EVENT_ID)
    expect(letter).to_contain_text("company.registered")
    expect(letter).to_contain_text("injected failure")
    assert "@" not in page.locator("table.dead-letters").inner_text()  # no payload's contacts
    letter.get_by_role("button", name=f"Replay event {EVENT_ID}").click()
    expect(page.get_by_role("status")).to_have_text("Put back on the work queue: 1.")
    expect(page.locator("table.dead-letters tbody tr", has_text=EVENT_ID)).to_have_count(0)
    if DEAD_LETTERS > 1:
        page.get_by_role("button", name=f"Replay all {DEAD_LETTERS - 1}").click()
        expect(page.get_by_role("status")).to_have_text(
            f"Put back on the work queue: {DEAD_LETTERS - 1}.")
    expect(page.get_by_text("No dead letters.")).to_be_visible()
    page.goto(f"{WEB}/operator/queues")
    expect(queue_row(page).locator("td").nth(3)).to_have_text("0")


def run_a_round(page):
    page.get_by_role("link", name="Allocation rounds").first.click()
    page.get_by_label("Only this park's demands (park id)").fill(PARK_ID)
    page.get_by_label("Only these demands (ids, separated by commas)").fill("d1")
    page.get_by_role("button", name="Run the allocation round").click()
    # both given: refused next to the field, nothing typed lost
    expect(page.locator("#park_id-error")).to_be_visible()
    expect(page.get_by_label("Only this park's demands (park id)")).to_have_value(PARK_ID)
    page.get_by_label("Only these demands (ids, separated by commas)").fill("")
    page.get_by_role("button", name="Run the allocation round").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Allocation round of")
    why_not = page.locator("ul.why-not li").first
    expect(why_not).to_contain_text(f"{PARK_NAME} (Korea-China High-Tech Valley, phase 1) "
                                    "is full with 1 company it ranks higher")
    round_url = page.url
    page.goto(f"{WEB}/language/zh?next={round_url.removeprefix(WEB)}")
    texts = page.locator("ul.why-not li").all_inner_texts()
    assert texts and all(HAN.search(text) for text in texts), texts
    page.goto(f"{WEB}/language/en?next=/operator/allocation-rounds")
    expect(page.locator("table tbody tr")).to_have_count(1)
    return round_url.removeprefix(WEB)


def organisations(page):
    page.get_by_role("link", name="Organisations").first.click()
    park = page.get_by_role("link", name=PARK_NAME)
    expect(park).to_be_visible()
    park.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PARK_NAME)
    expect(page.get_by_text("Nobody of this organisation can sign in yet.")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Zhao Lei")
    page.get_by_label("E-mail address").fill("zhao.lei@binxian.example")
    page.get_by_label("Language of their e-mails").select_option("zh")
    page.get_by_role("button", name="Enrol and send the link").click()
    expect(page.get_by_role("status")).to_have_text(
        "The person was enrolled and sent a link to sign in.")
    expect(page.locator("table.people")).to_contain_text("zhao.lei@binxian.example")
    assert HAN.search(str(mail_to("zhao.lei@binxian.example")["Subject"]))
    # a second first person is refused on the page
    page.get_by_label("Name", exact=True).fill("Wang")
    page.get_by_label("E-mail address").fill("wang@binxian.example")
    page.get_by_role("button", name="Enrol and send the link").click()
    expect(page.get_by_role("alert")).to_contain_text("has people already")
    expect(page.get_by_label("E-mail address")).to_have_value("wang@binxian.example")
    return f"/operator/organisations/park/{PARK_ID}"


def test_operator_pages(browser):  # noqa: F811  (the imported fixture)
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    sign_in_as_operator(page)
    replay_the_dead_letters(page)
    round_path = run_a_round(page)
    organisation_path = organisations(page)
    page.goto(f"{WEB}/operator/funnel")
    expect(page.locator("table.funnel tbody")).to_contain_text(PARK_NAME)
    expect(page.locator("table.funnel tfoot th")).to_have_text("Total")

    audit = browser.new_context(bypass_csp=True)
    audit.add_cookies(context.cookies())
    for path in ("/operator", "/operator/queues", f"/operator/dead-letters/{CONSUMER}",
                 "/operator/allocation-rounds", round_path, "/operator/organisations",
                 organisation_path, "/operator/funnel"):
        no_serious_accessibility_violations(audit, WEB + path)
    audit.close()
    context.close()
