"""Digests: at a partner's local digest hour (business clock), one digest
alert per (partner, digest subscription) carrying the latest alert about
each subject still waiting."""
import logging

from services.platform import clock
from services.platform.serialization import to_document

from .. import domain, storage
from .delivery import deliver_to

log = logging.getLogger(__name__)


def _send_digest(conn, partner_id, subscription_id, group, now):
    """One digest alert for these waiting items, delivered on the channels
    of the newest item; the items and their alerts are then told."""
    alerts = storage.alerts_by_id(conn, {item["alert_id"] for item in group})
    ordered = sorted((alerts[item["alert_id"]] for item in group),
                     key=lambda alert: (alert["created_at"], alert["id"]))
    digest_id = domain.new_id()
    digest = domain.new_alert(
        partner_id, domain.DIGEST, digest_id, 1, now,
        to_document(domain.digest_data(subscription_id or "default", ordered)), now,
        fact=digest_id)
    digest.update(disposition=domain.NOTICE, language=group[-1]["language"])
    storage.insert_alert(conn, digest)
    deliver_to(conn, digest, group[-1]["channel_ids"], clock.real_now())
    storage.set_digest_items_status(conn, [item["id"] for item in group], "sent",
                                    digest_alert_id=digest_id)
    storage.set_disposition(conn, [alert["id"] for alert in ordered], domain.DIGESTED)
    return digest_id


def send_due_digests(db):
    """Every partner's digest whose local hour has come: one digest alert per
    (partner, digest subscription), with the latest alert about each subject
    still waiting; the items are then told. Returns the digest alert ids."""

    def work(uow):
        conn = uow.connection
        now = clock.now()
        items = storage.claim_due_digest_items(conn, now)
        groups = {}
        for item in items:
            groups.setdefault((item["partner_id"], item["subscription_id"]), []).append(item)
        created = [_send_digest(conn, partner_id, subscription_id, group, now)
                   for (partner_id, subscription_id), group
                   in sorted(groups.items(), key=lambda g: (g[0][0], g[0][1] or ""))]
        if created:
            log.info("sent %d digest(s) with %d item(s)", len(created), len(items))
        return created

    return db.run(work, serializable=True)
