"""The browser half of test_partner_pages.py, run by it in a child pytest
(no eventlet here), with its own local webhook receiver."""
# ruff: noqa: F811  (the browser fixture imported from journey_in_browser)
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect
from standardwebhooks import Webhook

from tests.browser.journey_in_browser import (  # noqa: F401  (the browser fixture)
    WEB,
    browser,
    follow_sign_in_link,
    mail_to,
    no_serious_accessibility_violations,
    reload_until,
    shoot,
    sign_in_mail,
)

PARTNER_EMAIL = os.environ.get("PM_PARTNER_EMAIL", "")


@pytest.fixture
def receiver():
    """A partner's web server on 127.0.0.1: records every POST."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append({"headers": {k.lower(): v for k, v in self.headers.items()},
                             "body": body})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/parkmatch", received
    server.shutdown()
    server.server_close()


def wait_for(received, timeout=30):
    deadline = time.monotonic() + timeout
    while not received:
        assert time.monotonic() < deadline, "the receiver got nothing"
        time.sleep(0.2)
    return received[0]


def test_channels_and_subscriptions(browser, receiver):
    url, received = receiver
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    follow_sign_in_link(page, sign_in_mail(PARTNER_EMAIL), "Sign in now")
    expect(page).to_have_url(f"{WEB}/partner")

    page.get_by_role("link", name="Channels").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Channels")
    page.get_by_label("Webhook URL (for a webhook)").fill(url)
    page.get_by_label("Label (optional)").fill("Our receiver")
    page.get_by_role("button", name="Add the channel").click()
    expect(page.get_by_role("heading", name="The new webhook's signing secret")).to_be_visible()
    secret = page.locator("code.secret-value").inner_text()
    assert secret.startswith("whsec_"), secret
    channel = page.locator("article.channel", has_text="Our receiver")
    expect(channel.locator(".state")).to_have_text("enabled")
    shoot(page, "partner-channels-en")

    channel.get_by_role("button", name="Send a test").click()
    expect(page.get_by_role("status")).to_have_text(
        "A test alert is on its way. Its delivery is in the delivery log.")
    request = wait_for(received)
    Webhook(secret).verify(request["body"], request["headers"])  # raises if not signed so
    assert b'"type":"test"' in request["body"]

    page.get_by_role("link", name="Delivery log").click()
    delivered = page.locator("tr.delivery.delivered", has_text="Test alert")
    reload_until(page, delivered)
    expect(delivered.locator(".attempts")).to_have_text("1")
    expect(delivered.locator(".latency")).to_contain_text("ms")

    # a bad minimum score: the message next to the field, in Chinese
    page.goto(f"{WEB}/language/zh?next=/partner/subscriptions/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("添加订阅")
    page.get_by_label("行业", exact=True).fill("医疗器械")
    page.get_by_label("最低得分（0 至 100）").fill("150")
    page.get_by_label("汇总成摘要").check()
    page.get_by_label("星期（每周摘要）").select_option("4")
    page.get_by_label("摘要", exact=True).select_option("weekly")
    page.get_by_role("button", name="添加此订阅").click()
    expect(page.locator("#min_score-error")).to_have_text("必须介于 0 和 100 之间。")
    expect(page.get_by_label("最低得分（0 至 100）")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("行业", exact=True)).to_have_value("医疗器械")
    expect(page.get_by_label("汇总成摘要")).to_be_checked()
    page.get_by_label("最低得分（0 至 100）").fill("60")
    page.get_by_role("button", name="添加此订阅").click()
    expect(page.get_by_role("status")).to_have_text("订阅已添加。")
    subscription = page.locator("article.subscription")
    expect(subscription).to_contain_text("医疗器械")
    expect(subscription.locator(".mode")).to_contain_text("每周")

    audit = browser.new_context(bypass_csp=True)
    audit.add_cookies(context.cookies())
    for path in ("/partner/channels", "/partner/subscriptions", "/partner/subscriptions/new",
                 "/partner/deliveries"):
        no_serious_accessibility_violations(audit, WEB + path)
    audit.close()
