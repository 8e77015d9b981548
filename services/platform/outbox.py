"""The transactional outbox: events are rows written in the same transaction
as the state change that caused them; the relay publishes them afterwards."""
import json
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
    update,
)

# Every service's own metadata gets the same outbox and inbox tables
# (see `messaging_tables`), so each service keeps them in its own database.
OUTBOX = "outbox"


def outbox_table(metadata: MetaData):
    return Table(
        OUTBOX, metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
               autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(80), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True, index=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
    )


_table = outbox_table(MetaData())


def append(connection, evt):
    connection.execute(_table.insert().values(
        event_id=evt.event_id,
        event_type=evt.type,
        body=json.dumps(evt.to_message(), ensure_ascii=False),
        created_at=datetime.now(UTC),
        attempts=0,
    ))


def pending(connection, limit, lock=False):
    query = (select(_table.c.id, _table.c.event_id, _table.c.event_type, _table.c.body)
             .where(_table.c.published_at.is_(None))
             .order_by(_table.c.id).limit(limit))
    if lock:
        # Two relays (two processes of one service) never publish the same
        # rows at once; each takes what the other has not locked.
        query = query.with_for_update(skip_locked=True)
    return connection.execute(query).all()


def mark_published(connection, row_ids):
    if row_ids:
        connection.execute(update(_table).where(_table.c.id.in_(row_ids))
                           .values(published_at=datetime.now(UTC)))


def mark_failed(connection, row_id, error):
    connection.execute(update(_table).where(_table.c.id == row_id)
                       .values(attempts=_table.c.attempts + 1, last_error=str(error)[:2000]))


def count_pending(connection):
    from sqlalchemy import func
    return connection.execute(select(func.count()).select_from(_table)
                              .where(_table.c.published_at.is_(None))).scalar_one()


def messaging_tables(metadata: MetaData):
    """Add the outbox and inbox tables to a service's metadata."""
    from .inbox import inbox_table
    outbox_table(metadata)
    inbox_table(metadata)
