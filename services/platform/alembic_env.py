"""The body of every service's migrations/env.py."""
from alembic import context


def run_migrations(target_metadata):
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through services.platform.migrations")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
