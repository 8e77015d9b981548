"""The operator pages' pure parts: queue figures per consumer, the dead
letters' page position and failure time, the allocation round form, the
funnel totals; and each operator template renders in every language."""
from datetime import UTC, datetime

import pytest

from services.contracts.topology import CONSUMERS, dead_queue, work_queue
from services.platform import i18n
from services.web import rendering
from services.web.pages.dashboards import FUNNEL_STAGES, LABELS
from services.web.pages.operator import (
    funnel_totals,
    offset_of,
    queue_rows,
    queue_totals,
    shown_letter,
)
from services.web.pages.operator_organisations import KINDS
from services.web.pages.operator_rounds import company_names, round_body

FIRST = next(iter(CONSUMERS))
ACTOR = {"kind": "operator", "id": "operator", "person_id": "p1", "role": "owner"}


def depths(waiting=3, consumers=1, dead=2):
    rows = []
    for consumer in CONSUMERS:
        first = consumer == FIRST
        rows.append((work_queue(consumer), waiting if first else 0, consumers if first else 1))
        rows.append((dead_queue(consumer), dead if first else 0, 0))
    return rows


def test_queue_figures_are_one_row_per_consumer_with_its_dead_letters():
    rows = queue_rows(depths(waiting=3, consumers=0, dead=2))
    assert [row["consumer"] for row in rows] == list(CONSUMERS)
    first = rows[0]
    assert (first["waiting"], first["consumers"], first["dead_letters"]) == (3, 0, 2)
    assert first["work_queue"] == work_queue(FIRST)
    assert queue_totals(rows) == {"waiting": 3, "dead_letters": 2, "without_consumer": 1}


def test_a_queue_the_broker_did_not_report_shows_no_figure():
    rows = queue_rows([])
    assert rows[0]["waiting"] is None and rows[0]["dead_letters"] is None
    assert queue_totals(rows)["without_consumer"] == len(CONSUMERS)


@pytest.mark.parametrize("cursor, offset", [(None, 0), ("", 0), ("50", 50), ("-3", 0),
                                            ("x", 0)])
def test_the_dead_letters_cursor_is_a_position_or_the_start(cursor, offset):
    assert offset_of(cursor) == offset


def test_a_dead_letter_shows_when_it_failed_and_never_more_than_its_summary():
    letter = {"consumer": FIRST, "event_id": "e1", "type": "company.registered",
              "attempts": 3, "error": "boom", "failed_at": "2025-05-01T09:00:00+00:00"}
    assert shown_letter(letter)["failed_at"] == datetime(2025, 5, 1, 9, tzinfo=UTC)
    assert shown_letter({**letter, "failed_at": "yesterday"})["failed_at"] is None
    assert shown_letter({**letter, "failed_at": None})["failed_at"] is None


def test_the_round_form_becomes_the_body():
    assert round_body("", "") == {}
    assert round_body(" park-1 ", "") == {"park_id": "park-1"}
    assert round_body("", "d1, d2\nd3  d4,") == {"demand_ids": ["d1", "d2", "d3", "d4"]}
    # both given: matching refuses it naming park_id; the page shows that
    assert round_body("p", "d1") == {"park_id": "p", "demand_ids": ["d1"]}


def funnel_of(*counts):
    return {"stages": [{"stage": stage, "count": count, "conversion": None}
                       for stage, count in zip(FUNNEL_STAGES, counts, strict=False)],
            "overall_conversion": None}


def test_funnel_totals_add_the_parks_up_with_conversions_of_the_sums():
    totals = funnel_totals([funnel_of(10, 4, 2, 2, 1, 6, 3), funnel_of(10, 6, 2, 0, 0, 0, 0)])
    counts = [stage["count"] for stage in totals["stages"]]
    assert counts == [20, 10, 4, 2, 1, 6, 3]
    conversions = [stage["conversion"] for stage in totals["stages"]]
    assert conversions == [None, 0.5, 0.4, 0.5, 0.5, None, 0.5]
    assert totals["overall_conversion"] == 0.05
    empty = funnel_totals([])
    assert [s["count"] for s in empty["stages"]] == [0] * len(FUNNEL_STAGES)
    assert empty["overall_conversion"] is None
    assert all(stage["conversion"] is None for stage in empty["stages"])


