"""Matching use cases on a real, migrated database (SQLite, or PostgreSQL
with PARKMATCH_TEST_DB=postgresql) but no broker: events are handed in as
the consumer would hand them, and `today` is chosen, so the calendar and
delivery order can be driven exactly."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from services.contracts import make_event, parse_event
from services.contracts.events import REGISTRY
from services.matching import domain, storage, usecases
from services.platform.db import Database
from services.platform.nameko_ext import BoundDatabase
from tests.factories import company_body, demand_body, park_body

TODAY = date.today()


@pytest.fixture
def db(database_url):
    database = Database(database_url("matching"), "matching")
    yield BoundDatabase(database, None)
    database.dispose()


def company_event(company_id="c-1", version=1, event_type="company.registered", **overrides):
    body = {k: v for k, v in company_body(**overrides).items() if k != "contact"}
    return _delivered(event_type, {**body, "company_id": company_id, "version": version})


def demand_event(demand_id="d-1", version=1, event_type="park_demand.published", **overrides):
    park = park_body()
    body = {"valid_from": TODAY.isoformat(), "status": "open", **demand_body(**overrides)}
    return _delivered(event_type, {
        **body, "demand_id": demand_id, "version": version,
        "park": {"park_id": "p-1", "version": 1, "names": park["names"], "region": park["region"]},
    })


def _delivered(event_type, payload):
    """The event as a consumer receives it: through the wire format."""
    loaded = REGISTRY[(event_type, 1)].load(payload)  # as a producer holds it: dates as dates
    return parse_event(make_event(event_type, loaded, producer="profiles").to_message())


def stored_match(db, company_id="c-1", demand_id="d-1"):
    return db.run(lambda uow: storage.get_match(uow.connection,
                                                domain.match_id(company_id, demand_id)))


def outbox_types(db):
    from services.platform.outbox import _table as outbox
    return db.run(lambda uow: list(uow.connection.execute(
        select(outbox.c.event_type).order_by(outbox.c.id)).scalars()))


def test_company_then_demand_and_demand_then_company_both_find_the_match(db):
    assert usecases.company_changed(db, company_event("c-1")) == []
    assert usecases.demand_changed(db, demand_event("d-1")) == ["match.found"]
    assert usecases.company_changed(db, company_event("c-2")) == ["match.found"]
    assert stored_match(db, "c-1")["status"] == stored_match(db, "c-2")["status"] == "active"
    assert outbox_types(db) == ["match.found", "match.found"]


def test_the_same_event_twice_is_handled_once(db):
    usecases.demand_changed(db, demand_event())
    event = company_event()
    assert usecases.company_changed(db, event) == ["match.found"]
    assert usecases.company_changed(db, event) is None  # the inbox knew it
    assert outbox_types(db) == ["match.found"]


def test_an_older_or_equal_snapshot_arriving_late_changes_nothing(db):
    usecases.demand_changed(db, demand_event())
    usecases.company_changed(db, company_event(version=2, event_type="company.updated",
                                               patents=0))
    assert usecases.company_changed(db, company_event(version=1, patents=5)) == []
    assert usecases.company_changed(db, company_event(version=2, event_type="company.updated",
                                                      patents=5)) == []
    assert stored_match(db) is None
    stored = db.run(lambda uow: storage.get_company(uow.connection, "c-1"))
    assert (stored["version"], stored["patents"]) == (2, 0)

    usecases.demand_changed(db, demand_event(version=2, event_type="park_demand.updated",
                                             status="closed"))
    assert usecases.demand_changed(db, demand_event(version=1)) == []
    assert db.run(lambda uow: storage.get_demand(uow.connection, "d-1"))["status"] == "closed"


def test_the_calendar_withdraws_matches_of_expired_demands_once(db):
    usecases.demand_changed(db, demand_event(valid_until=TODAY.isoformat()))
    usecases.company_changed(db, company_event())

    assert usecases.follow_calendar(db, today=TODAY) == []
    assert usecases.follow_calendar(db, today=TODAY + timedelta(days=1)) == ["match.withdrawn"]
    assert usecases.follow_calendar(db, today=TODAY + timedelta(days=2)) == []
    match = stored_match(db)
    assert (match["status"], match["version"], match["withdrawn_reason"]) == \
        ("withdrawn", 2, "demand expired")


def test_the_calendar_matches_a_demand_once_its_window_opens(db):
    opens = TODAY + timedelta(days=2)
    usecases.company_changed(db, company_event())
    assert usecases.demand_changed(db, demand_event(valid_from=opens.isoformat())) == []

    assert usecases.follow_calendar(db, today=opens - timedelta(days=1)) == []
    assert usecases.follow_calendar(db, today=opens) == ["match.found"]
    assert usecases.follow_calendar(db, today=opens) == []
    assert stored_match(db)["status"] == "active"


def test_a_company_change_also_withdraws_a_match_whose_demand_expired(db):
    usecases.demand_changed(db, demand_event(valid_until=TODAY.isoformat()))
    usecases.company_changed(db, company_event())
    later = TODAY + timedelta(days=1)
    assert usecases.company_changed(db, company_event(version=2, event_type="company.updated",
                                                      headcount=40), today=later) \
        == ["match.withdrawn"]
    assert stored_match(db)["withdrawn_reason"] == "demand expired"


def test_a_closed_demand_only_revisits_its_own_matches(db):
    usecases.company_changed(db, company_event("c-1"))
    usecases.company_changed(db, company_event("c-2", sectors=["cloud"]))
    usecases.demand_changed(db, demand_event())
    assert usecases.demand_changed(db, demand_event(version=2, event_type="park_demand.updated",
                                                    status="closed")) == ["match.withdrawn"]
    assert usecases.demand_changed(db, demand_event(version=3, event_type="park_demand.updated",
                                                    status="open")) == ["match.found"]
    match = stored_match(db)
    assert (match["status"], match["version"]) == ("active", 3)
    count = db.run(lambda uow: uow.connection.execute(
        select(func.count()).select_from(storage.matches)).scalar_one())
    assert count == 1  # c-2 (no common sector) never got a match row


@pytest.fixture
def pg_db(database_url):
    """Always PostgreSQL, whatever the suite's backend: only there can two
    matching transactions interleave (SQLite takes its write lock up front)."""
    database = Database(database_url("matching", backend="postgresql"), "matching")
    yield BoundDatabase(database, None)
    database.dispose()


def test_a_company_and_a_demand_committed_at_the_same_moment_do_not_miss_each_other(
        pg_db, monkeypatch):
    """The company's transaction looks for open demands just before the
    demand's transaction commits (and that one saw no company yet). Under
    SERIALIZABLE the company's commit fails, is retried, and finds the demand."""
    db = pg_db
    real_query = storage.demands_fingerprint
    calls = []

    def query_then_let_the_demand_commit(conn):
        found = real_query(conn)
        calls.append(found[0])
        if len(calls) == 1:
            assert usecases.demand_changed(db, demand_event()) == []  # no company visible yet
        return found

    monkeypatch.setattr(storage, "demands_fingerprint", query_then_let_the_demand_commit)
    assert usecases.company_changed(db, company_event()) == ["match.found"]
    assert calls == [0, 1]  # the first attempt missed the demand and was retried
    assert outbox_types(db) == ["match.found"]


