"""Pages of a list: the limit rule, cursors (opaque, bound to their list,
refused when forged), the page dict, and keyset paging in real SQL (SQLite in
memory) over an order with ties and mixed directions."""
import base64
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, DateTime, Float, MetaData, String, Table, create_engine, select

from services.contracts.errors import InvalidInput
from services.platform import pages
from services.platform.sql import keyset_page


@pytest.mark.parametrize("limit, meant", [(None, 50), (1, 1), (50, 50), (200, 200)])
def test_a_limit_from_1_to_200_is_taken_and_none_means_50(limit, meant):
    assert pages.page_limit(limit) == meant


@pytest.mark.parametrize("limit", [0, -1, 201, 10 ** 9, True, 2.0, "10", [5]])
def test_any_other_limit_is_refused_naming_limit(limit):
    with pytest.raises(InvalidInput) as refused:
        pages.page_limit(limit)
    assert list(refused.value.details) == ["limit"]


@pytest.mark.parametrize("raw, meant", [(None, 50), ("", 50), (" ", 50), ("7", 7),
                                        ("200", 200)])
def test_a_limit_typed_in_a_url(raw, meant):
    assert pages.limit_from_query(raw) == meant


@pytest.mark.parametrize("raw", ["0", "201", "ten", "1.5", "-3", "1e3"])
def test_a_bad_limit_typed_in_a_url_is_refused_naming_limit(raw):
    with pytest.raises(InvalidInput) as refused:
        pages.limit_from_query(raw)
    assert list(refused.value.details) == ["limit"]


MOMENT = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def test_a_cursor_round_trips_its_typed_position_and_is_url_safe():
    cursor = pages.encode_cursor("alerts/p-1", (MOMENT, 0.8125, 3, "a-1"))
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    position = pages.decode_cursor("alerts/p-1", cursor, (datetime, float, int, str))
    assert position == (MOMENT, 0.8125, 3, "a-1")
    assert position[0].tzinfo is not None


def test_a_position_in_another_timezone_is_kept_as_the_same_instant():
    seoul = MOMENT.astimezone(ZoneInfo("Asia/Seoul"))
    cursor = pages.encode_cursor("l", (seoul,))
    assert pages.decode_cursor("l", cursor, (datetime,)) == (MOMENT,)


def test_no_cursor_is_the_first_page():
    assert pages.decode_cursor("l", None, (str,)) is None
    assert pages.decode_cursor("l", "", (str,)) is None


def _forged(body):
    text = body if isinstance(body, str) else json.dumps(body)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    "not base64 at all!",
    "%%%",
    _forged("not json"),
    _forged([1, 2]),
    _forged({"l": "alerts/p-2", "p": ["2026-03-01T09:30:15+00:00", "a"]}),   # another list
    _forged({"l": "alerts/p-1", "p": ["2026-03-01T09:30:15+00:00"]}),        # another shape
    _forged({"l": "alerts/p-1", "p": ["yesterday", "a"]}),                  # not a moment
    _forged({"l": "alerts/p-1", "p": ["2026-03-01T09:30:15+00:00", 5]}),     # not text
    _forged({"l": "alerts/p-1", "p": ["2026-03-01T09:30:15+00:00", "a\u0000"]}),
    _forged({"l": "alerts/p-1"}),
    "A" * 5000,
    12,
])
def test_a_cursor_not_of_this_list_is_refused_naming_cursor(cursor):
    with pytest.raises(InvalidInput) as refused:
        pages.decode_cursor("alerts/p-1", cursor, (datetime, str))
    assert list(refused.value.details) == ["cursor"]


@pytest.mark.parametrize("value, kind", [(float("nan"), float), (True, int), (2 ** 70, int),
                                         (1.5, int), ("1", float)])
def test_numbers_a_database_cannot_compare_are_refused(value, kind):
    cursor = _forged({"l": "l", "p": [value]})   # json writes nan as NaN, which it reads back
    with pytest.raises(InvalidInput):
        pages.decode_cursor("l", cursor, (kind,))


def test_a_page_shows_limit_rows_and_names_the_last_one_when_more_follow():
    request = pages.request("letters", limit=2, kinds=(str,))
    assert request.fetch == 3
    page = request.page(["a", "b", "c"], lambda row: (row,),
                        view=lambda rows: [row.upper() for row in rows])
    assert page["items"] == ["A", "B"]
    assert pages.decode_cursor("letters", page["next_cursor"], (str,)) == ("b",)
    assert request.page(["a", "b"], lambda row: (row,)) == {"items": ["a", "b"],
                                                             "next_cursor": None}
    assert request.page([], lambda row: (row,)) == pages.empty_page()


def test_a_request_validates_both_limit_and_cursor():
    with pytest.raises(InvalidInput):
        pages.request("letters", limit=0)
    with pytest.raises(InvalidInput):
        pages.request("letters", cursor=pages.encode_cursor("numbers", ("1",)))
    cursor = pages.encode_cursor("letters", ("b",))
    assert pages.request("letters", cursor=cursor).after == ("b",)


# --- keyset paging in SQL ------------------------------------------------------------

metadata = MetaData()
scores = Table("scores", metadata, Column("id", String, primary_key=True),
               Column("status", String), Column("score", Float),
               Column("at", DateTime(timezone=True)))
ORDER = ((scores.c.status, False), (scores.c.score, True), (scores.c.id, False))


@pytest.fixture
def conn():
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as connection:
        rows = [{"id": f"m-{i:03d}", "status": "active" if i % 4 else "withdrawn",
                 "score": (i % 5) / 4, "at": MOMENT + timedelta(seconds=i // 3)}
                for i in range(57)]
        connection.execute(scores.insert(), rows)
        yield connection


def _walk(conn, order, kinds, limit, position_of):
    """Every page, following next_cursor, as the list of rows seen."""
    seen, cursor = [], None
    for _ in range(100):
        request = pages.request("scores", limit, cursor, kinds)
        rows = conn.execute(keyset_page(select(scores), order, request.after,
                                        request.fetch)).all()
        page = request.page(rows, position_of)
        assert len(page["items"]) <= limit
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("the pages never ended")


@pytest.mark.parametrize("limit", [1, 2, 7, 50, 200])
def test_keyset_pages_list_every_row_once_in_order_despite_ties(conn, limit):
    everything = conn.execute(select(scores).order_by(
        scores.c.status, scores.c.score.desc(), scores.c.id)).all()
    walked = _walk(conn, ORDER, (str, float, str), limit, lambda row: (row[1], row[2], row[0]))
    assert [row.id for row in walked] == [row.id for row in everything]


def test_keyset_pages_on_a_moment_newest_first(conn):
    order = ((scores.c.at, True), (scores.c.id, False))
    walked = _walk(conn, order, (datetime, str), 5, lambda row: (row[3], row[0]))
    expected = sorted(conn.execute(select(scores)).all(), key=lambda r: r.id)
    expected.sort(key=lambda r: r.at, reverse=True)
    assert [row.id for row in walked] == [row.id for row in expected]