def test_company_names_of_a_round():
    assert company_names({"companies": [{"company_id": "c1", "names": {"en": "Hanbit"}}]}) == \
        {"c1": {"en": "Hanbit"}}
    assert company_names({}) == {}


BASE = {"csrf_token": "t", "path": "/operator", "actor": ACTOR,
        "person": {"name": "Ops", "email": "ops@parkmatch.example"}}
MOMENT = datetime(2025, 5, 1, 9, tzinfo=UTC)
ROUND = {"round_id": "r1", "created_at": MOMENT,
         "summary": {"demands": 1, "companies": 2, "places": 1, "placed": 1, "unplaced": 1},
         "demands": [{"demand_id": "d1", "title": "Valley", "park_names": {"en": "Binxian"},
                      "places": 1, "candidates": 2,
                      "admitted": [{"company_id": "c1", "score": 91.2, "rank": 1}]}],
         "companies": [{"company_id": "c1", "names": {"en": "Hanbit"}, "demand_id": "d1",
                        "choice": 1, "why_not": []},
                       {"company_id": "c2", "names": {"en": "Daebak"}, "demand_id": None,
                        "choice": None, "why_not": [{"text": "WHY-NOT-TEXT"}]}]}
PAGES = {
    "operator.html": {**LABELS, "totals": {"waiting": 1, "dead_letters": 2,
                                           "without_consumer": 0},
                      "unreachable": False, "latest_round": ROUND,
                      "troubled": queue_rows(depths())[:1]},
    "operator_queues.html": {"rows": queue_rows(depths()), "totals": queue_totals(
        queue_rows(depths())), "unreachable": False},
    "operator_dead_letters.html": {"consumer": FIRST, "count": 1, "next_cursor": "50",
                                   "letters": [shown_letter({
                                       "event_id": "e1", "type": "company.registered",
                                       "attempts": 3, "error": "boom",
                                       "failed_at": MOMENT.isoformat()})],
                                   "notice": "replayed", "replayed": "1"},
    "operator_rounds.html": {"rounds": [ROUND], "next_cursor": "c", "typed": {},
                             "errors": {"park_id": ["bad"]}},
    "operator_round.html": {"round": ROUND, "demands": {"d1": ROUND["demands"][0]},
                            "names": company_names(ROUND)},
    "operator_organisations.html": {"kind": "park", "kinds": KINDS, "next_cursor": None,
                                    "organisations": [{"id": "p1", "names": {"en": "Binxian"},
                                                       "region": {"country": "CN",
                                                                  "city": "Harbin"},
                                                       "created_at": MOMENT}]},
    "operator_organisation.html": {"kind": "park", "kinds": KINDS, "notice": "enrolled",
                                   "organisation": {"id": "p1", "names": {"en": "Binxian"}},
                                   "people": [{"id": "x", "name": "Zhao", "role": "owner",
                                               "email": "z@b.example", "verified_at": None}],
                                   "next_cursor": None, "typed": {"language": "zh"},
                                   "errors": {}, "problem": None},
    "operator_funnel.html": {**LABELS, "rows": [{"park": {"id": "p1", "names": {"en": "B"}},
                                                 "funnel": funnel_of(1, 1, 1, 1, 1, 1, 1)},
                                                {"park": {"id": "p2", "names": {}},
                                                 "funnel": None}],
                             "totals": funnel_totals([funnel_of(1, 1, 1, 1, 1, 1, 1)]),
                             "stage_names": list(FUNNEL_STAGES), "next_cursor": None,
                             "first_page": True},
}


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("template", sorted(PAGES))
def test_each_operator_page_renders_in_each_language(template, lang):
    html = rendering.render(template, {**BASE, **PAGES[template]}, lang)
    assert f'<html lang="{lang}">' in html
    assert 'href="/operator"' in html  # the nav entry and the section links
    if template == "operator_round.html":
        assert "WHY-NOT-TEXT" in html
    if "next_cursor" in PAGES[template] and PAGES[template]["next_cursor"]:
        assert 'rel="next"' in html and "cursor=" in html
    if "<form" in html:
        assert 'name="csrf_token"' in html
