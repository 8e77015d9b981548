"""The partner's subscriptions: which alerts it wants (sectors in any
language, regions, parks, company countries, a minimum score, event kinds),
in which language, on which channels, at once or in a daily or weekly
digest at a local hour. notifications validates exactly as for the API;
each field's message is shown next to it in the page's language."""
from babel.dates import get_day_names

from services.contracts.errors import InvalidInput, NotFound
from services.contracts.vocabulary import ALERT_EVENT_KINDS
from services.platform import i18n

from ..rendering import sector_label
from . import Page, Redirect, Route
from .errors import N_, by_field
from .partner_nav import partner_context

TEXT_FIELDS = ("sectors", "regions", "parks", "countries", "min_score", "language", "mode",
               "digest_frequency", "digest_hour", "digest_weekday")
FORM_FIELDS = (*TEXT_FIELDS, "event_kinds", "channel_ids", "digest")
NOTICES = {"added": N_("The subscription was added."),
           "changed": N_("The subscription was changed."),
           "deleted": N_("The subscription was deleted.")}


def split_terms(text):
    """Comma-separated terms (Chinese and Japanese commas too), stripped."""
    for comma in ("，", "、", ";", "\n"):
        text = text.replace(comma, ",")
    return [term.strip() for term in text.split(",") if term.strip()]


def regions_of(text):
    """One region a line: "CN, Heilongjiang, Harbin" (country, then
    province and city if given)."""
    found = []
    for line in text.splitlines():
        parts = [part.strip() for part in line.replace("，", ",").replace("/", ",").split(",")]
        if not any(parts):
            continue
        parts += [""] * (3 - len(parts))
        found.append({"country": parts[0].upper(), "province": parts[1] or None,
                      "city": parts[2] or None})
    return found


def _number(text, kind=float):
    """A number if the text is one, else the text as typed (notifications
    refuses it by name)."""
    try:
        return kind(text.replace(",", ".") if kind is float else text)
    except ValueError:
        return text


def subscription_body(visit):
    """The JSON body POST (or PATCH) /api/partners/<id>/subscriptions would
    take: every field, so that a change replaces what the form shows."""
    mode = visit.value("mode") or "immediate"
    digest = None
    if mode == "digest":
        frequency = visit.value("digest_frequency")
        digest = {"frequency": frequency, "hour": _number(visit.value("digest_hour"), int),
                  "weekday": _number(visit.value("digest_weekday"), int)
                  if frequency == "weekly" else None}
    return {
        "sectors": split_terms(visit.value("sectors")),
        "regions": regions_of(visit.value("regions")),
        "parks": split_terms(visit.value("parks")),
        "countries": [code.upper() for code in split_terms(visit.value("countries"))],
        "min_score": _number(visit.value("min_score")) if visit.value("min_score") else 0.0,
        # none ticked means every kind, as leaving the field out does in the API
        "event_kinds": visit.values("event_kinds") or list(ALERT_EVENT_KINDS),
        "language": visit.value("language") or None,
        "mode": mode, "digest": digest,
        "channel_ids": visit.values("channel_ids"),
    }


def field_errors(details, lang):
    """by_field's messages, folded into the form's fields (a region's
    country is the regions field's)."""
    folded = {}
    for name, messages in by_field(details, lang).items():
        field = name if name in FORM_FIELDS else next(
            (f for f in FORM_FIELDS if name.startswith(f + "_")), "_form")
        folded.setdefault(field, []).extend(messages)
    return folded


def typed_from(subscription, lang):
    """What the form shows for a stored subscription."""
    digest = subscription.get("digest") or {}
    kinds = subscription.get("event_kinds") or []
    return {
        "sectors": ", ".join(sector_label(code, lang) for code in subscription["sectors"]),
        "regions": "\n".join(", ".join(value for value in (region["country"],
                                                           region.get("province"),
                                                           region.get("city")) if value)
                             for region in subscription["regions"]),
        "parks": ", ".join(subscription["parks"]),
        "countries": ", ".join(subscription["countries"]),
        "min_score": i18n.format_number(subscription.get("min_score") or 0, "en"),
        "language": subscription.get("language") or "",
        "mode": subscription.get("mode") or "immediate",
        "digest_frequency": digest.get("frequency") or "daily",
        "digest_hour": str(digest.get("hour", 8)),
        "digest_weekday": str(digest.get("weekday") or 0),
        "event_kinds": [] if set(kinds) == set(ALERT_EVENT_KINDS) else kinds,
        "channel_ids": subscription.get("channel_ids") or [],
    }


