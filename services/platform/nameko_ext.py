"""The nameko side of the platform: the database dependency (with its
in-process outbox relay) and the reliable event-handler entrypoint.

nameko's own @event_handler acks a message whose handler raised (it is gone),
and its dispatcher publishes with mandatory=False straight after the commit
(a crash in between loses the event). These replace both.
"""
import logging
import threading
import time
import traceback
from datetime import UTC, datetime
from functools import partial

from kombu import Connection, Exchange, Queue, binding
from nameko.amqp.publish import Publisher
from nameko.containers import ContainerBeingKilled
from nameko.extensions import DependencyProvider
from nameko.messaging import Consumer
from nameko.timer import Timer

from services.contracts import ContractError, parse_event
from services.contracts.topology import (
    CONSUMERS,
    EVENTS_EXCHANGE,
    dead_queue,
    retry_queue,
    retry_queue_arguments,
    work_queue,
    work_queue_arguments,
)

from . import rpc_errors, settings  # noqa: F401  (rpc_errors: for its effect)
from .db import Database
from .relay import OutboxRelay

log = logging.getLogger(__name__)


class BoundDatabase:
    """The database as one worker sees it: carries the worker's correlation id
    into every event its units of work emit."""

    def __init__(self, database, correlation_id):
        self.database = database
        self.correlation_id = correlation_id

    def run(self, work, **kwargs):
        kwargs.setdefault("correlation_id", self.correlation_id)
        return self.database.run(work, **kwargs)

    def handle(self, consumer, event, work, **kwargs):
        """Run `work(uow)` for `event` exactly once per consumer."""
        return self.database.run(work, handled_event=event, consumer=consumer, **kwargs)


class DatabaseDependency(DependencyProvider):
    """Gives workers the service's database, and relays its outbox to the
    broker from a background thread woken after every commit that emitted."""

    def __init__(self, service_name, relay=True, poll_interval=0.5):
        self.service_name = service_name
        self.relay_enabled = relay
        self.poll_interval = poll_interval

    def setup(self):
        config = self.container.config
        url = config.get(f"{self.service_name.upper()}_DATABASE_URL") or \
            settings.database_url(self.service_name)
        self.database = Database(url, self.service_name)
        self._wake = threading.Event()
        self._stopping = False
        self.database.on_commit(self._wake.set)
        self.relay = OutboxRelay(self.database, config["AMQP_URI"])

    def start(self):
        if self.relay_enabled:
            self.container.spawn_managed_thread(self._relay_forever)

    def stop(self):
        self._stopping = True
        self._wake.set()

    def kill(self):
        self.stop()

    def _relay_forever(self):
        self.relay.run_forever(wait=self._wait_for_commit, stopping=lambda: self._stopping)
        self.database.dispose()

    def _wait_for_commit(self):
        self._wake.wait(self.poll_interval)
        self._wake.clear()

    def get_dependency(self, worker_ctx):
        return BoundDatabase(self.database, worker_ctx.data.get("correlation_id"))


