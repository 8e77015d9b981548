"""Notifications use cases on a real, migrated database (SQLite, or
PostgreSQL with PARKMATCH_TEST_DB=postgresql) but no broker: events are
handed in as the consumer would hand them, settings are given directly
with small numbers, the business clock is moved with a clock file, and
webhooks go to a real HTTP server on 127.0.0.1."""
# ruff: noqa: F811  (pytest fixtures imported from notifications_fixtures)
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from services.contracts import make_event
from services.contracts.actors import OPERATOR
from services.notifications import config, usecases
from services.platform import clock
from services.platform.db import Database
from services.platform.nameko_ext import BoundDatabase
from tests.service.notifications_fixtures import HARBIN_BIO, match, receiver  # noqa: F401

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def db(database_url):
    database = Database(database_url("notifications"), "notifications")
    yield BoundDatabase(database, None)
    database.dispose()


@pytest.fixture
def settings():
    """The environment's settings, but webhooks may go to 127.0.0.1."""
    return replace(config.settings(), allow_loopback=True, webhook_timeout=5.0)


@pytest.fixture
def travel(tmp_path, monkeypatch):
    path = tmp_path / "clock"
    monkeypatch.setenv(clock.CLOCK_FILE_VARIABLE, str(path))
    return lambda instant: clock.travel_to(str(path), instant)


def a_partner(db, settings, webhooks=(), subscription=None):
    """A registered partner (time zone Asia/Seoul) with one subscription; its id."""
    partner = usecases.register_partner(db, settings, OPERATOR, {
        "names": {"en": "Korea-China Innovation Centre"}, "country": "KR",
        "kind": "cooperation_centre", "webhooks": list(webhooks),
        "email": "centre@example.cn"})["partner"]
    usecases.add_subscription(db, OPERATOR, partner["id"], subscription or {})
    return partner["id"]


def found(db, settings, **match_fields):
    event = make_event("match.found", match(**match_fields), producer="tests")
    return usecases.match_changed(db, settings, event)


def alerts_of(db, partner_id):
    """(type, disposition) of the partner's alerts, oldest first."""
    return [(a["type"], a["disposition"])
            for a in reversed(usecases.list_alerts(db, OPERATOR, partner_id)["items"])]


def test_a_match_alerts_only_the_partners_whose_subscription_covers_it(db, settings, receiver):
    in_scope = a_partner(db, settings, [receiver.url("/in-scope")], HARBIN_BIO)
    elsewhere = a_partner(db, settings, subscription={
        "regions": [{"country": "CN", "province": "Sichuan"}]})
    too_picky = a_partner(db, settings, subscription={**HARBIN_BIO, "min_score": 90})
    other_sector = a_partner(db, settings, subscription={"sectors": ["cloud"]})

    assert len(found(db, settings, score=80.0)) == 1

    assert alerts_of(db, in_scope) == [("match.found", "immediate")]
    assert alerts_of(db, elsewhere) == alerts_of(db, too_picky) == \
        alerts_of(db, other_sector) == []
    [delivery] = usecases.list_deliveries(db, OPERATOR, in_scope)["items"]
    assert (delivery["url"], delivery["status"]) == (receiver.url("/in-scope"), "pending")


def test_beyond_the_daily_budget_alerts_wait_for_the_next_default_digest(db, settings, travel):
    settings = replace(settings, partner_daily_budget=1, default_digest_hour=8)
    travel(datetime(2026, 5, 6, 14, 0, tzinfo=SEOUL))
    partner = a_partner(db, settings)

    found(db, settings, score=70.0)
    found(db, settings, score=71.0)
    assert alerts_of(db, partner) == [("match.found", "immediate"), ("match.found", "digest")]
    travel(datetime(2026, 5, 7, 7, 59, tzinfo=SEOUL))
    assert usecases.send_due_digests(db) == []

    travel(datetime(2026, 5, 7, 8, 0, 1, tzinfo=SEOUL))
    assert len(usecases.send_due_digests(db)) == 1
    assert alerts_of(db, partner) == [("match.found", "immediate"), ("match.found", "digested"),
                                      ("digest", "notice")]
    listed = usecases.list_alerts(db, OPERATOR, partner)["items"]
    digest = next(a for a in listed if a["type"] == "digest")
    assert digest["data"]["count"] == 1 and digest["data"]["schedule"] == "default"
    assert usecases.send_due_digests(db) == []  # sent once

    found(db, settings, score=72.0)  # a new local day: the budget starts again
    assert alerts_of(db, partner)[-1] == ("match.found", "immediate")


