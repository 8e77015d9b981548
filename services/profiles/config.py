"""Everything the profiles service reads from the environment."""
from services.platform import settings

SERVICE_NAME = "profiles"


def database_url():
    return settings.database_url(SERVICE_NAME)
