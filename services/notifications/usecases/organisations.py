"""Alerts to organisations (companies, parks, partners as organisations of
people): one inbox alert per organisation per fact, and one e-mail per
person about it, at once or in their daily digest (the partners' machinery:
alerts with dedupe keys, deliveries and their sender, the daily budget).

Called inside the unit of work of the partner fan-out for the same event,
so both share one inbox row: a redelivered event does nothing.
Business clock (clock.now()) for alert times, budgets and digest hours;
deliveries start on the real clock."""
import logging

from services.platform import clock
from services.platform.serialization import to_document

from .. import domain, people_texts, recipients, storage

log = logging.getLogger(__name__)


def _context(conn, org, kind, payload):
    """Names the event does not carry, for the texts: the park, demand and
    company of the match an introduction is about (from the organisation's
    earlier match alert), and a requesting partner's names."""
    if not kind.startswith("introduction."):
        return None
    context = {}
    earlier = storage.latest_organisation_alert_about(conn, org, payload["match_id"])
    if earlier is not None and earlier["type"] == recipients.MATCH_FOUND:
        match = earlier["data"]
        context.update(company_names=match["company"]["names"],
                       park_names=match["demand"]["park_names"],
                       demand_title=match["demand"]["title"])
    requester = payload["requester"]
    if requester["kind"] == recipients.PARTNER:
        partner = storage.get_partner(conn, requester["id"])
        if partner is not None:
            context["requester_names"] = partner["names"]
    return context


def email_to(person, alert, now):
    delivery = domain.new_delivery(alert, person["email"], now, kind=domain.EMAIL)
    delivery.update(person_id=person["person_id"], language=person["language"])
    return delivery


def _tell(conn, settings, person, alert, now):
    """One entry in the person's ledger (never twice: unique per person and
    alert), and an e-mail now unless it waits for their digest."""
    since = domain.local_day_start(recipients.time_zone_of(person), now)
    sent_today = storage.person_alerts_since(conn, person["person_id"], since, domain.SENT_NOW)
    route = recipients.plan_for_person(person, sent_today, settings.person_daily_budget,
                                       settings.default_digest_hour, now)
    entry = {"id": domain.new_id(), "person_id": person["person_id"], "alert_id": alert["id"],
             "subject_id": alert["subject_id"], "disposition": route["disposition"],
             "created_at": now, "due_at": route["due_at"], "digest_alert_id": None}
    if storage.insert_person_alert(conn, entry) and route["disposition"] == domain.SENT_NOW:
        storage.insert_delivery(conn, email_to(person, alert, clock.real_now()))


def alert_organisations(conn, settings, kind, payload, subject, event):
    """The organisations this event concerns (recipients.audiences): an inbox
    alert each (unless they have it), and their people told. A withdrawn
    match leaves every person's pending digest. Returns the new alert ids."""
    if kind == domain.MATCH_WITHDRAWN:
        waiting = storage.waiting_person_alerts_about(conn, subject["id"],
                                                      recipients.PENDING_DIGEST)
        storage.set_person_alerts(conn, waiting, disposition=domain.DROPPED)
        return []
    if kind not in recipients.PEOPLE_ALERT_KINDS:
        return []
    now = clock.now()
    document = to_document(payload)
    content = domain.content_hash(document)
    created = []
    for org in recipients.audiences(kind, payload):
        context = _context(conn, org, kind, payload)
        data = {**document, "context": context} if context else document
        alert = recipients.new_organisation_alert(org, kind, subject, event.occurred_at, data,
                                                  now, content)
        if not storage.insert_alert(conn, alert):
            continue
        for person in storage.people_of(conn, org):
            _tell(conn, settings, person, alert, now)
        created.append(alert["id"])
    if created:
        log.info("%s %s: %d organisation alert(s)", kind, subject["id"], len(created))
    return created


# --- digests ------------------------------------------------------------------------------

def _send_digest(conn, person, entries, now):
    alerts = storage.alerts_by_id(conn, {entry["alert_id"] for entry in entries})
    ordered = sorted(alerts.values(), key=lambda alert: (alert["created_at"], alert["id"]))
    digest_id = domain.new_id()
    digest = domain.new_alert(None, domain.DIGEST, digest_id, 1, now,
                              {"schedule": "daily", "count": len(ordered),
                               "alert_ids": [alert["id"] for alert in ordered]},
                              now, fact=digest_id)
    digest.update(disposition=domain.NOTICE, language=person["language"],
                  organisation_kind=person["organisation_kind"],
                  organisation_id=person["organisation_id"])
    storage.insert_alert(conn, digest)
    storage.insert_delivery(conn, email_to(person, digest, clock.real_now()))
    return digest_id


def send_due_person_digests(db):
    """Every person's daily digest whose local hour has come: one e-mail with
    each alert still waiting for them. Returns the digest alert ids."""

    def work(uow):
        conn = uow.connection
        now = clock.now()
        entries = storage.claim_due_person_digests(conn, now, recipients.PENDING_DIGEST)
        groups = {}
        for entry in entries:
            groups.setdefault(entry["person_id"], []).append(entry)
        people = storage.people_by_id(conn, set(groups))
        created = []
        for person_id in sorted(groups):
            ids = [entry["id"] for entry in groups[person_id]]
            person = people.get(person_id)
            if person is None or person["removed"]:
                storage.set_person_alerts(conn, ids, disposition=domain.DROPPED)
                continue
            digest_id = _send_digest(conn, person, groups[person_id], now)
            storage.set_person_alerts(conn, ids, disposition=domain.DIGESTED,
                                      digest_alert_id=digest_id)
            created.append(digest_id)
        if created:
            log.info("sent %d personal digest(s) with %d alert(s)", len(created), len(entries))
        return created

    return db.run(work, serializable=True)


def render_email(conn, settings, alert, delivery):
    """(subject, text, html) of an e-mail to a person about an organisation
    alert or their digest, in the language of the delivery."""
    language = delivery.get("language") or alert["language"]
    if alert["type"] == domain.DIGEST:
        found = storage.alerts_by_id(conn, set(alert["data"]["alert_ids"]))
        items = [found[alert_id] for alert_id in alert["data"]["alert_ids"] if alert_id in found]
        return people_texts.render_digest(items, language, settings.web_url)
    return people_texts.render(alert, language, settings.web_url)
