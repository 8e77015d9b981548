"""The partner's channels: webhook URLs and e-mail addresses, enabled or
disabled (and why); add, change, enable/disable, delete, rotate a webhook's
signing secret (shown once) and send a test alert. The same RPC methods as
the API's /api/partners/<id>/channels routes."""
import re

from services.contracts.errors import Conflict, InvalidInput, NotFound

from ..rendering import gettext_for
from . import Page, Redirect, Route
from .errors import N_, by_field
from .partner_nav import partner_context

CHANNEL_FIELDS = ("kind", "url", "address", "label")
DISABLED_REASONS = {"disabled by the partner": N_("disabled by you")}
FAILURES = re.compile(r"^(?P<count>\d+) deliveries in a row failed$")
NOTICES = {
    "changed": N_("The channel was changed."),
    "enabled": N_("The channel is enabled again."),
    "disabled": N_("The channel is disabled: nothing is sent to it until you enable it."),
    "deleted": N_("The channel was deleted."),
    "test_sent": N_("A test alert is on its way. Its delivery is in the delivery log."),
}


def disabled_reason(reason, gettext):
    """Why a channel is disabled, in the page's language (the service says it
    in English; a reason the web app does not know is shown as it came)."""
    if not reason:
        return ""
    if reason in DISABLED_REASONS:
        return gettext(DISABLED_REASONS[reason])
    found = FAILURES.match(reason)
    if found:
        return gettext(N_("%(count)s deliveries in a row failed")) % found.groupdict()
    return reason


def channel_body(visit):
    """The JSON body POST /api/partners/<id>/channels would take."""
    kind = visit.value("kind")
    body = {"kind": kind, "label": visit.value("label") or None}
    if kind == "email":
        body["address"] = visit.value("address")
    else:
        body["url"] = visit.value("url")
    return body


def change_body(visit, kind):
    """The PATCH body of a channel's edit form: its label and its target."""
    body = {"label": visit.value("label") or None}
    target = "address" if kind == "email" else "url"
    body[target] = visit.value(target)
    return body


def channels_page(visit, rpc, status=200, **shown):
    actor = visit.actor
    listed = rpc.notifications.list_channels(actor, actor["id"],
                                             cursor=visit.args.get("cursor"))
    gettext = gettext_for(visit.lang)
    channels = [{**channel, "reason": disabled_reason(channel.get("disabled_reason"), gettext)}
                for channel in listed["items"]]
    typed = shown.pop("typed", None) or {"kind": "webhook"}
    return Page("partner_channels.html", partner_context(
        visit, "channels", channels=channels, listing=listed, typed=typed,
        errors=shown.pop("errors", {}), notice=NOTICES.get(visit.args.get("notice")),
        **shown), status=status)


def add_channel(visit, rpc):
    actor = visit.actor
    try:
        created = rpc.notifications.add_channel(actor, actor["id"], channel_body(visit))
    except InvalidInput as exc:
        typed = {name: visit.value(name) for name in CHANNEL_FIELDS}
        return channels_page(visit, rpc, status=422, typed=typed,
                             errors=by_field(exc.details, visit.lang))
    return channels_page(visit, rpc, status=201, created=created["channel"],
                         secret=created["secret"])


def _channel(rpc, actor, channel_id):
    """One of the partner's channels (a 404 page if it has no such one)."""
    cursor = None
    while True:
        listed = rpc.notifications.list_channels(actor, actor["id"], cursor=cursor)
        for channel in listed["items"]:
            if channel["id"] == channel_id:
                return channel
        cursor = listed.get("next_cursor")
        if not cursor:
            raise NotFound(f"no channel {channel_id}")


def change_channel(visit, rpc):
    actor, channel_id = visit.actor, visit.params["channel_id"]
    channel = _channel(rpc, actor, channel_id)
    try:
        rpc.notifications.update_channel(actor, actor["id"], channel_id,
                                         change_body(visit, channel["kind"]))
    except InvalidInput as exc:
        typed = {name: visit.value(name) for name in ("label", "url", "address")}
        return channels_page(visit, rpc, status=422, editing=channel_id, edit_typed=typed,
                             edit_errors=by_field(exc.details, visit.lang))
    return Redirect("/partner/channels?notice=changed")


def switch_channel(visit, rpc):
    actor = visit.actor
    enabled = visit.value("enabled") == "1"
    rpc.notifications.update_channel(actor, actor["id"], visit.params["channel_id"],
                                     {"enabled": enabled})
    return Redirect(f"/partner/channels?notice={'enabled' if enabled else 'disabled'}")


def delete_channel(visit, rpc):
    actor = visit.actor
    rpc.notifications.delete_channel(actor, actor["id"], visit.params["channel_id"])
    return Redirect("/partner/channels?notice=deleted")


def rotate_secret(visit, rpc):
    actor = visit.actor
    try:
        rotated = rpc.notifications.rotate_channel_secret(actor, actor["id"],
                                                          visit.params["channel_id"])
    except Conflict as exc:
        return channels_page(visit, rpc, status=409, problem=str(exc))
    return channels_page(visit, rpc, rotated=rotated)


def send_test(visit, rpc):
    actor = visit.actor
    try:
        rpc.notifications.send_test(actor, actor["id"], visit.params["channel_id"])
    except Conflict:
        return channels_page(visit, rpc, status=409, problem=N_(
            "This channel is disabled: enable it, then send a test."))
    return Redirect("/partner/channels?notice=test_sent")


ROUTES = (
    Route("partner_channels", "GET", "/partner/channels", channels_page, "partner"),
    Route("partner_add_channel", "POST", "/partner/channels", add_channel, "partner"),
    Route("partner_change_channel", "POST", "/partner/channels/<channel_id>", change_channel,
          "partner"),
    Route("partner_switch_channel", "POST", "/partner/channels/<channel_id>/enabled",
          switch_channel, "partner"),
    Route("partner_delete_channel", "POST", "/partner/channels/<channel_id>/delete",
          delete_channel, "partner"),
    Route("partner_rotate_secret", "POST", "/partner/channels/<channel_id>/secret-rotations",
          rotate_secret, "partner"),
    Route("partner_test_send", "POST", "/partner/channels/<channel_id>/test-sends", send_test,
          "partner"),
)