def typed_from_form(visit):
    typed = {name: visit.value(name) for name in TEXT_FIELDS}
    typed.update(event_kinds=visit.values("event_kinds"), channel_ids=visit.values("channel_ids"))
    return typed


def _form(visit, rpc, typed, errors=None, subscription_id=None, status=200):
    actor = visit.actor
    partner = rpc.notifications.get_partner(actor, actor["id"])
    channels = rpc.notifications.list_channels(actor, actor["id"])["items"]
    return Page("partner_subscription_form.html", partner_context(
        visit, "subscriptions", typed=typed, errors=errors or {}, channels=channels,
        subscription_id=subscription_id, event_kinds=ALERT_EVENT_KINDS,
        weekdays=sorted(get_day_names("wide", locale=i18n.babel_locale(visit.lang)).items()),
        time_zone=partner.get("time_zone")), status=status)


def subscriptions_page(visit, rpc):
    actor = visit.actor
    listed = rpc.notifications.list_subscriptions(actor, actor["id"],
                                                  cursor=visit.args.get("cursor"))
    channels = {c["id"]: c for c in rpc.notifications.list_channels(actor, actor["id"])["items"]}
    partner = rpc.notifications.get_partner(actor, actor["id"])
    weekdays = get_day_names("wide", locale=i18n.babel_locale(visit.lang))
    return Page("partner_subscriptions.html", partner_context(
        visit, "subscriptions", subscriptions=listed["items"], listing=listed,
        channels=channels, weekdays=weekdays, all_kinds=set(ALERT_EVENT_KINDS),
        time_zone=partner.get("time_zone"), notice=NOTICES.get(visit.args.get("notice"))))


def new_subscription(visit, rpc):
    return _form(visit, rpc, {"mode": "immediate", "digest_frequency": "daily",
                              "digest_hour": "8", "digest_weekday": "0", "min_score": "0",
                              "event_kinds": [], "channel_ids": []})


def add_subscription(visit, rpc):
    actor = visit.actor
    try:
        rpc.notifications.add_subscription(actor, actor["id"], subscription_body(visit))
    except InvalidInput as exc:
        return _form(visit, rpc, typed_from_form(visit), field_errors(exc.details, visit.lang),
                     status=422)
    return Redirect("/partner/subscriptions?notice=added")


def _stored(rpc, actor, subscription_id):
    cursor = None
    while True:
        listed = rpc.notifications.list_subscriptions(actor, actor["id"], cursor=cursor)
        for subscription in listed["items"]:
            if subscription["id"] == subscription_id:
                return subscription
        cursor = listed.get("next_cursor")
        if not cursor:
            raise NotFound(f"no subscription {subscription_id}")


def edit_subscription(visit, rpc):
    subscription_id = visit.params["subscription_id"]
    stored = _stored(rpc, visit.actor, subscription_id)
    return _form(visit, rpc, typed_from(stored, visit.lang), subscription_id=subscription_id)


def change_subscription(visit, rpc):
    actor, subscription_id = visit.actor, visit.params["subscription_id"]
    try:
        rpc.notifications.update_subscription(actor, actor["id"], subscription_id,
                                              subscription_body(visit))
    except InvalidInput as exc:
        return _form(visit, rpc, typed_from_form(visit), field_errors(exc.details, visit.lang),
                     subscription_id=subscription_id, status=422)
    return Redirect("/partner/subscriptions?notice=changed")


def delete_subscription(visit, rpc):
    actor = visit.actor
    rpc.notifications.delete_subscription(actor, actor["id"], visit.params["subscription_id"])
    return Redirect("/partner/subscriptions?notice=deleted")


ROUTES = (
    Route("partner_subscriptions", "GET", "/partner/subscriptions", subscriptions_page,
          "partner"),
    Route("partner_new_subscription", "GET", "/partner/subscriptions/new", new_subscription,
          "partner"),
    Route("partner_add_subscription", "POST", "/partner/subscriptions", add_subscription,
          "partner"),
    Route("partner_edit_subscription", "GET", "/partner/subscriptions/<subscription_id>",
          edit_subscription, "partner"),
    Route("partner_change_subscription", "POST", "/partner/subscriptions/<subscription_id>",
          change_subscription, "partner"),
    Route("partner_delete_subscription", "POST",
          "/partner/subscriptions/<subscription_id>/delete", delete_subscription, "partner"),
)
