from services.platform.alembic_env import run_migrations
from services.agreements.storage import metadata

run_migrations(metadata)
