"""Profile rules: versions, what changed, and what may travel in events.

Plain Python on plain dicts: no broker, no database."""
from services.platform.records import new_id, next_version

PRIVATE_COMPANY_FIELDS = ("contact",)
# a company registered through the web app waits in this state until one of
# its owners confirms the e-mail address (decisions.md)
PENDING = "pending_verification"
OWNER_ROLE = "owner"  # accounts' role of the person who may release the company


def new_company(fields, now, pending_verification=False):
    return {**fields, "id": new_id(), "version": 1, "created_at": now, "updated_at": now,
            PENDING: pending_verification}


def is_pending(company):
    return bool(company.get(PENDING))


def verified_owner_company(person):
    """The id of the company whose owner `person` (a PersonV1 payload) is,
    if accounts says the address is confirmed; else None."""
    organisation = person.get("organisation") or {}
    if organisation.get("kind") != "company" or person.get("role") != OWNER_ROLE \
            or person.get("verified_at") is None:
        return None
    return organisation.get("id")


def released(company):
    """The pending company, now visible. Its version stays: nothing in the
    profile changed, and matching has never seen it."""
    return {**company, PENDING: False}


def apply_changes(record, changes, now):
    """Return (updated record, whether anything changed). Unchanged input
    keeps the version, so a repeated PATCH emits nothing."""
    changed = {key: value for key, value in changes.items() if record.get(key) != value}
    if not changed:
        return record, False
    return next_version(record, **changed, updated_at=now), True


def company_snapshot(company):
    """The company as other services may see it: contact details stay here."""
    snapshot = {k: v for k, v in company.items()
                if k not in PRIVATE_COMPANY_FIELDS + ("id", "created_at", "updated_at", PENDING)}
    return {**snapshot, "company_id": company["id"]}


def public_company(company, may_see_contact):
    return company if may_see_contact else {**company, "contact": None}


def public_park(park, may_see_contact):
    return park if may_see_contact else {**park, "contact": None}


def introduction_contacts(company, park):
    """The contacts two sides of an accepted introduction exchange (the
    agreements service decides when; this only reads them)."""
    return {"company": company.get("contact") if company else None,
            "park": park.get("contact") if park else None}


def new_park(fields, now):
    return {**fields, "id": new_id(), "version": 1, "created_at": now}


def park_snapshot(park):
    return {"park_id": park["id"], "version": park["version"], "names": park["names"],
            "region": park["region"]}


def new_demand(park, fields, today, now):
    return {**fields, "id": new_id(), "park_id": park["id"], "version": 1, "status": "open",
            "valid_from": fields.get("valid_from") or today,
            "created_at": now, "updated_at": now}


def demand_snapshot(demand, park):
    keys = ("version", "title", "sectors", "space_offered_m2", "facilities", "incentives",
            "criteria", "places", "valid_from", "valid_until", "status")
    return {"demand_id": demand["id"], "park": park_snapshot(park),
            **{key: demand.get(key) for key in keys}}