# --- issue #3 §5: nothing changed, nothing emitted ------------------------------------

def test_re_evaluation_with_nothing_changed_emits_nothing(db):
    usecases.demand_changed(db, demand_event())
    assert usecases.company_changed(db, company_event()) == ["match.found"]
    before = stored_match(db)

    # the same facts under a new version, from either side, and the calendar
    assert usecases.company_changed(db, company_event(version=2,
                                                      event_type="company.updated")) == []
    assert usecases.demand_changed(db, demand_event(version=2,
                                                    event_type="park_demand.updated")) == []
    assert usecases.follow_calendar(db, today=TODAY) == []
    # a later day moves the age in words, which is no news either
    assert usecases.company_changed(db, company_event(version=3, event_type="company.updated"),
                                    today=TODAY + timedelta(days=45)) == []
    assert outbox_types(db) == ["match.found"]
    assert stored_match(db)["version"] == before["version"] == 1


def test_replaying_the_same_event_emits_nothing_new(db):
    usecases.demand_changed(db, demand_event())
    update = company_event(version=2, event_type="company.updated",
                           incentives_wanted=["subsidies"])
    usecases.company_changed(db, company_event())
    assert usecases.company_changed(db, update) == ["match.updated"]
    assert usecases.company_changed(db, update) is None  # the inbox knew it
    replayed_demand = demand_event(version=2, event_type="park_demand.updated")
    assert usecases.demand_changed(db, replayed_demand) == []
    assert usecases.demand_changed(db, replayed_demand) is None
    assert outbox_types(db) == ["match.found", "match.updated"]