def test_a_channel_is_disabled_after_the_limit_of_failed_deliveries_in_a_row(
        db, settings, receiver):
    settings = replace(settings, channel_failure_limit=2, webhook_retry_delays=())
    receiver.script["/down"] = [500, 500, 500]
    partner = a_partner(db, settings, [receiver.url("/down")])

    found(db, settings)
    assert usecases.deliver_due(db, settings) == 1
    [channel] = usecases.list_channels(db, OPERATOR, partner)["items"]
    assert (channel["enabled"], channel["consecutive_failures"]) == (True, 1)

    found(db, settings)
    assert usecases.deliver_due(db, settings) == 1
    assert len(receiver.to("/down")) == 2
    [channel] = usecases.list_channels(db, OPERATOR, partner)["items"]
    assert (channel["enabled"], channel["disabled_reason"]) == \
        (False, "2 deliveries in a row failed")
    assert alerts_of(db, partner)[-1] == ("channel.disabled", "notice")
    notice = usecases.list_deliveries(db, OPERATOR, partner)["items"][0]
    assert (notice["url"], notice["status"]) == ("centre@example.cn", "pending")

    found(db, settings)  # nothing more is sent to the disabled channel
    usecases.deliver_due(db, replace(settings, smtp=replace(settings.smtp, host=None)))
    assert len(receiver.to("/down")) == 2


# --- lists that grow: alerts and deliveries page past the old cut at 100 ---------------

def every_page(list_page, limit):
    """Follow next_cursor from the first page to the last; the pages' items."""
    pages, cursor = [], None
    while True:
        page = list_page(limit=limit, cursor=cursor)
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return pages


def test_alerts_and_deliveries_beyond_100_are_paged_not_cut(db, settings, receiver):
    settings = replace(settings, partner_daily_budget=1000)
    partner = a_partner(db, settings, [receiver.url("/many")], HARBIN_BIO)
    for _ in range(130):
        assert len(found(db, settings)) == 1

    alerts = every_page(lambda **page: usecases.list_alerts(db, OPERATOR, partner, **page), 50)
    assert [len(page) for page in alerts] == [50, 50, 30]
    listed = [alert for page in alerts for alert in page]
    assert len({alert["id"] for alert in listed}) == 130
    newest_first = sorted(listed, key=lambda a: a["id"])
    newest_first.sort(key=lambda a: a["created_at"], reverse=True)
    assert listed == newest_first
    assert usecases.list_alerts(db, OPERATOR, partner, limit=200)["items"] == listed
    first = usecases.list_alerts(db, OPERATOR, partner)   # the default page: 50, and more
    assert len(first["items"]) == 50 and first["next_cursor"]

    deliveries = every_page(
        lambda **page: usecases.list_deliveries(db, OPERATOR, partner, **page), 60)
    assert [len(page) for page in deliveries] == [60, 60, 10]
    assert {d["alert_id"] for page in deliveries for d in page} == {a["id"] for a in listed}


def test_a_cursor_of_another_partners_alerts_is_refused_naming_cursor(db, settings):
    from services.contracts.errors import InvalidInput
    one, other = a_partner(db, settings, subscription=HARBIN_BIO), a_partner(db, settings)
    for _ in range(3):
        found(db, settings)
    cursor = usecases.list_alerts(db, OPERATOR, one, limit=1)["next_cursor"]
    for field, refused in (
            ("cursor", lambda: usecases.list_alerts(db, OPERATOR, other, cursor=cursor)),
            ("cursor", lambda: usecases.list_deliveries(db, OPERATOR, one, cursor=cursor)),
            ("limit", lambda: usecases.list_alerts(db, OPERATOR, one, limit=0))):
        with pytest.raises(InvalidInput) as caught:
            refused()
        assert list(caught.value.details) == [field]
