"""Notification rules on plain data: who is told about what, once, how (now
or in a digest, on which channels, in which language), and how a delivery
moves from pending to delivered or failed.

No broker, no database, no HTTP here."""
import hashlib
import json
import random
import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.contracts import taxonomy
from services.contracts.vocabulary import ALERT_EVENT_KINDS

MATCH_KINDS = ("match.found", "match.updated", "match.withdrawn")
MATCH_WITHDRAWN = "match.withdrawn"
AGREEMENT_KINDS = ("agreement.proposed", "agreement.signed")
INTRODUCTION_KINDS = ("introduction.requested", "introduction.accepted")
OBLIGATION_KINDS = ("obligation.due", "obligation.overdue")
AGREEMENT_SIGNED = "agreement.signed"

# Not subscribable: what the platform itself tells a partner.
CHANNEL_DISABLED = "channel.disabled"
DIGEST = "digest"
TEST = "test"  # a test send the partner asked for, to check a channel

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
DELIVERY_STATUSES = (PENDING, DELIVERED, FAILED)

WEBHOOK, EMAIL = "webhook", "email"
CHANNEL_KINDS = (WEBHOOK, EMAIL)

IMMEDIATE, DIGEST_MODE = "immediate", "digest"
MODES = (IMMEDIATE, DIGEST_MODE)
DAILY, WEEKLY = "daily", "weekly"

# What became of an alert: sent at once, waiting in a digest, sent in a
# digest, dropped from its digest (the match was withdrawn first), or a
# notice from the platform (channel disabled, the digest itself).
SENT_NOW, IN_DIGEST, DIGESTED, DROPPED, NOTICE = (
    "immediate", "digest", "digested", "dropped", "notice")
TOLD = (SENT_NOW, DIGESTED)

DEFAULT_LANGUAGE = "en"


def new_id():
    return str(uuid.uuid4())


# --- partners, channels and subscriptions ---------------------------------------------

def new_partner(fields, now):
    return {**fields, "id": new_id(), "version": 1, "created_at": now}


def partner_snapshot(partner):
    return {"partner_id": partner["id"], "version": partner["version"],
            "names": partner["names"], "country": partner["country"], "kind": partner["kind"]}


def new_channel(partner_id, kind, target, now, label=None):
    return {"id": new_id(), "partner_id": partner_id, "kind": kind, "target": target,
            "label": label, "enabled": True, "disabled_reason": None,
            "consecutive_failures": 0, "created_at": now}


def new_subscription(partner_id, fields, now):
    return {**fields, "id": new_id(), "partner_id": partner_id, "created_at": now}


def rotated_secrets(current, new_secret, now, grace_seconds):
    """A channel's secrets after a rotation: the new one signs from now on,
    the old one too until the grace period ends."""
    return {"secret": new_secret, "previous_secret": current,
            "previous_secret_until": now + timedelta(seconds=grace_seconds)}


def signing_secrets(channel_secrets, now):
    """The secrets a delivery is signed with right now, newest first."""
    found = [channel_secrets["secret"]]
    until = channel_secrets.get("previous_secret_until")
    if channel_secrets.get("previous_secret") and until is not None and now < until:
        found.append(channel_secrets["previous_secret"])
    return found


# --- scope ---------------------------------------------------------------------------

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


def sector_covered(wanted, held):
    """A subscription to a sector covers it and every sector below it."""
    return any(code == wanted or wanted in taxonomy.ancestors(code)
               for code in held if code in taxonomy.SECTORS)


def covers_scope(subscription, sectors, region, park_ids=(), countries=(), score=None):
    """Whether a subject (its sectors, region, parks, company countries and
    score) is in the subscription's scope; an empty list in the subscription
    means "all". The minimum score applies to subjects that have a score
    (matches, introductions)."""
    wanted_sectors = subscription.get("sectors") or []
    wanted_regions = subscription.get("regions") or []
    wanted_parks = subscription.get("parks") or []
    wanted_countries = subscription.get("countries") or []
    if wanted_sectors and not any(sector_covered(w, sectors or ()) for w in wanted_sectors):
        return False
    if wanted_regions and not any(region_matches(w, region) for w in wanted_regions):
        return False
    if wanted_parks and not set(wanted_parks) & set(park_ids or ()):
        return False
    if wanted_countries and not set(wanted_countries) & set(countries or ()):
        return False
    return score is None or score >= (subscription.get("min_score") or 0)