class ReliableEventHandler(Consumer):
    """Consumes one consumer's work queue (see contracts.topology).

    The handler receives a validated `Event`. If it raises, the message goes
    to the next retry queue (delays from PARKMATCH_RETRY_DELAYS) and finally to
    the consumer's dead-letter queue; a message that breaks the contract goes
    there at once. The original is acked only after the copy was confirmed.
    """

    def __init__(self, consumer_name, **kwargs):
        if consumer_name not in CONSUMERS:
            raise ValueError(f"{consumer_name} is not in contracts.topology.CONSUMERS")
        self.consumer_name = consumer_name
        super().__init__(queue=None, requeue_on_error=False, **kwargs)

    def setup(self):
        config = self.container.config
        self.delays = list(config.get("PARKMATCH_RETRY_DELAYS") or settings.retry_delays())
        exchange = Exchange(EVENTS_EXCHANGE, type="topic", durable=True)
        self.queue = Queue(
            work_queue(self.consumer_name),
            bindings=[binding(exchange, routing_key=t) for t in CONSUMERS[self.consumer_name]],
            durable=True,
            queue_arguments=work_queue_arguments(self.consumer_name),
        )
        self._declare_side_queues(config["AMQP_URI"])
        self.publisher = Publisher(config["AMQP_URI"], use_confirms=True, mandatory=True,
                                   delivery_mode=2)
        super().setup()

    def _declare_side_queues(self, amqp_uri):
        with Connection(amqp_uri) as connection:
            channel = connection.channel()
            Queue(dead_queue(self.consumer_name), durable=True)(channel).declare()
            for attempt in range(1, len(self.delays) + 1):
                Queue(retry_queue(self.consumer_name, attempt), durable=True,
                      queue_arguments=retry_queue_arguments(self.consumer_name))(channel).declare()

    def handle_message(self, body, message):
        try:
            event = parse_event(body)
        except ContractError as exc:
            log.error("%s: dead-lettering a message that breaks the contract: %s",
                      self.consumer_name, exc)
            self._forward(message, body, dead_queue(self.consumer_name), None,
                          f"ContractError: {exc}", attempts=0)
            return
        handle_result = partial(self._handle_result, message, body, event, time.monotonic())
        try:
            self.container.spawn_worker(
                self, (event,), {},
                context_data={"correlation_id": event.correlation_id},
                handle_result=handle_result,
            )
        except ContainerBeingKilled:
            self.queue_consumer.requeue_message(message)

    def _handle_result(self, message, body, event, started, worker_ctx, result=None,
                       exc_info=None):
        if exc_info is None:
            self.queue_consumer.ack_message(message)
            log.info("%s handled %s %s in %.0f ms", self.consumer_name, event.type,
                     event.event_id, (time.monotonic() - started) * 1000)
            return result, exc_info
        attempts = int((message.headers or {}).get("x-parkmatch-attempts", 0)) + 1
        error = "".join(traceback.format_exception_only(exc_info[0], exc_info[1])).strip()
        if attempts <= len(self.delays):
            log.warning("%s: handler failed (attempt %d), retrying in %ss: %s",
                        self.consumer_name, attempts, self.delays[attempts - 1], error)
            self._forward(message, body, retry_queue(self.consumer_name, attempts),
                          self.delays[attempts - 1], error, attempts)
        else:
            log.error("%s: handler failed %d times, dead-lettering: %s",
                      self.consumer_name, attempts, error)
            self._forward(message, body, dead_queue(self.consumer_name), None, error, attempts)
        return result, exc_info

    def _forward(self, message, body, queue_name, delay, error, attempts):
        headers = {
            "x-parkmatch-attempts": attempts,
            "x-parkmatch-error": error[:1000],
            "x-parkmatch-failed-at": datetime.now(UTC).isoformat(),
            "x-parkmatch-consumer": self.consumer_name,
        }
        try:
            self.publisher.publish(
                body, exchange=None, routing_key=queue_name, headers=headers,
                expiration=delay, message_id=message.properties.get("message_id"),
                type=message.properties.get("type"),
            )
        except Exception as exc:
            # Could not park it safely: leave it with the broker, which will
            # deliver it again.
            log.error("%s: could not forward to %s (%s); requeueing",
                      self.consumer_name, queue_name, exc)
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)


handle_event = ReliableEventHandler.decorator


class ConfiguredTimer(Timer):
    """A nameko timer whose interval is read when the container starts, from
    `interval_from(container_config)`; nameko's own @timer fixes it when the
    class is defined, at import, before tests or operators can set it."""

    def __init__(self, interval_from, **kwargs):
        self.interval_from = interval_from
        super().__init__(interval=None, **kwargs)

    def setup(self):
        self.interval = self.interval_from(self.container.config)
        super().setup()


configured_timer = ConfiguredTimer.decorator
