"""What every agreements use case shares: the clock business rules read, who
the audit trail names for the timer, and loading an agreement or a 404."""
from services.contracts.errors import NotFound
from services.platform import clock

from .. import storage

# Who the audit trail names for what the timer does.
SYSTEM = {"kind": "system", "id": "agreements-timer"}


def business_now():
    """The business clock (tests and rehearsals move it with PARKMATCH_CLOCK_FILE):
    what proposals, signatures, expiries and reminders are dated with. Storage's
    own bookkeeping timestamps keep the real clock."""
    return clock.now()


def business_today():
    """Today on the business clock: due dates, start and end dates."""
    return clock.today()


def existing_agreement(conn, agreement_id, for_update=False):
    agreement = storage.get_agreement(conn, agreement_id, for_update=for_update)
    if agreement is None:
        raise NotFound(f"no agreement {agreement_id}")
    return agreement
