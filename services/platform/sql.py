"""SQL pieces every storage module shares, for SQLite and PostgreSQL alike."""
from datetime import UTC

from sqlalchemy import and_, or_
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


def after_position(order, position):
    """The WHERE clause "comes after `position`" in `order`, a sequence of
    (column, descending) whose last column is unique: (a > x) OR (a = x AND
    b > y) ..., each comparison turned for a descending column."""
    alternatives = []
    for index, (column, descending) in enumerate(order):
        earlier = [col == value for (col, _), value in zip(order[:index], position, strict=False)]
        beyond = column < position[index] if descending else column > position[index]
        alternatives.append(and_(*earlier, beyond))
    return or_(*alternatives)


def keyset_page(query, order, after, size):
    """`query` ordered by `order`, starting after the keyset position
    `after` (None: from the start), at most `size` rows. Never OFFSET: a page
    deep in a long list costs what the first one does."""
    if after is not None:
        query = query.where(after_position(order, after))
    return query.order_by(*(column.desc() if descending else column.asc()
                            for column, descending in order)).limit(size)


def filtered_keyset_page(conn, query, order, after, size, choose, batch=200):
    """At most `size` rows of `query` in `order` after `after` that
    `choose(rows)` keeps (it returns the kept ones, in order, as whatever it
    makes of them). Reads keyset pages of `batch` rows until enough are kept
    or none are left: for filters SQL cannot say alike on SQLite and
    PostgreSQL (Unicode case folding inside JSON documents, taxonomy
    lookups). `query` must select every column of `order`."""
    kept = []
    while len(kept) < size:
        rows = conn.execute(keyset_page(query, order, after, batch)).all()
        kept.extend(choose(rows))
        if len(rows) < batch:
            break
        last = rows[-1]._mapping
        after = tuple(last[column.name] for column, _ in order)
    return kept[:size]
