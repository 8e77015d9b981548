"""The accounts rules without a broker or a database: addresses, one-time
links, sessions, rate windows, the last owner, and the e-mail texts."""
from datetime import UTC, datetime, timedelta

import pytest

from services.accounts import domain, emails
from services.contracts.actors import OPERATOR
from services.contracts.errors import Conflict, Forbidden, InvalidInput, Unauthenticated

NOW = datetime(2026, 3, 15, 9, 7, 30, tzinfo=UTC)
OWNER_ACTOR = {"kind": "company", "id": "c1", "person_id": "p1", "role": "owner"}
MEMBER_ACTOR = {"kind": "company", "id": "c1", "person_id": "p2", "role": "member"}


def test_an_address_keeps_its_local_part_and_lower_cases_its_domain():
    assert domain.normalise_email("  Minji.Lee@Hanbit.Example ") == (
        "Minji.Lee@hanbit.example", "minji.lee@hanbit.example")
    # the same person however it is typed
    assert domain.normalise_email("MINJI.LEE@hanbit.example")[1] == \
        domain.normalise_email("minji.lee@HANBIT.EXAMPLE")[1]


def test_a_link_may_be_used_once_and_only_before_it_expires():
    expires = NOW + timedelta(minutes=15)
    assert domain.link_problem(None, expires, NOW) is None
    assert domain.link_problem(NOW, expires, NOW) == "used"
    assert domain.link_problem(None, expires, expires) == "expired"
    assert domain.link_problem(None, expires, expires - timedelta(microseconds=1)) is None


def test_tokens_are_32_random_bytes_urlsafe():
    first, second = domain.new_token(), domain.new_token()
    assert first != second
    assert len(first) == 43 and set(first) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_a_session_ends_at_its_idle_or_its_absolute_expiry_or_when_signed_out():
    idle, max_age = timedelta(hours=12), timedelta(days=7)
    session = domain.new_session("p1", NOW, idle, max_age)
    assert domain.session_is_live(session, NOW + idle - timedelta(seconds=1))
    assert not domain.session_is_live(session, NOW + idle)
    assert not domain.session_is_live({**session, "ended_at": NOW}, NOW)
    assert not domain.session_is_live(None, NOW)
    kept_alive = {**session, "idle_expires_at": NOW + max_age + timedelta(hours=1)}
    assert not domain.session_is_live(kept_alive, NOW + max_age)


def test_a_session_is_extended_at_most_once_a_minute_and_never_past_its_limit():
    idle, max_age, minute = timedelta(hours=12), timedelta(days=7), timedelta(minutes=1)
    session = domain.new_session("p1", NOW, idle, max_age)
    assert domain.touched_session(session, NOW + timedelta(seconds=59), idle, minute) is None
    later = NOW + timedelta(hours=2)
    assert domain.touched_session(session, later, idle, minute) == (later, later + idle)
    near_the_end = NOW + max_age - timedelta(hours=1)
    assert domain.touched_session(session, near_the_end, idle, minute) == (
        near_the_end, NOW + max_age)


def test_rate_windows_are_fixed_aligned_and_say_when_to_retry():
    window = timedelta(minutes=15)
    assert domain.window_start(NOW, window) == datetime(2026, 3, 15, 9, 0, tzinfo=UTC)
    assert domain.retry_after(NOW, window) == 7 * 60 + 30
    assert domain.window_start(NOW + timedelta(minutes=8), window) == \
        datetime(2026, 3, 15, 9, 15, tzinfo=UTC)
    # a hair before the end still waits a whole second
    assert domain.retry_after(datetime(2026, 3, 15, 9, 14, 59, 999000, tzinfo=UTC),
                              window) == 1


def test_the_limit_refuses_the_request_after_the_last_allowed_one():
    limit = domain.RateLimit("email", 5, timedelta(minutes=15))
    assert [domain.refusal(limit, count, NOW) for count in range(1, 6)] == [None] * 5
    assert domain.refusal(limit, 6, NOW) == {
        "limit": "email", "max_requests": 5, "window_seconds": 900, "retry_after": 450}


