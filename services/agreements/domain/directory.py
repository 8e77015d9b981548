"""The directory: the companies, parks and partners this service knows, and
the matches it has heard of, each kept from the other services' events."""
from services.contracts.languages import name_in

# event type -> (party kind, field holding its id)
DIRECTORY_SNAPSHOTS = {
    "company.registered": ("company", "company_id"),
    "company.updated": ("company", "company_id"),
    "park.registered": ("park", "park_id"),
    "partner.registered": ("partner", "partner_id"),
}


def display_name(names):
    """English first (the language all three sides read), then Korean, then Chinese."""
    name = name_in(names)
    return name.strip() if name else None


def directory_entry(event_type, payload):
    kind, id_field = DIRECTORY_SNAPSHOTS[event_type]
    return {"kind": kind, "id": payload[id_field], "version": payload["version"],
            "name": display_name(payload["names"])}


def match_record(payload):
    demand = payload["demand"]
    return {"id": payload["match_id"], "version": payload["version"],
            "status": payload["status"], "company_id": payload["company"]["company_id"],
            "park_id": demand["park_id"], "demand_id": demand["demand_id"],
            "sectors": list(demand["sectors"]), "region": demand["region"],
            "score": payload.get("score")}


def unusable_match(match_id, match, needs):
    """Why `match` cannot be built on (None if it can): unknown or withdrawn.
    Proposals and introductions both start from an active match."""
    if match is None:
        return {"match_id": [f"unknown match {match_id} (matches arrive from the matching "
                             "service; if it was found just now, try again shortly)"]}
    if match["status"] != "active":
        return {"match_id": [f"match {match_id} was withdrawn; {needs}"]}
    return None
