"""The pages every organisation's people share, whatever its kind: its
people (invite a colleague, remove one), accepting an invitation, API keys
for machine clients, and the in-app inbox with the person's alert
preferences. Each needs a signed-in person except the invitation, which
signs one in."""
from functools import wraps

from services.contracts.errors import Conflict, Forbidden, InvalidInput

from ..rendering import gettext_for
from . import Page, Redirect, Route
from .errors import N_, by_field
from .public import signed_in_redirect, status_of

ROLES = {"owner": N_("Owner"), "member": N_("Member")}
MODES = {"immediate": N_("At once, one e-mail per alert"),
         "digest": N_("Once a day, in a digest")}
TIME_ZONES = ("Asia/Seoul", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Tokyo", "Asia/Singapore",
              "Europe/London", "Europe/Berlin", "America/New_York", "UTC")

# The accounts' and notifications' messages a person may meet on these
# pages, as msgids (the services word them in English).
MESSAGES = {
    "already in use": N_("This e-mail address already belongs to a person on Parkmatch."),
    "use an IANA time zone, e.g. Asia/Seoul or Asia/Shanghai":
        N_("Use a time zone such as Asia/Seoul or Asia/Shanghai."),
    "use one of ko, zh, en": N_("Choose Korean, Chinese or English."),
}
REFUSALS = {
    "last_owner": N_("This person is the organisation's last owner and cannot be removed: "
                     "invite another owner first."),
    "owner_only": N_("Only an owner of the organisation may do this."),
}


def person_required(page):
    """Any organisation's page, for a signed-in person (not a machine key)."""
    @wraps(page)
    def guarded(visit, rpc):
        if not visit.actor or not visit.actor.get("person_id"):
            return Redirect("/sign-in")
        return page(visit, rpc)
    return guarded


def field_errors(details, lang):
    """by_field, with this area's own messages in the page's language too."""
    gettext = gettext_for(lang)
    return {name: [gettext(MESSAGES[message]) if message in MESSAGES else message
                   for message in messages]
            for name, messages in by_field(details, lang).items()}


def _refusal(lang, key):
    return gettext_for(lang)(REFUSALS[key])


def is_owner(visit):
    return (visit.actor or {}).get("role") == "owner"


# --- people ---------------------------------------------------------------------------------

def _people_page(visit, rpc, typed=None, errors=None, problem=None, status=200):
    listed = rpc.accounts.list_people(visit.actor, cursor=visit.args.get("cursor"))
    return Page("account_people.html", {
        "people": listed["items"], "next_cursor": listed["next_cursor"],
        "typed": typed or {"invite_language": visit.lang}, "errors": errors or {},
        "problem": problem, "roles": ROLES, "is_owner": is_owner(visit),
        "notice": visit.args.get("notice")}, status=status)


@person_required
def people(visit, rpc):
    return _people_page(visit, rpc)


def invitation_body(visit):
    """invite_person's arguments from the form; only an owner picks a role."""
    return {"email": visit.value("invite_email"), "name": visit.value("invite_name"),
            "language": visit.value("invite_language"),
            "role": visit.value("invite_role") or "member"}


@person_required
def invite(visit, rpc):
    body = invitation_body(visit)
    typed = {f"invite_{name}": value for name, value in body.items()}
    try:
        rpc.accounts.invite_person(visit.actor, body["email"], body["name"], body["language"],
                                   role=body["role"])
    except (InvalidInput, Conflict) as exc:
        errors = {f"invite_{name}": messages
                  for name, messages in field_errors(exc.details, visit.lang).items()}
        return _people_page(visit, rpc, typed, errors, None if errors else str(exc),
                            status=exc.status)
    except Forbidden:
        return _people_page(visit, rpc, typed, problem=_refusal(visit.lang, "owner_only"),
                            status=403)
    return Redirect("/account/people?notice=invited")


@person_required
def remove(visit, rpc):
    try:
        rpc.accounts.remove_person(visit.actor, visit.params["person_id"])
    except Conflict:
        return _people_page(visit, rpc, problem=_refusal(visit.lang, "last_owner"), status=409)
    except Forbidden:
        return _people_page(visit, rpc, problem=_refusal(visit.lang, "owner_only"), status=403)
    if visit.params["person_id"] == visit.actor["person_id"]:
        return Redirect("/")  # removed oneself: the session has ended
    return Redirect("/account/people?notice=removed")


# --- invitations ----------------------------------------------------------------------------

def confirm_invitation(visit, rpc):
    """A GET only shows a button: mail scanners open links too."""
    return Page("invitation_confirm.html", {"token": visit.params["token"]})


def accept_invitation(visit, rpc):
    try:
        signed_in = rpc.accounts.accept_invitation(visit.params["token"])
    except Exception as exc:  # noqa: BLE001  only a used, expired or taken one is shown
        status = status_of(exc)
        if status not in (404, 409, 410, 422):
            raise
        return Page("invitation_gone.html", {"taken": status == 409}, status=status)
    return signed_in_redirect(visit, signed_in)


# --- API keys -------------------------------------------------------------------------------

def _keys_page(visit, rpc, typed=None, errors=None, problem=None, status=200):
    listed = rpc.accounts.list_api_keys(visit.actor, cursor=visit.args.get("cursor"))
    return Page("account_api_keys.html", {
        "keys": listed["items"], "next_cursor": listed["next_cursor"],
        "typed": typed or {}, "errors": errors or {}, "problem": problem,
        "is_owner": is_owner(visit), "notice": visit.args.get("notice")}, status=status)


