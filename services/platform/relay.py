"""Moves outbox rows to the broker.

A row is marked published only after the broker confirmed it, so a crash at
any point leaves it pending and it is published again: events are delivered at
least once, and consumers' inboxes make the repeat harmless.
"""
import logging
import time

from . import outbox
from .broker import EventPublisher

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(self, database, amqp_uri, batch_size=200):
        self.database = database
        self.publisher = EventPublisher(amqp_uri)
        self.batch_size = batch_size

    def publish_pending(self):
        """Publish one batch; return how many rows were published."""
        if self.database.is_postgres:
            return self._publish_locked_batch()
        return self._publish_batch()

    def _publish_locked_batch(self):
        # PostgreSQL: hold row locks (not table locks) while publishing, so a
        # second relay of the same service skips these rows.
        with self.database.engine.begin() as conn:
            rows = outbox.pending(conn, self.batch_size, lock=True)
            published = self._publish_rows(rows, conn)
            outbox.mark_published(conn, published)
        return len(published)

    def _publish_batch(self):
        # SQLite: don't hold the single write lock while talking to the broker.
        with self.database.engine.begin() as conn:
            rows = outbox.pending(conn, self.batch_size)
        published = self._publish_rows(rows, None)
        with self.database.engine.begin() as conn:
            outbox.mark_published(conn, published)
        return len(published)

    def _publish_rows(self, rows, conn):
        if not rows:
            return []
        try:
            routed = set(self.publisher.publish_batch(
                [(row.event_type, row.body, row.event_id) for row in rows]))
        except Exception as exc:
            log.warning("relay: could not publish %d events: %s", len(rows), exc)
            self.publisher.close()
            if conn is not None:
                for row in rows:
                    outbox.mark_failed(conn, row.id, exc)
            return []
        return [row.id for row in rows if row.event_id in routed]

    def drain(self, max_rounds=1000):
        total = 0
        for _ in range(max_rounds):
            count = self.publish_pending()
            total += count
            if count < self.batch_size:
                break
        return total

    def run_forever(self, wait, stopping=lambda: False):
        """Drain the outbox, then `wait()` for more, until `stopping()`. While
        the broker or the database is away, back off (0.5 s doubling to 10 s)
        and keep trying: the rows stay pending meanwhile."""
        backoff = 0.5
        while not stopping():
            try:
                self.drain()
            except Exception as exc:
                log.warning("%s relay: %s; retrying in %.1fs", self.database.service_name,
                            exc, backoff)
                self.close()
                time.sleep(backoff)
                backoff = min(backoff * 2, 10)
                continue
            backoff = 0.5
            wait()
        self.close()

    def close(self):
        self.publisher.close()
