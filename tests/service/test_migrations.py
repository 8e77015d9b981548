"""Every service's migrations build exactly the tables its storage module
uses, on the suite's database (SQLite, then PostgreSQL): a column added to
storage without a migration, or a migration that drifts, fails here."""
import importlib

import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.ops.catalog import STATEFUL
from services.platform.db import postgres_url


@pytest.mark.parametrize("service", STATEFUL)
def test_the_migrations_create_exactly_the_tables_storage_uses(service, database_url):
    storage = importlib.import_module(f"services.{service}.storage")
    engine = sqlalchemy.create_engine(postgres_url(database_url(service)))
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), storage.metadata)
            tables = set(sqlalchemy.inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert differences == []
    assert set(storage.metadata.tables) <= tables
