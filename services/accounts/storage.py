"""The accounts database. Tokens and keys are never stored: only their
SHA-256 hashes (`services.platform.keys.hash_key`), which is enough for 256
random bits. Rows come back as plain dicts with UTC datetimes."""
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    func,
    select,
    update,
)

from services.platform.outbox import messaging_tables
from services.platform.sql import as_utc, dialect_insert, keyset_page

metadata = MetaData()
messaging_tables(metadata)

TIMESTAMP = DateTime(timezone=True)

people = Table(
    "people", metadata,
    Column("id", String(36), primary_key=True),
    Column("organisation_kind", String(16), nullable=False),
    Column("organisation_id", String(64), nullable=False),
    Column("organisation_names", JSON, nullable=True),
    Column("email", String(320), nullable=False),
    # the address lower-cased: one person per address (docs/decisions.md 44)
    Column("email_key", String(320), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("language", String(2), nullable=False),
    Column("role", String(16), nullable=False),
    Column("verified_at", TIMESTAMP, nullable=True),
    Column("created_at", TIMESTAMP, nullable=False),
    Index("ix_people_organisation", "organisation_kind", "organisation_id"),
)

sign_in_links = Table(
    "sign_in_links", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("person_id", String(36), ForeignKey("people.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("created_at", TIMESTAMP, nullable=False),
    Column("expires_at", TIMESTAMP, nullable=False),
    Column("used_at", TIMESTAMP, nullable=True),
)

sessions = Table(
    "sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("person_id", String(36), ForeignKey("people.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("created_at", TIMESTAMP, nullable=False),
    Column("last_seen_at", TIMESTAMP, nullable=False),
    Column("idle_expires_at", TIMESTAMP, nullable=False),
    Column("absolute_expires_at", TIMESTAMP, nullable=False),
    Column("ended_at", TIMESTAMP, nullable=True),
)

invitations = Table(
    "invitations", metadata,
    Column("id", String(36), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("organisation_kind", String(16), nullable=False),
    Column("organisation_id", String(64), nullable=False),
    Column("organisation_names", JSON, nullable=True),
    Column("email", String(320), nullable=False),
    Column("email_key", String(320), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("language", String(2), nullable=False),
    Column("role", String(16), nullable=False),
    Column("invited_by", String(36), nullable=True),
    Column("created_at", TIMESTAMP, nullable=False),
    Column("expires_at", TIMESTAMP, nullable=False),
    Column("accepted_at", TIMESTAMP, nullable=True),
    Column("person_id", String(36), nullable=True),
)

api_keys = Table(
    "api_keys", metadata,
    Column("id", String(36), primary_key=True),
    Column("organisation_kind", String(16), nullable=False),
    Column("organisation_id", String(64), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("label", String(100), nullable=False),
    Column("created_by", String(36), nullable=True),
    Column("created_at", TIMESTAMP, nullable=False),
    Column("last_used_at", TIMESTAMP, nullable=True),
    Column("revoked_at", TIMESTAMP, nullable=True),
    Index("ix_api_keys_organisation", "organisation_kind", "organisation_id"),
)

# Fixed-window counters: one row per (bucket, window); a bucket is a limit
# name and the hash of what it counts (an address or an e-mail), so the table
# holds no addresses either.
rate_limit_counters = Table(
    "rate_limit_counters", metadata,
    Column("bucket", String(100), primary_key=True),
    Column("window_start", TIMESTAMP, primary_key=True),
    Column("count", Integer, nullable=False),
)


def _row(row):
    if row is None:
        return None
    return {key: as_utc(value) if key.endswith("_at") else value
            for key, value in row._mapping.items()}


def _rows(result):
    return [_row(row) for row in result]


def _of_organisation(table, organisation):
    return (table.c.organisation_kind == organisation["kind"]) & \
        (table.c.organisation_id == organisation["id"])


# --- people -----------------------------------------------------------------------

def insert_person(conn, person):
    conn.execute(people.insert().values(**person))


def person_by_id(conn, person_id):
    return _row(conn.execute(select(people).where(people.c.id == person_id)).first())


def person_by_email_key(conn, email_key):
    return _row(conn.execute(select(people).where(people.c.email_key == email_key)).first())


def people_of(conn, organisation=None):
    query = select(people).order_by(people.c.created_at, people.c.id)
    if organisation is not None:
        query = query.where(_of_organisation(people, organisation))
    return _rows(conn.execute(query))


def people_page(conn, organisation, after, size):
    """A page of people, oldest first (ties by id); every organisation's
    when `organisation` is None."""
    return _oldest_first_page(conn, people, organisation, after, size)


def _oldest_first_page(conn, table, organisation, after, size):
    """A keyset page of `table`'s rows, oldest first (ties by id), of one
    organisation or (None) of all."""
    query = select(table)
    if organisation is not None:
        query = query.where(_of_organisation(table, organisation))
    order = ((table.c.created_at, False), (table.c.id, False))
    return _rows(conn.execute(keyset_page(query, order, after, size)))


def count_owners(conn, organisation, except_person_id):
    return conn.execute(select(func.count()).select_from(people).where(
        _of_organisation(people, organisation), people.c.role == "owner",
        people.c.id != except_person_id)).scalar()


def update_person(conn, person_id, **values):
    conn.execute(update(people).where(people.c.id == person_id).values(**values))


def delete_person(conn, person_id):
    """The person with their links and sessions (deleted here too, not only
    by the foreign keys' cascade, so it holds whatever the database)."""
    conn.execute(delete(sessions).where(sessions.c.person_id == person_id))
    conn.execute(delete(sign_in_links).where(sign_in_links.c.person_id == person_id))
    conn.execute(delete(people).where(people.c.id == person_id))


# --- sign-in links -------------------------------------------------------------------

def insert_sign_in_link(conn, token_hash, person_id, now, expires_at):
    conn.execute(sign_in_links.insert().values(
        token_hash=token_hash, person_id=person_id, created_at=now, expires_at=expires_at))


def delete_spent_links(conn, person_id, now):
    """The person's used or expired links: kept for nothing."""
    conn.execute(delete(sign_in_links).where(
        sign_in_links.c.person_id == person_id,
        sign_in_links.c.used_at.is_not(None) | (sign_in_links.c.expires_at <= now)))


def sign_in_link(conn, token_hash):
    return _row(conn.execute(select(sign_in_links)
                             .where(sign_in_links.c.token_hash == token_hash)).first())


def use_sign_in_link(conn, token_hash, now):
    """Mark the link used if it still may be; True if this call did. One
    conditional UPDATE, so two concurrent uses cannot both win."""
    result = conn.execute(update(sign_in_links).where(
        sign_in_links.c.token_hash == token_hash, sign_in_links.c.used_at.is_(None),
        sign_in_links.c.expires_at > now).values(used_at=now))
    return result.rowcount == 1


# --- sessions ----------------------------------------------------------------------

def insert_session(conn, token_hash, session):
    conn.execute(sessions.insert().values(token_hash=token_hash, **session))


def delete_dead_sessions(conn, person_id, now):
    """The person's signed-out or expired sessions, which never come back."""
    conn.execute(delete(sessions).where(
        sessions.c.person_id == person_id,
        sessions.c.ended_at.is_not(None) | (sessions.c.idle_expires_at <= now)
        | (sessions.c.absolute_expires_at <= now)))


def session(conn, token_hash):
    return _row(conn.execute(select(sessions).where(sessions.c.token_hash == token_hash))
                .first())


def touch_session(conn, token_hash, last_seen_at, idle_expires_at):
    conn.execute(update(sessions).where(sessions.c.token_hash == token_hash).values(
        last_seen_at=last_seen_at, idle_expires_at=idle_expires_at))


def end_session(conn, token_hash, now):
    conn.execute(update(sessions).where(sessions.c.token_hash == token_hash,
                                        sessions.c.ended_at.is_(None)).values(ended_at=now))


# --- invitations ---------------------------------------------------------------------

def insert_invitation(conn, invitation):
    conn.execute(invitations.insert().values(**invitation))


def invitation_by_hash(conn, token_hash):
    return _row(conn.execute(select(invitations)
                             .where(invitations.c.token_hash == token_hash)).first())


def accept_invitation(conn, token_hash, now, person_id):
    """Like `use_sign_in_link`: True only for the one call that accepted it."""
    result = conn.execute(update(invitations).where(
        invitations.c.token_hash == token_hash, invitations.c.accepted_at.is_(None),
        invitations.c.expires_at > now).values(accepted_at=now, person_id=person_id))
    return result.rowcount == 1


# --- API keys ---------------------------------------------------------------------------

def insert_api_key(conn, record):
    conn.execute(api_keys.insert().values(**record))


def api_key(conn, key_id):
    return _row(conn.execute(select(api_keys).where(api_keys.c.id == key_id)).first())


def api_key_by_hash(conn, key_hash):
    return _row(conn.execute(select(api_keys).where(api_keys.c.key_hash == key_hash)).first())


def api_keys_page(conn, organisation, after, size):
    """A page of API keys, oldest first (ties by id)."""
    return _oldest_first_page(conn, api_keys, organisation, after, size)


def update_api_key(conn, key_id, **values):
    conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(**values))


# --- rate limits ----------------------------------------------------------------------------

def count_hit(conn, bucket, window_start):
    """Add one request to the bucket's window and return the window's count:
    one atomic upsert, so processes counting at once all see their own hit."""
    insert = dialect_insert(conn, rate_limit_counters).values(
        bucket=bucket, window_start=window_start, count=1)
    statement = insert.on_conflict_do_update(
        index_elements=["bucket", "window_start"],
        set_={"count": rate_limit_counters.c.count + 1},
    ).returning(rate_limit_counters.c.count)
    count = conn.execute(statement).scalar()
    # windows before this one will never be read again
    conn.execute(delete(rate_limit_counters).where(
        rate_limit_counters.c.bucket == bucket,
        rate_limit_counters.c.window_start < window_start))
    return count
