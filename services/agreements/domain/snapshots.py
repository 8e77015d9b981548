"""What is written about an agreement beyond the agreement itself: the rows
of its audit trail and the snapshot its events carry (contract AgreementV1)."""
from .parties import actor_ref


def history_entry(agreement, actor, action, details, at):
    """One row of the audit trail; `details` must be JSON-ready."""
    return {"agreement_id": agreement["id"], "at": at, "actor": actor_ref(actor),
            "action": action, "details": details}


def agreement_snapshot(agreement):
    """The agreement as other services see it (contract AgreementV1): the
    terms and documents stay here."""
    return {
        "agreement_id": agreement["id"],
        **{k: agreement[k] for k in ("version", "kind", "title", "status", "match_id",
                                     "sponsor_partner_id", "sectors", "region", "signed_at")},
        "starts_on": agreement.get("starts_on"),
        "ends_on": agreement.get("ends_on"),
        "parties": [{k: p[k] for k in ("kind", "id", "name", "signed_at")}
                    for p in agreement["parties"]],
        "proposed_by": dict(agreement["proposed_by"]),
    }
