"""The landing page, signing in by an e-mailed link, signing out, and the
language switch."""
import logging
from datetime import UTC, datetime

from services.contracts.errors import ParkmatchError
from services.platform import i18n

from ..security import LANG_COOKIE, SESSION_COOKIE, safe_next
from . import Cookie, Page, Redirect, Route

log = logging.getLogger(__name__)
DASHBOARDS = {"company": "/company", "park": "/park", "partner": "/partner",
              "operator": "/operator"}
YEAR = 365 * 24 * 3600


def status_of(exc):
    """The HTTP status an RPC error stands for (errors the web app's copy
    of the contracts does not know yet come back as nameko RemoteErrors)."""
    status = getattr(exc, "status", None)
    if status:
        return status
    return {"TooManyRequests": 429, "Gone": 410}.get(getattr(exc, "exc_type", None))


def details_of(exc):
    details = getattr(exc, "details", None)
    return details if isinstance(details, dict) else {}


def landing(visit, rpc):
    if visit.actor and visit.actor.get("kind") in DASHBOARDS:
        dashboard = DASHBOARDS[visit.actor["kind"]]
    else:
        dashboard = None
    return Page("landing.html", {"dashboard": dashboard})


def sign_in_form(visit, rpc):
    return Page("sign_in.html", {"email": ""})


def request_sign_in(visit, rpc):
    email = visit.value("email")
    if "@" not in email:
        return Page("sign_in.html", {"email": email, "email_error": True}, status=422)
    try:
        rpc.accounts.request_sign_in(email, visit.lang, visit.client_address)
    except Exception as exc:  # noqa: BLE001  only a rate limit is shown as such
        if status_of(exc) != 429:
            raise
        seconds = details_of(exc).get("retry_after") or 900
        minutes = max(1, -(-int(seconds) // 60))
        return Page("sign_in.html", {"email": email, "too_many": True, "minutes": minutes},
                    status=429)
    return Page("check_email.html", {"email": email})


def confirm_sign_in(visit, rpc):
    """A GET only shows a button: mail scanners that prefetch the link must
    not use it up."""
    return Page("sign_in_confirm.html", {"token": visit.params["token"]})


def complete_sign_in(visit, rpc):
    try:
        signed_in = rpc.accounts.complete_sign_in(visit.params["token"])
    except Exception as exc:  # noqa: BLE001
        if status_of(exc) not in (404, 410, 422):
            raise
        return Page("sign_in_gone.html", {}, status=410)
    return signed_in_redirect(visit, signed_in)


def signed_in_redirect(visit, signed_in):
    """Where a person lands once accounts started their session (a sign-in
    link or an accepted invitation): the session cookie, their language,
    their organisation's dashboard."""
    person = signed_in["person"]
    cookies = [Cookie(SESSION_COOKIE, signed_in["session_token"],
                      max_age=_seconds_until(signed_in.get("expires_at")))]
    if i18n.supported(person.get("language")) and visit.lang != person["language"]:
        cookies.append(Cookie(LANG_COOKIE, person["language"], max_age=YEAR))
    kind = (person.get("organisation") or {}).get("kind")
    return Redirect(DASHBOARDS.get(kind, "/"), cookies=cookies)


def sign_out(visit, rpc):
    if visit.session_token:
        try:
            rpc.accounts.sign_out(visit.session_token)
        except ParkmatchError:
            pass  # already gone: signing out again is fine
    return Redirect("/", cookies=[Cookie(SESSION_COOKIE, delete=True)])


def set_language(visit, rpc):
    """The page language; a signed-in person's is also kept for their e-mails."""
    lang = i18n.supported(visit.params.get("code")) or visit.lang
    if visit.actor and visit.actor.get("person_id") and \
            (visit.person or {}).get("language") != lang:
        try:
            rpc.accounts.set_language(visit.actor, lang)
        except ParkmatchError:
            log.warning("could not keep the language of person %s", visit.actor["person_id"])
    return Redirect(safe_next(visit.args.get("next")),
                    cookies=[Cookie(LANG_COOKIE, lang, max_age=YEAR)])


def _seconds_until(moment):
    if not moment:
        return None
    until = datetime.fromisoformat(moment)
    if until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    return max(0, int((until - datetime.now(UTC)).total_seconds()))


ROUTES = (
    Route("landing", "GET", "/", landing),
    Route("sign_in_form", "GET", "/sign-in", sign_in_form),
    Route("request_sign_in", "POST", "/sign-in", request_sign_in),
    Route("confirm_sign_in", "GET", "/sign-in/<token>", confirm_sign_in),
    Route("complete_sign_in", "POST", "/sign-in/<token>", complete_sign_in),
    Route("sign_out", "POST", "/sign-out", sign_out),
    Route("set_language", "GET", "/language/<code>", set_language),
)