def test_a_changed_score_updates_and_lost_eligibility_withdraws(db):
    usecases.demand_changed(db, demand_event())
    usecases.company_changed(db, company_event())
    assert usecases.company_changed(db, company_event(
        version=2, event_type="company.updated", sectors=["biologics"])) == ["match.updated"]
    assert stored_match(db)["score"] == 97.5
    assert usecases.company_changed(db, company_event(
        version=3, event_type="company.updated", sectors=["biologics"],
        certifications=None)) == ["match.withdrawn"]
    match = stored_match(db)
    assert (match["status"], match["version"]) == ("withdrawn", 3)
    assert match["withdrawn_reasons"]["ko"] == \
        "필수 요건 미충족: 인증 (인증 정보 없음: 기업이 밝히지 않음)"


# --- near misses -------------------------------------------------------------------------

PARK = {"kind": "park", "id": "p-1"}


def near_misses(db, actor=PARK, lang="en"):
    return usecases.list_demand_near_misses(db, actor, "d-1", lang=lang)["items"]


def test_a_near_miss_is_stored_never_announced_and_kept_current(db):
    usecases.demand_changed(db, demand_event())
    assert usecases.company_changed(db, company_event(patents=0)) == []
    [listed] = near_misses(db)
    assert listed["company"]["company_id"] == "c-1"
    assert [(g["criterion"], g["outcome"], g["text"]) for g in listed["gaps"]] == [
        ("min_patents", "not_met", "needs 1 more patent: has 0, needs 1")]
    assert near_misses(db, lang="zh")[0]["gaps"][0]["text"] == "还需1项专利：现有0项，需要1项"
    assert near_misses(db, lang="ko")[0]["lang"] == "ko"

    # a second gap is added to the same near miss
    usecases.company_changed(db, company_event(version=2, event_type="company.updated",
                                               patents=0, certifications=None))
    assert [g["text"] for g in near_misses(db)[0]["gaps"]] == [
        "needs 1 more patent: has 0, needs 1", "certification unknown: ask the company"]
    # a third: no longer near
    usecases.company_changed(db, company_event(version=3, event_type="company.updated",
                                               patents=0, certifications=None, founded_on=None))
    assert near_misses(db) == []
    # closing the gaps makes a match and no near miss
    assert usecases.company_changed(db, company_event(version=4, event_type="company.updated")) \
        == ["match.found"]
    assert near_misses(db) == []
    # losing eligibility again: withdrawn, and a near miss once more
    assert usecases.company_changed(db, company_event(version=5, event_type="company.updated",
                                                      patents=0)) == ["match.withdrawn"]
    assert len(near_misses(db)) == 1
    assert outbox_types(db) == ["match.found", "match.withdrawn"]  # near misses emit nothing


def test_a_demand_published_after_the_company_finds_its_near_misses_and_closing_drops_them(db):
    usecases.company_changed(db, company_event("c-1", patents=0))
    usecases.company_changed(db, company_event("c-2", certifications=["iso_9001"], patents=0))
    usecases.company_changed(db, company_event("c-3", sectors=["cloud"], patents=0))
    usecases.company_changed(db, company_event("c-4", certifications=None))
    assert usecases.demand_changed(db, demand_event()) == []
    listed = near_misses(db)
    assert [(n["company"]["company_id"], len(n["gaps"])) for n in listed] == [
        ("c-4", 1), ("c-1", 1), ("c-2", 2)]  # fewest gaps, then score, then company
    assert usecases.demand_changed(db, demand_event(version=2, event_type="park_demand.updated",
                                                    status="closed")) == []
    assert near_misses(db) == []
    count = db.run(lambda uow: uow.connection.execute(
        select(func.count()).select_from(storage.near_misses)).scalar_one())
    assert count == 0


def test_a_near_miss_whose_gap_is_age_becomes_a_match_on_the_day(db):
    eligible_on = TODAY + timedelta(days=2)
    founded = domain.add_months(eligible_on, -36)
    usecases.demand_changed(db, demand_event())
    assert usecases.company_changed(db, company_event(founded_on=founded.isoformat())) == []
    [listed] = near_misses(db)
    assert listed["recheck_on"] == eligible_on.isoformat()
    assert listed["gaps"][0]["text"] == \
        f"founded {founded.isoformat()}, eligible from {eligible_on.isoformat()}"

    assert usecases.follow_calendar(db, today=eligible_on - timedelta(days=1)) == []
    assert usecases.follow_calendar(db, today=eligible_on) == ["match.found"]
    assert usecases.follow_calendar(db, today=eligible_on) == []
    assert db.run(lambda uow: storage.get_near_miss(uow.connection, "c-1", "d-1")) is None