@person_required
def api_keys(visit, rpc):
    return _keys_page(visit, rpc)


def _key_shown_once(created, rotated=False):
    return Page("account_api_key_created.html", {"key": created, "rotated": rotated},
                status=201)


@person_required
def create_api_key(visit, rpc):
    typed = {"label": visit.value("label")}
    try:
        created = rpc.accounts.create_api_key(visit.actor, {"label": typed["label"]})
    except InvalidInput as exc:
        return _keys_page(visit, rpc, typed, field_errors(exc.details, visit.lang),
                          status=422)
    except Forbidden:
        return _keys_page(visit, rpc, typed, problem=_refusal(visit.lang, "owner_only"),
                          status=403)
    return _key_shown_once(created)


@person_required
def rotate_api_key(visit, rpc):
    try:
        created = rpc.accounts.rotate_api_key(visit.actor, visit.params["key_id"])
    except Conflict as exc:
        return _keys_page(visit, rpc, problem=str(exc), status=409)
    except Forbidden:
        return _keys_page(visit, rpc, problem=_refusal(visit.lang, "owner_only"), status=403)
    return _key_shown_once(created, rotated=True)


@person_required
def revoke_api_key(visit, rpc):
    try:
        rpc.accounts.revoke_api_key(visit.actor, visit.params["key_id"])
    except Forbidden:
        return _keys_page(visit, rpc, problem=_refusal(visit.lang, "owner_only"), status=403)
    return Redirect("/account/api-keys?notice=revoked")


# --- alerts: the inbox and the person's preferences ----------------------------------------

def _preferences(visit, rpc):
    """The person's preferences, or None while notifications has not yet
    heard of a person who joined a moment ago."""
    try:
        return rpc.notifications.get_alert_preferences(visit.actor)
    except Exception as exc:  # noqa: BLE001  only "not known yet" is shown as such
        if status_of(exc) != 404:
            raise
        return None


def _alerts_page(visit, rpc, typed=None, errors=None, status=200):
    preferences = _preferences(visit, rpc)
    if preferences is None:
        return Page("inbox.html", {"not_ready": True, "modes": MODES}, status=status)
    cursor = visit.args.get("cursor")
    inbox = rpc.notifications.list_inbox(visit.actor, limit=None, cursor=cursor or None)
    typed = typed or {"mode": preferences["mode"],
                      "digest_hour": str(preferences["digest_hour"]),
                      "time_zone": preferences["time_zone"]}
    return Page("inbox.html", {
        "alerts": inbox["items"], "next_cursor": inbox["next_cursor"],
        "preferences": preferences, "typed": typed, "errors": errors or {}, "modes": MODES,
        "hours": range(24), "time_zones": TIME_ZONES, "notice": visit.args.get("notice")},
        status=status)


@person_required
def alerts(visit, rpc):
    return _alerts_page(visit, rpc)


@person_required
def mark_read(visit, rpc):
    rpc.notifications.mark_read(visit.actor, visit.params["alert_id"])
    return Redirect("/account/alerts#inbox")


def preferences_body(visit):
    """set_alert_preferences' changes from the form: the hour as a number
    when it is one, else as typed (refused by name)."""
    hour = visit.value("digest_hour")
    return {"mode": visit.value("mode"),
            "digest_hour": int(hour) if hour.isdigit() else (hour or None),
            "time_zone": visit.value("time_zone") or None}


@person_required
def save_preferences(visit, rpc):
    typed = {name: visit.value(name) for name in ("mode", "digest_hour", "time_zone")}
    try:
        rpc.notifications.set_alert_preferences(visit.actor, preferences_body(visit))
    except InvalidInput as exc:
        return _alerts_page(visit, rpc, typed, field_errors(exc.details, visit.lang),
                            status=422)
    return Redirect("/account/alerts?notice=saved#preferences")


def unread_alerts(rpc, visit):
    """How many of the organisation's alerts the signed-in person has not
    read (the header shows it); None when that is not known."""
    if not visit.actor or not visit.actor.get("person_id"):
        return None
    summary = rpc.notifications.inbox_summary(visit.actor)
    return summary.get("unread")


ROUTES = (
    Route("account_people", "GET", "/account/people", people),
    Route("invite_person", "POST", "/account/people", invite),
    Route("remove_person", "POST", "/account/people/<person_id>/remove", remove),
    Route("confirm_invitation", "GET", "/invitations/<token>", confirm_invitation),
    Route("accept_invitation", "POST", "/invitations/<token>", accept_invitation),
    Route("account_api_keys", "GET", "/account/api-keys", api_keys),
    Route("create_api_key", "POST", "/account/api-keys", create_api_key),
    Route("rotate_api_key", "POST", "/account/api-keys/<key_id>/rotate", rotate_api_key),
    Route("revoke_api_key", "POST", "/account/api-keys/<key_id>/revoke", revoke_api_key),
    Route("account_alerts", "GET", "/account/alerts", alerts),
    Route("mark_alert_read", "POST", "/account/alerts/<alert_id>/read", mark_read),
    Route("save_alert_preferences", "POST", "/account/alerts/preferences", save_preferences),
)
