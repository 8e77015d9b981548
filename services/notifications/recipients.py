"""Alerts to the people of companies, parks and partners, on plain data:
which organisations hear of an event and as whom, how each person is told
(an e-mail now, or in their daily digest), their time zone, and the inbox
cursor.

An organisation's alert is stored once (its in-app inbox); each of its
people gets at most one e-mail about it. No broker, no database here."""
import base64
import binascii
import json
from datetime import datetime

from services.platform.time_zones import is_iana_zone

from . import domain

# The audience an organisation's alert is written for.
COMPANY, PARK, PARTNER = "company", "park", "partner"
ORGANISATION_KINDS = (COMPANY, PARK, PARTNER)

MATCH_FOUND = "match.found"
INTRODUCTION_REQUESTED = "introduction.requested"
INTRODUCTION_ACCEPTED = "introduction.accepted"
OBLIGATION_DUE, OBLIGATION_OVERDUE = "obligation.due", "obligation.overdue"
# Every kind some organisation's people hear of.
PEOPLE_ALERT_KINDS = (MATCH_FOUND, INTRODUCTION_REQUESTED, INTRODUCTION_ACCEPTED,
                      OBLIGATION_DUE, OBLIGATION_OVERDUE)

# What became of an alert for one person: domain.SENT_NOW, waiting for their
# digest, domain.DIGESTED or domain.DROPPED (a withdrawn match).
PENDING_DIGEST = domain.IN_DIGEST
# The disposition of an organisation's alert itself: it is in the inbox.
INBOX = "inbox"

# Without a time zone of their own, people get the one of their
# organisation's country, else the usual one of its kind (Korean companies,
# Chinese parks).
COUNTRY_TIME_ZONES = {"KR": "Asia/Seoul", "CN": "Asia/Shanghai"}
KIND_TIME_ZONES = {COMPANY: "Asia/Seoul", PARK: "Asia/Shanghai", PARTNER: "Asia/Seoul"}
DEFAULT_PREFERENCES = {"mode": domain.IMMEDIATE, "digest_hour": None}


def organisation(kind, organisation_id):
    return {"kind": kind, "id": organisation_id}


def audiences(kind, payload):
    """The organisations told of this event, each once, in a fixed order:
    match.found: the company ("a park wants you") and the demand's park
    ("a new candidate"); introduction.requested: the company (it decides);
    introduction.accepted: the requester if a park or a partner, else the
    park; obligation.due/overdue: the party that owes it. Others: none."""
    found = []
    if kind == MATCH_FOUND:
        found = [organisation(COMPANY, payload["company"]["company_id"]),
                 organisation(PARK, payload["demand"]["park_id"])]
    elif kind == INTRODUCTION_REQUESTED:
        found = [organisation(COMPANY, payload["company_id"])]
    elif kind == INTRODUCTION_ACCEPTED:
        requester = payload.get("requester") or {}
        if requester.get("kind") in (PARK, PARTNER):
            found = [organisation(requester["kind"], requester["id"])]
        elif payload.get("park_id"):
            found = [organisation(PARK, payload["park_id"])]
    elif kind in (OBLIGATION_DUE, OBLIGATION_OVERDUE):
        owner = payload["owner"]
        if owner.get("kind") in ORGANISATION_KINDS:
            found = [organisation(owner["kind"], owner["id"])]
    unique = []
    for org in found:
        if org["id"] and org not in unique:
            unique.append(org)
    return unique


def organisation_dedupe_key(org, kind, subject_id, fact):
    """One inbox alert per organisation per fact (cannot clash with a
    partner's key: those start with the partner id, a UUID)."""
    return f"org:{org['kind']}:{org['id']}|{kind}|{subject_id}|{fact}"


def new_organisation_alert(org, kind, subject, occurred_at, data, now, content):
    alert = domain.new_alert(None, kind, subject["id"], subject["version"], occurred_at, data,
                             now, fact=subject["fact"], content=content)
    alert.update(organisation_kind=org["kind"], organisation_id=org["id"],
                 dedupe_key=organisation_dedupe_key(org, kind, subject["id"], subject["fact"]),
                 disposition=INBOX)
    return alert


# --- people and their preferences ------------------------------------------------------

def valid_time_zone(name):
    """By name against the IANA list: no file system lookup (platform/time_zones)."""
    return is_iana_zone(name)


def time_zone_of(person):
    """The person's own time zone, else their organisation country's, else
    their organisation kind's."""
    if valid_time_zone(person.get("time_zone")):
        return person["time_zone"]
    return COUNTRY_TIME_ZONES.get(person.get("country")) or \
        KIND_TIME_ZONES.get(person["organisation_kind"], "Asia/Seoul")


def is_newer(change, stored):
    """Whether a person event (its changed_at) should replace what is held."""
    return stored is None or change["changed_at"] >= stored["changed_at"]


def recipient_from_event(kind, person, stored):
    """The directory row after a person.* event; preferences the person set
    here are kept."""
    preferences = {k: stored[k] for k in ("mode", "digest_hour")} if stored else \
        dict(DEFAULT_PREFERENCES)
    return {"person_id": person["person_id"],
            "organisation_kind": person["organisation"]["kind"],
            "organisation_id": person["organisation"]["id"],
            "email": person["email"], "name": person["name"], "language": person["language"],
            "time_zone": person.get("time_zone") or (stored or {}).get("time_zone"),
            "country": person.get("country") or (stored or {}).get("country"),
            "changed_at": person["changed_at"],
            "removed": kind == "person.removed", **preferences}


def preferences_of(person, default_digest_hour):
    return {"mode": person["mode"],
            "digest_hour": person["digest_hour"] if person["digest_hour"] is not None
            else default_digest_hour,
            "time_zone": time_zone_of(person), "language": person["language"],
            "email": person["email"]}


def plan_for_person(person, sent_today, budget, default_digest_hour, now):
    """How one person hears of one alert: an e-mail now if they want alerts
    at once and today's budget (their local day) is not used up; otherwise
    in their next daily digest (their hour, or the default one).
    Returns {disposition, due_at}."""
    if person["mode"] == domain.IMMEDIATE and sent_today < budget:
        return {"disposition": domain.SENT_NOW, "due_at": None}
    hour = person["digest_hour"] if person["digest_hour"] is not None else default_digest_hour
    return {"disposition": PENDING_DIGEST,
            "due_at": domain.next_digest_at({"frequency": domain.DAILY, "hour": hour},
                                            time_zone_of(person), now)}


def link_path(alert):
    """Where in the web app the person acts on this alert, or None: a
    company accepts or declines an introduction; the requester then reads
    the released contacts."""
    kind, data = alert["type"], alert["data"]
    if kind == INTRODUCTION_REQUESTED:
        return f"/company/introductions/{data['introduction_id']}"
    if kind == INTRODUCTION_ACCEPTED:
        return f"/{alert['organisation_kind']}/introductions/{data['introduction_id']}"
    return None


# --- the inbox cursor -------------------------------------------------------------------

def encode_cursor(created_at, alert_id):
    raw = json.dumps([created_at.isoformat(), alert_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor):
    """(created_at, alert id) or None if the cursor is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, alert_id = json.loads(raw)
        moment = datetime.fromisoformat(created_at)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        return None
    if moment.tzinfo is None or not isinstance(alert_id, str):
        return None
    return moment, alert_id
