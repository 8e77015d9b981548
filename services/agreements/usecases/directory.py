"""The directory of parties and matches, kept from other services' events.
Each event is handled once per consumer (the inbox records it in the same
transaction)."""
from .. import domain, storage
from ..config import DIRECTORY_CONSUMER, MATCH_CONSUMER


def record_directory_entry(db, event):
    """company.registered/updated, park.registered, partner.registered."""
    entry = domain.directory_entry(event.type, event.payload)
    return db.handle(DIRECTORY_CONSUMER, event,
                     lambda uow: storage.save_directory_entry(uow.connection, entry))


def record_match(db, event):
    """match.found/updated/withdrawn. A withdrawn match only stops new
    proposals from it; agreements already made from it stand."""
    match = domain.match_record(event.payload)
    return db.handle(MATCH_CONSUMER, event,
                     lambda uow: storage.save_match(uow.connection, match))