def wants(subscription, kind):
    return kind in subscription.get("event_kinds", ALERT_EVENT_KINDS)


# --- what an event is about ------------------------------------------------------------

def _parks_of(parties):
    return {party["id"] for party in parties or () if party.get("kind") == "park"}


def _partners_of(parties):
    return {party["id"] for party in parties or () if party.get("kind") == "partner"}


def subject_of(kind, payload):
    """What an event is about, for scope, dedupe and digests:
    id, version, fact (what makes two events the same news), scope and the
    partners that hear of it whatever their subscriptions."""
    if kind in MATCH_KINDS:
        return {"id": payload["match_id"], "version": payload["version"],
                "fact": str(payload["version"]),
                "sectors": set(payload["demand"]["sectors"]) | set(payload["company"]["sectors"]),
                "region": payload["demand"]["region"],
                "park_ids": {payload["demand"].get("park_id")} - {None},
                "countries": {payload["company"].get("country")} - {None},
                "score": payload["score"], "always": set()}
    if kind.startswith("agreement."):
        return {"id": payload["agreement_id"], "version": payload["version"],
                "fact": str(payload["version"]),
                "sectors": set(payload.get("sectors") or ()), "region": payload.get("region"),
                "park_ids": _parks_of(payload["parties"]), "countries": set(), "score": None,
                "always": agreement_parties(payload)}
    if kind.startswith("introduction."):
        return {"id": payload["introduction_id"], "version": payload["version"],
                "fact": str(payload["version"]),
                "sectors": set(payload.get("sectors") or ()), "region": payload.get("region"),
                "park_ids": {payload.get("park_id")} - {None}, "countries": set(),
                "score": payload.get("score"),
                "always": {payload["sponsor_partner_id"]} - {None}}
    if kind.startswith("obligation."):
        parties = payload["parties"]
        always = _partners_of(parties) | ({payload.get("sponsor_partner_id")} - {None})
        return {"id": payload["obligation_id"], "version": 1,
                "fact": f"{payload['occurrence_on']}|{payload['reminder']}",
                "sectors": set(payload.get("sectors") or ()), "region": payload.get("region"),
                "park_ids": _parks_of(parties), "countries": set(), "score": None,
                "always": always}
    raise ValueError(f"no alerts for {kind}")


def agreement_parties(agreement):
    """Partner ids the agreement names as a party or as its sponsor."""
    ids = _partners_of(agreement["parties"])
    if agreement.get("sponsor_partner_id"):
        ids.add(agreement["sponsor_partner_id"])
    return ids


def recipients(kind, subject, subscriptions, known_partner_ids, previously_told=()):
    """partner id -> that partner's subscriptions that want this alert.

    Subscribers of the kind whose scope covers the subject; the partners
    that are parties or sponsors (subject["always"]) and known here, even
    without a subscription (empty list). A withdrawal goes to subscribers
    of the kind who were told about the match before (whatever its score
    now), so nobody hears of a withdrawal of something they never heard of.
    Only kinds in vocabulary.ALERT_EVENT_KINDS alert anybody."""
    if kind not in ALERT_EVENT_KINDS:
        return {}
    found = {}
    if kind != MATCH_WITHDRAWN:
        for partner_id in subject["always"] & set(known_partner_ids):
            found[partner_id] = []
    for subscription in subscriptions:
        if not wants(subscription, kind):
            continue
        if kind == MATCH_WITHDRAWN:
            hit = subscription["partner_id"] in previously_told
        else:
            hit = covers_scope(subscription, subject["sectors"], subject["region"],
                               subject["park_ids"], subject["countries"], subject["score"])
        if hit:
            found.setdefault(subscription["partner_id"], []).append(subscription)
    return found


def match_recipients(kind, match, subscriptions, previously_alerted):
    """Partner ids to alert about a match event (see `recipients`)."""
    if kind not in MATCH_KINDS:
        return set()
    return set(recipients(kind, subject_of(kind, match), subscriptions, (), previously_alerted))


