"""Storage of the agreements service, by subdomain: tables (the schema and
shared helpers), directory (parties and matches heard of), agreements (with
the audit trail), introductions, obligations. Every query function is
re-exported here, so use cases call `storage.x(...)`."""
from .agreements import *  # noqa: F403
from .directory import *  # noqa: F403
from .introductions import *  # noqa: F403
from .obligations import *  # noqa: F403
from .tables import *  # noqa: F403
