"""The people of companies, parks and partners, as notifications knows them:
the directory kept from accounts' person.* events, each person's alert
preferences, and their organisation's in-app inbox.

The actor of the RPCs here comes from a web session: it carries the
person_id (and the organisation as kind and id)."""
from services.contracts.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from services.platform import clock
from services.platform.validation import load_input

from .. import config, people_texts, recipients, storage
from ..people_schemas import AlertPreferencesIn, InboxOptions


def people_changed(db, event):
    """person.enrolled / .updated / .removed: keep the directory row, unless
    a later change is held already (events may arrive out of order)."""
    kind, person = event.type, event.payload

    def work(uow):
        conn = uow.connection
        stored = storage.get_person(conn, person["person_id"], for_update=True)
        if not recipients.is_newer(person, stored):
            return False
        storage.save_person(conn, recipients.recipient_from_event(kind, person, stored))
        return True

    return db.handle(config.PEOPLE_CONSUMER, event, work)


def _person_of(conn, actor, for_update=False):
    """The directory row of the signed-in person the actor names."""
    if not actor or not actor.get("kind"):
        raise Unauthenticated("sign in first")
    person_id = actor.get("person_id")
    if not isinstance(person_id, str) or not person_id:
        raise Forbidden("only a signed-in person has alert preferences and an inbox")
    person = storage.get_person(conn, person_id, for_update=for_update)
    if person is None or person["removed"]:
        raise NotFound(f"no person {person_id} is known to notifications (yet)")
    if (actor.get("kind"), actor.get("id")) != (person["organisation_kind"],
                                                person["organisation_id"]):
        raise Forbidden("this person belongs to another organisation")
    return person


def _organisation(person):
    return recipients.organisation(person["organisation_kind"], person["organisation_id"])


# --- preferences ---------------------------------------------------------------------------

def get_alert_preferences(db, settings, actor):
    person = db.run(lambda uow: _person_of(uow.connection, actor))
    return recipients.preferences_of(person, settings.default_digest_hour)


def set_alert_preferences(db, settings, actor, prefs):
    """{mode: immediate | digest, digest_hour: 0-23 (local), time_zone: IANA};
    each may be left out (unchanged)."""
    changes = load_input(AlertPreferencesIn(), prefs if prefs is not None else {},
                         partial=True)
    if not changes:
        raise InvalidInput({"_schema": ["give mode, digest_hour or time_zone"]})

    def work(uow):
        person = {**_person_of(uow.connection, actor, for_update=True), **changes}
        storage.save_person(uow.connection, person)
        return person

    return recipients.preferences_of(db.run(work), settings.default_digest_hour)


# --- the inbox -------------------------------------------------------------------------------

def _item(alert, language, web_url):
    text = people_texts.describe(alert, language, web_url)
    return {"id": alert["id"], "type": alert["type"], "subject_id": alert["subject_id"],
            "occurred_at": alert["occurred_at"].isoformat(),
            "created_at": alert["created_at"].isoformat(), "read": alert["read"],
            "title": text["title"], "lines": text["lines"], "link": text["link"],
            "link_label": text["link_label"]}


def list_inbox(db, settings, actor, limit=None, cursor=None):
    """The person's organisation's alerts, newest first, in the person's
    language, each read or unread for this person; `next_cursor` gives the
    next page (None after the last)."""
    given = {"limit": limit, "cursor": cursor}
    options = load_input(InboxOptions(), {k: v for k, v in given.items() if v is not None})
    before = None
    if options["cursor"] is not None:
        before = recipients.decode_cursor(options["cursor"])
        if before is None:
            raise InvalidInput({"cursor": ["not a cursor this listing gave"]})

    def work(uow):
        person = _person_of(uow.connection, actor)
        page = storage.inbox(uow.connection, _organisation(person), person["person_id"],
                             options["limit"] + 1, before)
        return person, page

    person, page = db.run(work)
    more = len(page) > options["limit"]
    page = page[:options["limit"]]
    next_cursor = recipients.encode_cursor(page[-1]["created_at"], page[-1]["id"]) \
        if more else None
    return {"items": [_item(alert, person["language"], settings.web_url) for alert in page],
            "next_cursor": next_cursor}


def mark_read(db, actor, alert_id):
    def work(uow):
        person = _person_of(uow.connection, actor)
        alert = storage.organisation_alert(uow.connection, _organisation(person), alert_id) \
            if isinstance(alert_id, str) else None
        if alert is None:
            raise NotFound(f"your organisation's inbox has no alert {alert_id}")
        storage.mark_read(uow.connection, alert["id"], person["person_id"], clock.real_now())
        return {"id": alert["id"], "read": True}

    return db.run(work)


def inbox_summary(db, actor):
    """{unread, total} of the person's organisation's inbox."""
    def work(uow):
        person = _person_of(uow.connection, actor)
        return storage.inbox_counts(uow.connection, _organisation(person), person["person_id"])

    return db.run(work)
