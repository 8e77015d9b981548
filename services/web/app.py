"""HTTP around the page functions: the language, the session, CSRF, the
security headers, and errors as pages in the page's language. No nameko
here: service.py hands in the RPC proxies and the werkzeug request."""
import logging
import mimetypes
from pathlib import Path

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from services.contracts.errors import (
    Forbidden,
    NotFound,
    ParkmatchError,
    ServiceUnavailable,
    Unauthenticated,
)
from services.platform import i18n

from . import rendering, security
from .pages import (
    Page,
    Redirect,
    Visit,
    account,
    company,
    dashboards,
    directory,
    operator,
    operator_organisations,
    operator_rounds,
    park,
    partner,
    public,
    register,
)

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"


# A form post larger than this is a 413 page (the gateway's JSON default);
# werkzeug refuses it on Content-Length before reading.
MAX_FORM_BYTES = 1024 * 1024
MAX_FORM_MEMORY_BYTES = 500 * 1024  # one field's value held in memory

ROUTES = (*public.ROUTES, *register.ROUTES, *company.ROUTES, *park.ROUTES,
          *partner.ROUTES, *dashboards.ROUTES, *account.ROUTES, *operator.ROUTES,
          *operator_rounds.ROUTES, *operator_organisations.ROUTES, *directory.ROUTES)


class WebApp:
    def __init__(self, settings):
        self.settings = settings

    def handle(self, route, request, params, rpc):
        """One request: always a werkzeug Response."""
        lang = i18n.negotiate(request.cookies.get(security.LANG_COOKIE),
                              request.headers.get("Accept-Language"))
        nonce = request.cookies.get(security.CSRF_COOKIE)
        fresh_nonce = None if nonce else security.new_nonce()
        session_token = request.cookies.get(security.SESSION_COOKIE) or None
        form = form_of(request)
        visit = Visit(lang=lang, path=request.full_path.rstrip("?"), params=params,
                      form=form or {},
                      args=request.args.to_dict(), client_address=request.remote_addr)
        base = {"csrf_token": security.csrf_token(self.settings.secret, nonce or fresh_nonce,
                                                  session_token),
                "path": visit.path}
        try:
            if form is None:
                result = Page("error.html", {"reason": "too_large"}, status=413)
            elif request.method == "POST" and not security.csrf_valid(
                    self.settings.secret, nonce, session_token,
                    request.form.get(security.CSRF_FIELD)):
                result = Page("error.html", {"reason": "csrf"}, status=403)
            else:
                result = self._run(route, visit, rpc, session_token)
        except NotFound:
            result = Page("error.html", {"reason": "not_found"}, status=404)
        except Forbidden:
            result = Page("error.html", {"reason": "forbidden"}, status=403)
        except Unauthenticated:
            result = Redirect("/sign-in")
        except ParkmatchError as exc:
            result = Page("error.html", {"reason": "refused", "message": str(exc)},
                          status=exc.status)
        except ServiceUnavailable:
            result = Page("error.html", {"reason": "unavailable"}, status=503)
        except Exception:
            log.exception("%s %s failed", request.method, request.path)
            result = Page("error.html", {"reason": "internal"}, status=500)
        base["unread_alerts"] = self._unread(result, visit, rpc)
        response = self._respond(result, {**base, "person": visit.person,
                                          "actor": visit.actor}, lang)
        if fresh_nonce:
            response.set_cookie(security.CSRF_COOKIE, fresh_nonce,
                                **security.cookie_options(self.settings.secure_cookies))
        return response

    def _run(self, route, visit, rpc, session_token):
        if session_token:
            resolved = rpc.accounts.resolve_session(session_token)
            if resolved:
                visit.actor, visit.person = resolved["actor"], resolved["person"]
                visit.session_token = session_token
        if route.kind:
            if visit.actor is None:
                return Redirect("/sign-in")
            if visit.actor.get("kind") != route.kind:
                return Page("error.html", {"reason": "forbidden"}, status=403)
        return route.page(visit, rpc)

    def _unread(self, result, visit, rpc):
        """The header's unread count; a page is shown without it rather
        than not at all."""
        if not isinstance(result, Page):
            return None
        try:
            return account.unread_alerts(rpc, visit)
        except (ParkmatchError, ServiceUnavailable):
            return None

    def _respond(self, result, base, lang):
        if isinstance(result, Redirect):
            response = Response(status=result.status, headers={"Location": result.location})
        else:
            body = rendering.render(result.template, {**base, **result.context}, lang)
            response = Response(body, status=result.status, mimetype="text/html")
        for cookie in result.cookies:
            if cookie.delete:
                response.delete_cookie(cookie.name, path="/")
            else:
                response.set_cookie(cookie.name, cookie.value, **security.cookie_options(
                    self.settings.secure_cookies, cookie.max_age))
        response.headers["Content-Language"] = lang
        response.headers["Cache-Control"] = "no-store"
        return secured(response)


def form_of(request):
    """The posted form as {field: [values]}, or None when it is too large."""
    request.max_content_length = MAX_FORM_BYTES
    request.max_form_memory_size = MAX_FORM_MEMORY_BYTES
    try:
        return {key: request.form.getlist(key) for key in request.form}
    except RequestEntityTooLarge:
        return None


def secured(response):
    response.headers.update(security.HEADERS)
    return response


def static_file(name):
    """A file under static/, or a 404; never a path outside it."""
    path = (STATIC / name).resolve()
    if STATIC not in path.parents or not path.is_file():
        return secured(Response("not found", status=404, mimetype="text/plain"))
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    response = Response(path.read_bytes(), mimetype=mimetype)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return secured(response)
