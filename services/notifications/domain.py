"""Notification rules on plain data: who is told about what, once, and how a
webhook delivery moves from pending to delivered or failed.

No broker, no database, no HTTP here."""
import random
import uuid
from datetime import timedelta

from services.contracts.vocabulary import ALERT_EVENT_KINDS

MATCH_KINDS = ("match.found", "match.updated", "match.withdrawn")
AGREEMENT_SIGNED = "agreement.signed"

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
DELIVERY_STATUSES = (PENDING, DELIVERED, FAILED)

# Jitter spreads retries of many deliveries that failed together (an
# endpoint that was down) so they do not all come back in the same second.
JITTER_FRACTION = 0.1


def new_id():
    return str(uuid.uuid4())


# --- partners and subscriptions ----------------------------------------------

def new_partner(fields, now):
    return {**fields, "id": new_id(), "version": 1, "created_at": now}


def partner_snapshot(partner):
    return {"partner_id": partner["id"], "version": partner["version"],
            "names": partner["names"], "country": partner["country"], "kind": partner["kind"]}


def new_subscription(partner_id, fields, now):
    return {**fields, "id": new_id(), "partner_id": partner_id, "created_at": now}


def _same(wanted, actual):
    # Region names come from people typing them: "Harbin" and "harbin" agree.
    return isinstance(actual, str) and wanted.strip().casefold() == actual.strip().casefold()


def region_matches(wanted, region):
    """A subscription region matches when every field it gives equals the
    subject's (a region with only a country matches the whole country)."""
    if not region:
        return False
    return all(_same(value, region.get(key))
               for key, value in wanted.items() if value is not None)


def covers_scope(subscription, sectors, region):
    """Whether a subject with these sectors and region is in the
    subscription's scope; an empty list in the subscription means "all"."""
    wanted_sectors = subscription.get("sectors") or []
    wanted_regions = subscription.get("regions") or []
    if wanted_sectors and not set(wanted_sectors) & set(sectors or ()):
        return False
    if wanted_regions and not any(region_matches(w, region) for w in wanted_regions):
        return False
    return True


def wants(subscription, kind):
    return kind in subscription.get("event_kinds", ALERT_EVENT_KINDS)


# --- who gets an alert ----------------------------------------------------------

def match_sectors(match):
    return set(match["demand"]["sectors"]) | set(match["company"]["sectors"])


def match_recipients(kind, match, subscriptions, previously_alerted):
    """Partner ids to alert about a match event.

    found/updated: subscribers of the kind whose scope covers the match and
    whose minimum score it reaches. withdrawn: subscribers of the kind who
    were told about this match before (whatever its score now), so nobody
    hears of a withdrawal of something they never heard of."""
    if kind not in MATCH_KINDS:
        return set()
    recipients = set()
    for subscription in subscriptions:
        if not wants(subscription, kind):
            continue
        if kind == "match.withdrawn":
            if subscription["partner_id"] in previously_alerted:
                recipients.add(subscription["partner_id"])
        elif (covers_scope(subscription, match_sectors(match), match["demand"]["region"])
              and match["score"] >= subscription.get("min_score", 0)):
            recipients.add(subscription["partner_id"])
    return recipients


def agreement_parties(agreement):
    """Partner ids the agreement names as a party or as its sponsor."""
    ids = {party["id"] for party in agreement["parties"] if party["kind"] == "partner"}
    if agreement.get("sponsor_partner_id"):
        ids.add(agreement["sponsor_partner_id"])
    return ids


def agreement_recipients(kind, agreement, subscriptions, known_partner_ids):
    """Partner ids to alert about an agreement event. Only signatures are
    alerts (vocabulary.ALERT_EVENT_KINDS): partners that are parties or the
    sponsor always hear of them, subscribers when the agreement's sectors and
    region are in their scope."""
    if kind != AGREEMENT_SIGNED:
        return set()
    recipients = agreement_parties(agreement) & set(known_partner_ids)
    for subscription in subscriptions:
        if wants(subscription, kind) and covers_scope(
                subscription, agreement.get("sectors") or [], agreement.get("region")):
            recipients.add(subscription["partner_id"])
    return recipients


# --- alerts -------------------------------------------------------------------

def dedupe_key(partner_id, kind, subject_id, subject_version):
    """One alert per partner per fact: e.g. match.found for match M version 1.
    A second event carrying the same fact maps to the same key."""
    return f"{partner_id}|{kind}|{subject_id}|{subject_version}"


def new_alert(partner_id, kind, subject_id, subject_version, occurred_at, data, now):
    return {
        "id": new_id(), "partner_id": partner_id, "type": kind,
        "subject_id": subject_id, "subject_version": subject_version,
        "dedupe_key": dedupe_key(partner_id, kind, subject_id, subject_version),
        "occurred_at": occurred_at, "created_at": now, "data": data,
    }


def alert_message(alert):
    """What a partner's endpoint receives."""
    return {"id": alert["id"], "type": alert["type"],
            "occurred_at": alert["occurred_at"], "data": alert["data"]}


# --- webhook deliveries -----------------------------------------------------------

def new_delivery(alert, url, now):
    return {"id": new_id(), "alert_id": alert["id"], "partner_id": alert["partner_id"],
            "url": url, "status": PENDING, "attempts": 0, "next_attempt_at": now,
            "last_status_code": None, "last_error": None, "created_at": now,
            "delivered_at": None}


def retry_delay(attempts_made, delays, rand=random.random):
    """Seconds to wait after the `attempts_made`-th failed attempt, or None
    when the schedule is used up. Jitter only ever adds, up to 10%."""
    if attempts_made > len(delays):
        return None
    base = delays[attempts_made - 1]
    return base + base * JITTER_FRACTION * rand()


def is_success(status_code):
    """Only 2xx counts; a redirect is not followed, so it is a failure."""
    return status_code is not None and 200 <= status_code < 300


def after_attempt(delivery, status_code, error, now, delays, rand=random.random):
    """The delivery's state after one attempt ended with `status_code` (None
    when no response came back) or `error`."""
    attempts = delivery["attempts"] + 1
    changes = {"attempts": attempts, "last_status_code": status_code,
               "last_error": describe_failure(status_code, error)}
    if is_success(status_code):
        return {**changes, "status": DELIVERED, "next_attempt_at": None, "delivered_at": now}
    delay = retry_delay(attempts, delays, rand)
    if delay is None:
        return {**changes, "status": FAILED, "next_attempt_at": None}
    return {**changes, "status": PENDING, "next_attempt_at": now + timedelta(seconds=delay)}


def describe_failure(status_code, error):
    """A short reason for the delivery log; None for a success."""
    if error:
        return error[:1000]
    if status_code is not None and 300 <= status_code < 400:
        return f"HTTP {status_code}: redirects are not followed"
    if status_code is not None and not is_success(status_code):
        return f"HTTP {status_code}"
    return None