def agreement_recipients(kind, agreement, subscriptions, known_partner_ids):
    """Partner ids to alert about an agreement event (see `recipients`)."""
    return set(recipients(kind, subject_of(kind, agreement), subscriptions, known_partner_ids))


# --- how a partner is told ------------------------------------------------------------

def next_digest_at(schedule, time_zone, after):
    """The first digest time strictly after `after` (UTC): the schedule's
    local hour (every day, or on its weekday, Monday = 0) in the partner's
    IANA time zone, as a UTC instant."""
    zone = ZoneInfo(time_zone)
    local_day = after.astimezone(zone).date()
    for offset in range(9):
        day = local_day + timedelta(days=offset)
        if schedule.get("frequency") == WEEKLY and day.weekday() != schedule.get("weekday", 0):
            continue
        candidate = datetime.combine(day, time(schedule["hour"]), tzinfo=zone)
        if candidate > after:
            return candidate.astimezone(UTC)
    raise AssertionError("a weekly schedule comes round within 8 days")


def local_day_start(time_zone, now):
    """Midnight of `now`'s local day in `time_zone`, as a UTC instant."""
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    return datetime.combine(local.date(), time(0), tzinfo=zone).astimezone(UTC)


def _channels_for(subscriptions, enabled_channel_ids):
    """Channels of these subscriptions (none named = every enabled channel)."""
    wanted = set()
    for subscription in subscriptions:
        named = subscription.get("channel_ids") or []
        if not named:
            return sorted(enabled_channel_ids)
        wanted |= set(named)
    return sorted(wanted & set(enabled_channel_ids))


def plan(partner, matching, enabled_channel_ids, sent_today, budget, default_digest, now):
    """How this partner hears of one alert.

    Immediate if any matching subscription is immediate (or the partner is a
    party without a subscription) and the partner's daily budget is not used
    up; otherwise in a digest: the first matching digest subscription's, or
    the default daily digest (over budget, no digest subscription).
    Returns {disposition, channel_ids, language, subscription_id, due_at}."""
    language = partner.get("language") or DEFAULT_LANGUAGE
    immediate = [s for s in matching if s.get("mode", IMMEDIATE) == IMMEDIATE]
    digests = [s for s in matching if s.get("mode", IMMEDIATE) == DIGEST_MODE]
    if immediate or not matching:
        chosen = immediate[:1]
        if sent_today < budget:
            return {"disposition": SENT_NOW, "subscription_id": None, "due_at": None,
                    "language": chosen[0].get("language") or language if chosen else language,
                    "channel_ids": _channels_for(immediate, enabled_channel_ids)
                    if immediate else sorted(enabled_channel_ids)}
    if digests:
        target = digests[0]
        return {"disposition": IN_DIGEST, "subscription_id": target["id"],
                "language": target.get("language") or language,
                "channel_ids": _channels_for([target], enabled_channel_ids),
                "due_at": next_digest_at(target["digest"], partner["time_zone"], now)}
    return {"disposition": IN_DIGEST, "subscription_id": None, "language": language,
            "channel_ids": sorted(enabled_channel_ids),
            "due_at": next_digest_at(default_digest, partner["time_zone"], now)}


# --- alerts -------------------------------------------------------------------

