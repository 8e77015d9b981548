"""The agreements timer: everything time-based, in one tick."""
import logging

from .agreements import advance_agreements
from .introductions import expire_introductions
from .obligations import send_obligation_reminders

log = logging.getLogger(__name__)


def run_timers(db):
    """Everything time-based, each part on its own so one failing does not stop
    the others."""
    done = {}
    for name, step in (("introductions_expired", expire_introductions),
                       ("agreements_moved", advance_agreements),
                       ("reminders_sent", send_obligation_reminders)):
        try:
            done[name] = step(db)
        except Exception:
            log.exception("agreements timer: %s failed; next tick tries again", name)
    return done
