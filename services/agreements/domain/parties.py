"""Parties: the companies, parks and partners an agreement or introduction
names. A party reference is {"kind": "company" | "park" | "partner", "id": ...};
a party entry may carry more (name, signed_at...)."""


def ref(kind, party_id):
    return {"kind": kind, "id": party_id}


def as_ref(party):
    """Just the kind and id of a party entry (which may carry name, signed_at...)."""
    return ref(party["kind"], party["id"])


def key(party):
    return (party["kind"], party["id"])


def actor_ref(actor):
    return ref(actor.get("kind"), actor.get("id"))


def is_party(agreement, party):
    return any(key(p) == key(party) for p in agreement["parties"])


def party_of(agreement, party):
    return next(p for p in agreement["parties"] if key(p) == key(party))
