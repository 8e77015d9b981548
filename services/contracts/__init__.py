"""Event contracts shared by every Parkmatch service: envelope, payload schemas
(versioned), vocabularies and the broker topology."""
from .envelope import ContractError, Event, make_event, parse_event  # noqa: F401
