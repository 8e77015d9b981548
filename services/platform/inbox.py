"""The idempotent inbox: each consumer records the id of every event it has
handled, in the same transaction as the handling's effects."""
from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, MetaData, String, Table
from sqlalchemy.dialects import postgresql, sqlite

INBOX = "inbox"


def inbox_table(metadata: MetaData):
    return Table(
        INBOX, metadata,
        Column("consumer", String(120), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("handled_at", DateTime(timezone=True), nullable=False),
    )


_table = inbox_table(MetaData())


def claim(connection, consumer, event_id):
    """Record the event as handled by `consumer`; False if it already was.

    ON CONFLICT DO NOTHING rather than catching IntegrityError: on PostgreSQL
    an error would abort the whole transaction. A concurrent duplicate waits
    for the first one's commit and then inserts nothing.
    """
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(_table).values(
        consumer=consumer, event_id=event_id, handled_at=datetime.now(timezone.utc),
    ).on_conflict_do_nothing().returning(_table.c.event_id)
    # RETURNING rather than rowcount: with psycopg 3 (SQLAlchemy 2.1's default
    # PostgreSQL driver) rowcount comes back as -1 for this statement.
    return connection.execute(statement).first() is not None
