"""Storage of the directory (who this service knows, from events) and the
matches it heard of."""

from sqlalchemy import (
    select,
)

from services.platform.serialization import to_document

from .tables import (
    _real_now,
    _upsert_if_newer,
    directory,
    matches,
)

# --- directory -------------------------------------------------------------------

def save_directory_entry(conn, entry):
    return _upsert_if_newer(conn, directory, ["kind", "id"], {
        "kind": entry["kind"], "id": entry["id"], "version": entry["version"],
        "name": entry["name"], "updated_at": _real_now()})


def get_directory_entry(conn, kind, entry_id):
    row = conn.execute(select(directory).where(directory.c.kind == kind,
                                               directory.c.id == entry_id)).first()
    return _directory_record(row) if row else None


def lock_directory_entry(conn, ref):
    """Lock a party's directory row until the transaction ends (PostgreSQL
    SELECT ... FOR UPDATE; SQLite's BEGIN IMMEDIATE already serialises
    writers). Whatever is counted per party under this lock is an invariant:
    two transactions for the same party run one after the other."""
    return conn.execute(select(directory.c.version).where(
        directory.c.kind == ref["kind"], directory.c.id == ref["id"])
        .with_for_update()).first() is not None


def find_directory_entries(conn, refs):
    """{(kind, id): entry} for those of `refs` that are known."""
    ids_by_kind = {}
    for ref in refs:
        ids_by_kind.setdefault(ref["kind"], set()).add(ref["id"])
    found = {}
    for kind, ids in ids_by_kind.items():
        rows = conn.execute(select(directory).where(directory.c.kind == kind,
                                                    directory.c.id.in_(sorted(ids)))).all()
        found.update({(row.kind, row.id): _directory_record(row) for row in rows})
    return found


def _directory_record(row):
    return {"kind": row.kind, "id": row.id, "version": row.version, "name": row.name}


# --- matches ---------------------------------------------------------------------

def save_match(conn, match):
    return _upsert_if_newer(conn, matches, ["id"], {
        "id": match["id"], "version": match["version"], "status": match["status"],
        "company_id": match["company_id"], "park_id": match["park_id"],
        "document": to_document(match), "updated_at": _real_now()})


def get_match(conn, match_id):
    row = conn.execute(select(matches.c.document).where(matches.c.id == match_id)).first()
    return dict(row.document) if row else None
