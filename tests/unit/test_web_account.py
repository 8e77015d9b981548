"""The account pages' pure parts: who may open them, the forms as the RPC
arguments, the services' messages in the page's language, and the pages as
they render (the key shown once, the unread count in the header)."""
from services.web import rendering
from services.web.pages import Redirect, Visit
from services.web.pages.account import (
    field_errors,
    invitation_body,
    people,
    preferences_body,
)

PERSON = {"kind": "park", "id": "p-1", "person_id": "x-1", "role": "owner"}
BASE = {"csrf_token": "t", "path": "/account/api-keys", "actor": PERSON,
        "person": {"name": "赵磊", "email": "zhao@binxian.example"}}


def visit(form=None, actor=None, lang="ko"):
    return Visit(lang=lang, path="/", form=form or {}, actor=actor)


def test_the_account_pages_send_anyone_not_signed_in_as_a_person_to_sign_in():
    for actor in (None, {"kind": "company", "id": "c-1"}):  # no one; a machine key's actor
        shown = people(visit(actor=actor), rpc=None)
        assert isinstance(shown, Redirect) and shown.location == "/sign-in"


def test_the_invitation_form_is_invite_persons_arguments():
    assert invitation_body(visit({"invite_email": [" lee@hanbit.example "],
                                  "invite_name": ["이수민"], "invite_language": ["ko"],
                                  "invite_role": ["owner"]})) == {
        "email": "lee@hanbit.example", "name": "이수민", "language": "ko", "role": "owner"}
    assert invitation_body(visit({}))["role"] == "member"


def test_the_preferences_form_sends_the_hour_as_a_number_or_as_typed():
    body = preferences_body(visit({"mode": ["digest"], "digest_hour": ["7"],
                                   "time_zone": ["Asia/Seoul"]}))
    assert body == {"mode": "digest", "digest_hour": 7, "time_zone": "Asia/Seoul"}
    assert preferences_body(visit({"digest_hour": ["seven"]}))["digest_hour"] == "seven"
    assert preferences_body(visit({}))["time_zone"] is None


def test_the_services_messages_are_shown_in_the_pages_language():
    errors = field_errors({"email": ["already in use"], "name": ["Not a valid string."],
                           "time_zone": ["use an IANA time zone, e.g. Asia/Seoul or "
                                         "Asia/Shanghai"]}, "zh")
    assert errors["email"] == ["该电子邮件地址已属于 Parkmatch 上的用户。"]
    assert errors["time_zone"] == ["请填写时区，例如 Asia/Seoul 或 Asia/Shanghai。"]
    assert errors["name"] != ["Not a valid string."]  # the shared messages too
    assert field_errors({"x": ["something new"]}, "ko") == {"x": ["something new"]}


def test_a_new_key_is_shown_once_with_its_warning():
    key = {"label": "CRM sync", "api_key": "pm_park_secret_value", "prefix": "pm_park_secret"}
    html = rendering.render("account_api_key_created.html", {**BASE, "key": key}, "ko")
    assert "pm_park_secret_value" in html
    assert "이번 한 번만 표시되며" in html


def test_the_header_shows_the_unread_count_and_the_account_links():
    html = rendering.render("account_api_keys.html", {
        **BASE, "keys": [], "next_cursor": None, "typed": {}, "errors": {},
        "is_owner": True, "unread_alerts": 3}, "zh")
    assert "3 条未读" in html
    for link in ("/account/people", "/account/api-keys", "/account/alerts"):
        assert f'href="{link}"' in html
    quiet = rendering.render("account_api_keys.html", {
        **BASE, "keys": [], "next_cursor": None, "typed": {}, "errors": {},
        "is_owner": False, "unread_alerts": 0}, "zh")
    assert "未读" not in quiet and "创建密钥" not in quiet  # a member creates no keys
