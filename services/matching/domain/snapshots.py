"""The company and demand snapshots matching holds: which one is newer, and
the state of a demand on a given day."""

OPEN = "open"


def is_newer(snapshot, stored):
    """Snapshots can arrive twice or out of order (retries, competing
    consumers): only a higher version replaces what we hold."""
    return stored is None or snapshot["version"] > stored["version"]


def demand_state(demand, today):
    if demand["status"] != OPEN:
        return "closed"
    if demand.get("valid_until") is not None and demand["valid_until"] < today:
        return "expired"
    if demand["valid_from"] > today:
        return "not_yet_open"
    return OPEN
