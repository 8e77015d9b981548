"""Engines and units of work.

A unit of work is one database transaction holding a service's state changes,
the events they cause (outbox rows) and, when it handles an event, the inbox
row that marks that event done. All three commit together or not at all: that
is what makes "no dual writes" and "duplicates are harmless" hold.
"""
import logging
import random
import time
from contextlib import contextmanager

from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError

from services.contracts import make_event

from . import inbox, outbox

log = logging.getLogger(__name__)


def make_engine(url):
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # Let SQLAlchemy, not pysqlite, decide when transactions begin.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin_immediate(conn):
            # Take the write lock up front: read-then-write transactions from
            # two processes then serialise instead of deadlocking.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(postgres_url(url), pool_pre_ping=True, pool_size=10, max_overflow=10)


def postgres_url(url):
    """Pin PostgreSQL to psycopg2: psycogreen makes its waits cooperative
    under eventlet (SQLAlchemy 2.1 would otherwise pick psycopg 3, whose waits
    block every green thread of the process)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


def _is_serialization_failure(exc):
    code = getattr(getattr(exc, "orig", None), "pgcode", None)  # psycopg2's SQLSTATE
    return code in ("40001", "40P01")  # serialization_failure, deadlock_detected


class UnitOfWork:
    """What a use case sees: a connection, and a way to emit events."""

    def __init__(self, connection, producer, correlation_id, causation_id):
        self.connection = connection
        self.producer = producer
        self.correlation_id = correlation_id
        self.causation_id = causation_id
        self.emitted = []

    def emit(self, event_type, payload):
        evt = make_event(
            event_type, payload, producer=self.producer,
            correlation_id=self.correlation_id, causation_id=self.causation_id,
        )
        outbox.append(self.connection, evt)
        self.emitted.append(evt)
        return evt


class Database:
    """One per service process: the engine, and transactions over it."""

    def __init__(self, url, service_name):
        self.url = url
        self.service_name = service_name
        self.engine = make_engine(url)
        self.is_postgres = self.engine.dialect.name == "postgresql"
        self._after_commit = []

    def on_commit(self, callback):
        """Call `callback()` after every commit that wrote outbox rows."""
        self._after_commit.append(callback)

    @contextmanager
    def unit_of_work(self, correlation_id=None, causation_id=None, serializable=False):
        with self.engine.connect() as conn:
            if serializable and self.is_postgres:
                conn = conn.execution_options(isolation_level="SERIALIZABLE")
            with conn.begin():
                uow = UnitOfWork(conn, self.service_name, correlation_id, causation_id)
                yield uow
        if uow.emitted:
            for callback in self._after_commit:
                callback()

    def run(self, work, *, correlation_id=None, causation_id=None, handled_event=None,
            consumer=None, serializable=False, attempts=8):
        """Run `work(uow)` in one transaction and return its result.

        With `handled_event` and `consumer`, the event is recorded in the inbox
        in the same transaction; if it was handled before, `work` is not run
        and None is returned. Serialisation failures (PostgreSQL SERIALIZABLE)
        are retried here, since they say nothing about the message itself.
        """
        if handled_event is not None:
            correlation_id = handled_event.correlation_id
            causation_id = handled_event.event_id
        for attempt in range(1, attempts + 1):
            try:
                with self.unit_of_work(correlation_id, causation_id, serializable) as uow:
                    if handled_event is not None and not inbox.claim(
                            uow.connection, consumer, handled_event.event_id):
                        log.info("%s: event %s already handled, skipping",
                                 consumer, handled_event.event_id)
                        return None
                    return work(uow)
            except (OperationalError, DBAPIError) as exc:
                if attempt == attempts or not (
                        _is_serialization_failure(exc) or "database is locked" in str(exc)):
                    raise
                time.sleep(random.uniform(0.01, 0.05) * attempt)

    def ping(self):
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self):
        self.engine.dispose()
