"""The web app's settings, CSRF tokens, redirects and headers."""
import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.web import app, config, security

SECRET = "x" * 40


def settings_from(**values):
    return config.load(lambda name, default=None: values.get(name, default))


def test_a_secret_is_required_off_loopback():
    with pytest.raises(config.BadSetting, match="PARKMATCH_WEB_SECRET is required"):
        settings_from(PARKMATCH_WEB_URL="https://parkmatch.example")


def test_a_short_secret_is_refused_even_on_loopback():
    with pytest.raises(config.BadSetting, match="32 characters or more"):
        settings_from(PARKMATCH_WEB_URL="http://127.0.0.1:8080", PARKMATCH_WEB_SECRET="short")


def test_loopback_without_a_secret_gets_one_per_process_and_plain_cookies(caplog):
    settings = settings_from(PARKMATCH_WEB_URL="http://localhost:8080")
    assert len(settings.secret) >= 32 and not settings.secure_cookies
    assert "PARKMATCH_WEB_SECRET is unset" in caplog.text
    assert settings.secret.decode() not in caplog.text


def test_cookies_are_secure_off_loopback():
    settings = settings_from(PARKMATCH_WEB_URL="https://parkmatch.example",
                             PARKMATCH_WEB_SECRET=SECRET)
    assert settings.secure_cookies and settings.secret == SECRET.encode()


def test_a_csrf_token_is_bound_to_the_nonce_the_session_and_the_secret():
    token = security.csrf_token(b"k" * 32, "nonce", "session")
    assert security.csrf_valid(b"k" * 32, "nonce", "session", token)
    assert not security.csrf_valid(b"k" * 32, "nonce", "other-session", token)
    assert not security.csrf_valid(b"k" * 32, "other-nonce", "session", token)
    assert not security.csrf_valid(b"j" * 32, "nonce", "session", token)
    assert not security.csrf_valid(b"k" * 32, None, "session", token)
    assert not security.csrf_valid(b"k" * 32, "nonce", "session", "")


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/\\evil",
                                    "", None, "evil"])
def test_redirects_stay_on_the_site(target):
    assert security.safe_next(target) == "/"


def test_a_post_without_a_valid_token_is_a_403_page_in_the_pages_language():
    web = app.WebApp(settings_from(PARKMATCH_WEB_URL="http://127.0.0.1:8080"))
    route = next(r for r in app.ROUTES if r.name == "request_sign_in")
    request = Request(EnvironBuilder(
        method="POST", path="/sign-in", data={"email": "a@b.example", "csrf_token": "forged"},
        headers={"Cookie": "pm_csrf=abc; pm_lang=zh"}).get_environ())
    response = web.handle(route, request, {}, rpc=None)  # refused before any RPC
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "表单已失效" in body and '<html lang="zh">' in body
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_static_files_never_leave_the_static_folder():
    assert app.static_file("../config.py").status_code == 404
    assert app.static_file("style.css").status_code == 200


def test_an_alert_emails_introduction_link_opens_the_dashboards_introductions():
    from services.web.pages import Redirect

    routes = {r.path: r for r in app.ROUTES}
    for kind in ("company", "park", "partner"):
        route = routes[f"/{kind}/introductions/<introduction_id>"]
        assert (route.method, route.kind) == ("GET", kind)  # signed in as that kind first
        assert route.page(None, None) == Redirect(f"/{kind}#introductions")