def test_an_expired_demand_loses_its_near_misses_on_the_calendar(db):
    usecases.demand_changed(db, demand_event(valid_until=TODAY.isoformat()))
    usecases.company_changed(db, company_event(patents=0))
    assert db.run(lambda uow: storage.get_near_miss(uow.connection, "c-1", "d-1")) is not None
    assert usecases.follow_calendar(db, today=TODAY + timedelta(days=1)) == []
    assert db.run(lambda uow: storage.get_near_miss(uow.connection, "c-1", "d-1")) is None


def test_only_the_demands_park_or_the_operator_reads_its_near_misses(db):
    from services.contracts.actors import OPERATOR
    from services.contracts.errors import (
        Forbidden,
        InvalidInput,
        NotFound,
        Unauthenticated,
    )
    usecases.demand_changed(db, demand_event())
    usecases.company_changed(db, company_event(patents=0))
    assert len(near_misses(db, OPERATOR)) == 1
    for actor in ({"kind": "park", "id": "p-2"}, {"kind": "company", "id": "c-1"},
                  {"kind": "partner", "id": "kic"}):
        with pytest.raises(Forbidden):
            near_misses(db, actor)
    with pytest.raises(Unauthenticated):
        near_misses(db, None)
    with pytest.raises(NotFound):
        usecases.list_demand_near_misses(db, PARK, "no-such-demand")["items"]
    with pytest.raises(InvalidInput) as caught:
        near_misses(db, lang="fr")
    assert "lang" in caught.value.details


def test_matches_read_in_the_language_asked_for(db):
    from services.contracts.errors import InvalidInput
    usecases.demand_changed(db, demand_event())
    usecases.company_changed(db, company_event())
    match_id = domain.match_id("c-1", "d-1")
    company = {"kind": "company", "id": "c-1"}
    korean = usecases.get_match(db, company, match_id, lang="ko")
    assert korean["lang"] == "ko"
    assert korean["summary"].startswith("Korea-China High-Tech Valley, phase 1의 필수 요건 7개")
    assert korean["outcomes"][3]["explanation"] == "특허 3건 보유, 최소 1건 필요"
    assert korean["summaries"]["en"] == usecases.get_match(db, company, match_id)["summary"]
    chinese = usecases.list_company_matches(db, company, "c-1", lang="zh")["items"][0]
    assert chinese["outcomes"][3]["explanation"] == "拥有3项专利，要求至少1项"
    assert usecases.list_demand_matches(db, PARK, "d-1", lang="zh")["items"] == [chinese]
    with pytest.raises(InvalidInput):
        usecases.get_match(db, company, match_id, lang="jp")


# --- lists that grow: matches page by (score desc, match id), ties included ------------

def test_matches_with_tied_scores_page_in_ranked_order_each_exactly_once(db):
    from services.contracts.actors import OPERATOR
    from services.contracts.errors import InvalidInput
    usecases.demand_changed(db, demand_event())
    for n in range(23):                      # identical companies: identical scores
        usecases.company_changed(db, company_event(f"c-{n:02d}"))
    for n in range(5):                       # a better score (more patents) for a few
        usecases.company_changed(db, company_event(f"b-{n}", patents=40, headcount=300))
    for n in range(4):                       # eligibility lost: withdrawn, listed last
        usecases.company_changed(db, company_event(f"c-{n:02d}", version=2,
                                                   event_type="company.updated", patents=0))
    stored = db.run(lambda uow: storage.matches_of_demand(uow.connection, "d-1"))
    expected = [m["match_id"] for m in domain.ranked(stored, include_withdrawn=True)]
    assert len(expected) == 28 and len({m["score"] for m in stored}) >= 2

    walked, cursor = [], None
    while True:
        page = usecases.list_demand_matches(db, PARK, "d-1", include_withdrawn=True, limit=4,
                                            cursor=cursor)
        walked += [m["match_id"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert walked == expected
    active = usecases.list_demand_matches(db, PARK, "d-1", limit=200)
    assert [m["match_id"] for m in active["items"]] == expected[:24]
    assert active["next_cursor"] is None

    assert usecases.list_company_matches(db, OPERATOR, "b-0", limit=1)["next_cursor"] is None
    demand_cursor = usecases.list_demand_matches(db, PARK, "d-1", limit=1)["next_cursor"]
    with pytest.raises(InvalidInput) as caught:
        usecases.list_company_matches(db, OPERATOR, "b-0", cursor=demand_cursor)
    assert list(caught.value.details) == ["cursor"]
