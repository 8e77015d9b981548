"""Alembic, run programmatically: each service keeps its migrations in
`services/<service>/migrations` and its own database."""
import fcntl
import zlib
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from .db import make_engine

SERVICES_DIR = Path(__file__).resolve().parent.parent


def alembic_config(service, connection=None):
    config = Config()
    config.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    config.attributes["connection"] = connection
    return config


@contextmanager
def _migration_lock(engine, connection, service):
    """Two processes of one service starting together must not both migrate."""
    if engine.dialect.name == "postgresql":
        key = zlib.crc32(f"parkmatch-migrate-{service}".encode())
        connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
    else:
        db_path = engine.url.database or ":memory:"
        with open(f"{db_path}.migrate.lock", "w") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            yield


@contextmanager
def _sqlite_foreign_keys_off(connection):
    """SQLite changes a column by rebuilding its table (copy, drop, rename);
    with foreign keys on, dropping a table other rows point at fails. As
    SQLite's own procedure says: keys off for the migration (the PRAGMA only
    works outside a transaction), then check every reference before done."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = driver.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the migration left broken references: {broken[:5]}")
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def upgrade(service, url, revision="head"):
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            with _migration_lock(engine, connection, service):
                connection.commit()
                with _sqlite_foreign_keys_off(connection):
                    command.upgrade(alembic_config(service, connection), revision)
                    connection.commit()
    finally:
        engine.dispose()


def revision(service, url, message):
    """Autogenerate a new migration from the difference between the
    service's storage metadata and its database."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            command.revision(alembic_config(service, connection), message=message,
                             autogenerate=True)
    finally:
        engine.dispose()
