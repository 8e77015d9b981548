"""CSRF tokens, cookies and the headers every response carries.

A CSRF token is an HMAC over a random per-browser nonce (the `pm_csrf`
cookie) and the session token, if there is one: a signed double-submit
cookie for anonymous forms, bound to the session once signed in. A form
posted from another site has neither the nonce nor the key."""
import hashlib
import hmac
import secrets

SESSION_COOKIE = "pm_session"
CSRF_COOKIE = "pm_csrf"
LANG_COOKIE = "pm_lang"
CSRF_FIELD = "csrf_token"

HEADERS = {
    "Content-Security-Policy": "default-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # sign-in tokens are in URLs
    "X-Content-Type-Options": "nosniff",
}


def new_nonce():
    return secrets.token_urlsafe(24)


def csrf_token(secret, nonce, session_token=None):
    message = f"csrf|{nonce}|{session_token or ''}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def csrf_valid(secret, nonce, session_token, submitted):
    if not nonce or not submitted:
        return False
    return hmac.compare_digest(csrf_token(secret, nonce, session_token), submitted)


def cookie_options(secure, max_age=None):
    """What werkzeug's set_cookie takes for every cookie the app sets."""
    return {"httponly": True, "samesite": "Lax", "secure": secure, "path": "/",
            "max_age": max_age}


def safe_next(path, default="/"):
    """A local path to go back to; anything that could leave the site is
    replaced by `default` (//evil.example, https://..., backslashes)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return default
    return path
