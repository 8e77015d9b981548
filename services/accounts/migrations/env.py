from services.accounts.storage import metadata
from services.platform.alembic_env import run_migrations

run_migrations(metadata)
