from services.platform.alembic_env import run_migrations
from services.matching.storage import metadata

run_migrations(metadata)
