"""Everything the agreements service reads from the environment, and the names
it consumes events under (see contracts/topology.py)."""
from services.platform import settings

SERVICE_NAME = "agreements"

# Consumer names: the queues parkmatch.<consumer> this service reads.
DIRECTORY_CONSUMER = "agreements.directory"
MATCH_CONSUMER = "agreements.match_changed"


def database_url():
    return settings.database_url(SERVICE_NAME)