def content_hash(payload):
    """What an event says, without its version: a re-match with an unchanged
    result hashes the same."""
    material = {key: value for key, value in payload.items() if key != "version"}
    text = json.dumps(material, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def dedupe_key(partner_id, kind, subject_id, fact):
    """One alert per partner per fact: e.g. match.found for match M version 1.
    A second event carrying the same fact maps to the same key."""
    return f"{partner_id}|{kind}|{subject_id}|{fact}"


def is_news(subject, content, previous):
    """Whether an alert about `subject` is news to a partner whose latest
    alert about the same subject was `previous` ({version, content_hash} or
    None): not if it is older, nor if it says the same."""
    if previous is None:
        return True
    if subject["version"] < previous["subject_version"]:
        return False
    return content != previous["content_hash"]


def new_alert(partner_id, kind, subject_id, subject_version, occurred_at, data, now,
              fact=None, content=None):
    return {
        "id": new_id(), "partner_id": partner_id, "type": kind,
        "subject_id": subject_id, "subject_version": subject_version,
        "dedupe_key": dedupe_key(partner_id, kind, subject_id,
                                 subject_version if fact is None else fact),
        "content_hash": content, "occurred_at": occurred_at, "created_at": now, "data": data,
        "disposition": SENT_NOW, "language": DEFAULT_LANGUAGE,
    }


def test_data(channel):
    """What a test alert says: which channel it checks; nothing else."""
    return {"channel_id": channel["id"], "kind": channel["kind"], "target": channel["target"],
            "label": channel.get("label"),
            "message": "This is a test alert from Parkmatch: your channel works."}


def alert_message(alert):
    """What a partner's endpoint receives."""
    return {"id": alert["id"], "type": alert["type"],
            "occurred_at": alert["occurred_at"], "data": alert["data"]}


def digest_data(schedule_name, items):
    """The body of a digest: the latest alert for each subject, oldest first."""
    return {"schedule": schedule_name, "count": len(items),
            "items": [alert_message(item) for item in items]}


# --- deliveries -----------------------------------------------------------------

def new_delivery(alert, target, now, channel_id=None, kind=WEBHOOK):
    """One alert to one channel: a webhook URL or an e-mail address."""
    return {"id": new_id(), "alert_id": alert["id"], "partner_id": alert["partner_id"],
            "channel_id": channel_id, "channel_kind": kind,
            "url": target, "status": PENDING, "attempts": 0, "round_start": 0,
            "next_attempt_at": now, "last_status_code": None, "last_error": None,
            "created_at": now, "delivered_at": None}


def retry_delay(attempts_made, delays, rand=random.random):
    """Seconds to wait after the `attempts_made`-th failed attempt (of this
    round), or None when the schedule is used up. Full jitter: a uniform
    draw between 0 and the schedule's bound, so the retries of many
    deliveries that failed together (an endpoint that was down) spread out."""
    if attempts_made > len(delays):
        return None
    return delays[attempts_made - 1] * rand()


def is_success(status_code):
    """Only 2xx counts (250 for e-mail: the SMTP server took it); a redirect
    is not followed, so it is a failure."""
    return status_code is not None and 200 <= status_code < 300


def after_attempt(delivery, status_code, error, now, delays, rand=random.random):
    """The delivery's state after one attempt ended with `status_code` (None
    when no response came back) or `error`."""
    attempts = delivery["attempts"] + 1
    changes = {"attempts": attempts, "last_status_code": status_code,
               "last_error": describe_failure(status_code, error)}
    if is_success(status_code) and not error:
        return {**changes, "status": DELIVERED, "next_attempt_at": None, "delivered_at": now}
    delay = retry_delay(attempts - delivery.get("round_start", 0), delays, rand)
    if delay is None:
        return {**changes, "status": FAILED, "next_attempt_at": None}
    return {**changes, "status": PENDING, "next_attempt_at": now + timedelta(seconds=delay)}


def redelivery(delivery, now):
    """A manual redelivery: the same delivery (same webhook-id) goes out
    again now, with a fresh retry schedule."""
    return {"status": PENDING, "next_attempt_at": now, "round_start": delivery["attempts"],
            "claim_token": None}


def channel_after_delivery(channel, status, limit):
    """A channel's failure count after one delivery ended: reset by a
    success, one more by a final failure; disabled at `limit`."""
    if status == DELIVERED:
        return {"consecutive_failures": 0}
    if status != FAILED:
        return {}
    failures = channel["consecutive_failures"] + 1
    if failures >= limit and channel["enabled"]:
        return {"consecutive_failures": failures, "enabled": False,
                "disabled_reason": f"{failures} deliveries in a row failed"}
    return {"consecutive_failures": failures}


def describe_failure(status_code, error):
    """A short reason for the delivery log; None for a success."""
    if error:
        return error[:1000]
    if status_code is not None and 300 <= status_code < 400:
        return f"HTTP {status_code}: redirects are not followed"
    if status_code is not None and not is_success(status_code):
        return f"HTTP {status_code}"
    return None