def test_the_last_owner_cannot_be_removed_but_members_and_other_owners_can():
    owner = {"role": "owner"}
    with pytest.raises(Conflict):
        domain.check_removal(owner, owners_left=0)
    domain.check_removal(owner, owners_left=1)
    domain.check_removal({"role": "member"}, owners_left=0)


def test_only_owners_manage_and_only_their_own_organisation():
    assert domain.managed_organisation(OWNER_ACTOR, None, "invite people") == \
        {"kind": "company", "id": "c1"}
    with pytest.raises(Forbidden):
        domain.managed_organisation(MEMBER_ACTOR, None, "invite people")
    with pytest.raises(Forbidden):
        domain.managed_organisation(OWNER_ACTOR, {"kind": "company", "id": "c2"}, "invite")
    with pytest.raises(Forbidden):  # a machine key is not a person
        domain.require_owner({"kind": "company", "id": "c1"}, "create API keys")
    with pytest.raises(Unauthenticated):
        domain.require_person(None)
    assert domain.managed_organisation(OPERATOR, {"kind": "park", "id": "k1"}, "invite") == \
        {"kind": "park", "id": "k1"}
    with pytest.raises(InvalidInput):
        domain.managed_organisation(OPERATOR, None, "invite people")


def test_a_persons_actor_is_their_organisation_with_who_and_which_role():
    person = domain.new_person({"kind": "park", "id": "k1"}, "Wang@Park.CN", "Wang", "zh",
                               "member", None, NOW)
    assert person["email"] == "Wang@park.cn" and person["email_key"] == "wang@park.cn"
    assert domain.actor_of(person) == {"kind": "park", "id": "k1",
                                       "person_id": person["id"], "role": "member"}


@pytest.mark.parametrize("lang, subject_words, body_words", [
    ("ko", "로그인", ["15분", "한 번만", "무시"]),
    ("zh", "登录", ["15分钟", "一次", "忽略"]),
    ("en", "Sign in", ["15 minutes", "once", "ignore this e-mail"]),
])
def test_the_sign_in_email_names_the_organisation_the_link_and_its_validity(
        lang, subject_words, body_words):
    link = "http://127.0.0.1:8080/sign-in/abc"
    mail = emails.sign_in("a@b.kr", "Minji", "Hanbit <Bio>", link, timedelta(minutes=15), lang)
    assert subject_words in mail.subject and "Hanbit <Bio>" in mail.subject
    for words in body_words + [link, "Hanbit <Bio>", "Minji"]:
        assert words in mail.text, words
    assert "Hanbit &lt;Bio&gt;" in mail.html and "<Bio>" not in mail.html
    assert f'href="{link}"' in mail.html


def test_every_korean_and_chinese_text_is_translated():
    english = emails.invitation("a@b.kr", "Li", "Harbin", "Minji", "L", timedelta(days=7), "en")
    for lang in ("ko", "zh"):
        for mail in (emails.invitation("a@b.kr", "Li", "Harbin", "Minji", "L",
                                       timedelta(days=7), lang),
                     emails.invitation("a@b.kr", "Li", "Harbin", None, "L",
                                       timedelta(days=7), lang),
                     emails.verification("a@b.kr", "Li", "Harbin", "L", timedelta(minutes=15),
                                         lang),
                     emails.sign_in("a@b.kr", "Li", "Harbin", "L", timedelta(minutes=15), lang)):
            paragraphs = mail.text.split("\n\n")
            assert not any(p in english.text.split("\n\n") for p in paragraphs if p != "L")
            assert not any(c.isascii() and c.isalpha() for c in mail.subject.replace(
                "Parkmatch", "").replace("Harbin", ""))


def test_an_organisation_without_names_is_named_by_its_kind_and_id():
    assert emails.organisation_label({"kind": "park", "id": "k1"}, None, "ko") == "산업단지 k1"
    names = {"en": "Binxian ETDZ", "zh": "宾西经开区"}
    assert emails.organisation_label({"kind": "park", "id": "k1"}, names, "zh") == "宾西经开区"
    assert emails.organisation_label({"kind": "park", "id": "k1"}, names, "ko") == "Binxian ETDZ"
