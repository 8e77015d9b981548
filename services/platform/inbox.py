"""The idempotent inbox: each consumer records the id of every event it has
handled, in the same transaction as the handling's effects."""
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, MetaData, String, Table

from .sql import insert_if_absent

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
    """Record the event as handled by `consumer`; False if it already was."""
    return insert_if_absent(connection, _table, {
        "consumer": consumer, "event_id": event_id, "handled_at": datetime.now(UTC)})
