"""SQL pieces every storage module shares, for SQLite and PostgreSQL alike."""
from datetime import UTC

from sqlalchemy.dialects import postgresql, sqlite


def dialect_insert(conn, table):
    """An INSERT that knows ON CONFLICT, for the connection's database."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def insert_if_absent(conn, table, values):
    """INSERT ... ON CONFLICT DO NOTHING; True if a row was written.

    Not catching IntegrityError: on PostgreSQL that would abort the whole
    transaction. A concurrent duplicate waits for the first one's commit and
    then inserts nothing. RETURNING tells what happened; rowcount does not on
    every driver."""
    statement = (dialect_insert(conn, table).values(**values).on_conflict_do_nothing()
                 .returning(*table.primary_key.columns))
    return conn.execute(statement).first() is not None


def as_utc(moment):
    """SQLite hands timestamps back without their offset; they are written in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment
