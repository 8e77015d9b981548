"""Broker access with pika: topology, the outbox relay's publisher and the
operator's dead-letter tools. Nothing here knows about nameko."""
import json
import logging

import pika
from pika.exceptions import UnroutableError

from services.contracts.topology import (
    CONSUMERS,
    EVENTS_EXCHANGE,
    dead_queue,
    work_queue,
    work_queue_arguments,
)

log = logging.getLogger(__name__)

JSON = "application/json"


def connect(amqp_uri):
    params = pika.URLParameters(amqp_uri)
    params.heartbeat = 60
    params.blocked_connection_timeout = 60
    params.client_properties = {"connection_name": "parkmatch-pika"}
    return pika.BlockingConnection(params)


def declare_topology(channel):
    """Declare the events exchange and every consumer's work and dead queues,
    so that no event is ever published into a void."""
    channel.exchange_declare(EVENTS_EXCHANGE, exchange_type="topic", durable=True)
    for consumer, event_types in CONSUMERS.items():
        channel.queue_declare(dead_queue(consumer), durable=True)
        channel.queue_declare(work_queue(consumer), durable=True,
                              arguments=work_queue_arguments(consumer))
        for event_type in event_types:
            channel.queue_bind(work_queue(consumer), EVENTS_EXCHANGE, routing_key=event_type)


class EventPublisher:
    """Publishes events in batches with publisher confirms, mandatory routed.

    The whole batch goes out without waiting per message; then one wait for
    the broker's confirms (pika's asynchronous adapter; it cooperates with
    eventlet). `publish_batch` returns the ids the broker confirmed and
    routed: a nacked or unroutable event (someone deleted its queue) is left
    out, so its outbox row stays pending, and the topology is declared again
    before the next try. Publishing alone reached about 15,000 events/s here,
    against about 1,000 waiting for one confirm per event as nameko does.
    """

    def __init__(self, amqp_uri, timeout=30):
        self.amqp_uri = amqp_uri
        self.timeout = timeout
        self._connection = None
        self._channel = None
        self._error = None
        self._next_tag = 1

    def publish_batch(self, events):
        """`events`: (event_type, body, event_id) triples."""
        if self._channel is None or not self._channel.is_open:
            self._open()
        self._unconfirmed, self._confirmed, self._returned = {}, [], set()
        for event_type, body, event_id in events:
            self._channel.basic_publish(
                EVENTS_EXCHANGE, event_type, body.encode() if isinstance(body, str) else body,
                pika.BasicProperties(content_type=JSON, content_encoding="utf-8",
                                     delivery_mode=2, message_id=event_id, type=event_type),
                mandatory=True,
            )
            self._unconfirmed[self._next_tag] = event_id
            self._next_tag += 1
        self._run_until(lambda: not self._unconfirmed)
        if self._returned:
            log.error("unroutable events (a queue was deleted?): %s; redeclaring topology",
                      sorted(self._returned))
            self.close()
        return [event_id for event_id in self._confirmed if event_id not in self._returned]

    def publish(self, event_type, body, event_id):
        if not self.publish_batch([(event_type, body, event_id)]):
            raise UnroutableError([])

    def close(self):
        connection, self._channel = self._connection, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
                connection.ioloop.start()  # until the close callback stops it
            except Exception:  # closing a broken connection may itself fail
                pass
        self._connection = None
        self._error = None

    # The asynchronous adapter is driven by running its ioloop until a
    # callback below stops it.

    def _open(self):
        declaring = connect(self.amqp_uri)
        try:
            declare_topology(declaring.channel())
        finally:
            declaring.close()
        self._error = None
        self._connection = pika.SelectConnection(
            pika.URLParameters(self.amqp_uri),
            on_open_callback=lambda conn: conn.channel(on_open_callback=self._on_channel),
            on_open_error_callback=self._on_failure,
            on_close_callback=self._on_failure)
        self._run_until(lambda: self._channel is not None)

    def _on_channel(self, channel):
        channel.add_on_return_callback(self._on_return)
        channel.add_on_close_callback(self._on_failure)
        channel.confirm_delivery(self._on_confirm, callback=lambda _: self._on_ready(channel))

    def _on_ready(self, channel):
        self._channel = channel
        self._next_tag = 1
        self._stop_loop()

    def _on_failure(self, _source, reason=None):
        self._error = reason or "connection to the broker failed"
        self._channel = None
        self._stop_loop()

    def _on_confirm(self, frame):
        method = frame.method
        tags = [t for t in self._unconfirmed if t <= method.delivery_tag] if method.multiple \
            else [method.delivery_tag]
        acked = isinstance(method, pika.spec.Basic.Ack)
        for tag in tags:
            event_id = self._unconfirmed.pop(tag, None)
            if event_id is not None and acked:
                self._confirmed.append(event_id)
        if not self._unconfirmed:
            self._stop_loop()

    def _on_return(self, channel, method, properties, body):
        self._returned.add(properties.message_id)

    def _stop_loop(self):
        if self._connection is not None:
            self._connection.ioloop.stop()

    def _run_until(self, done):
        ioloop = self._connection.ioloop
        timer = ioloop.call_later(
            self.timeout, lambda: self._on_failure(None, "timed out waiting for the broker"))
        while not done() and self._error is None:
            ioloop.start()
        ioloop.remove_timeout(timer)
        if self._error is not None:
            error = self._error
            self.close()
            raise ConnectionError(str(error))


def queue_depths(amqp_uri):
    """(queue, ready messages, consumers) for every queue in the topology."""
    connection = connect(amqp_uri)
    try:
        channel = connection.channel()
        declare_topology(channel)
        rows = []
        for consumer in CONSUMERS:
            for name in (work_queue(consumer), dead_queue(consumer)):
                result = channel.queue_declare(name, passive=True)
                rows.append((name, result.method.message_count, result.method.consumer_count))
        return rows
    finally:
        connection.close()


def _dead_letter_summary(consumer, method, properties, body):
    headers = properties.headers or {}
    try:
        message = json.loads(body)
    except ValueError:
        message = {}
    return {
        "consumer": consumer,
        "event_id": message.get("event_id") or properties.message_id,
        "type": message.get("type") or properties.type,
        "attempts": headers.get("x-parkmatch-attempts"),
        "error": headers.get("x-parkmatch-error") or _broker_reason(headers),
        "failed_at": headers.get("x-parkmatch-failed-at"),
    }


def _broker_reason(headers):
    deaths = headers.get("x-death") or []
    if deaths:
        return f"dead-lettered by the broker ({deaths[0].get('reason')})"
    return None


def list_dead_letters(amqp_uri, consumers=None):
    """Peek at dead letters without removing them."""
    connection = connect(amqp_uri)
    try:
        channel = connection.channel()
        declare_topology(channel)
        found = []
        for consumer in consumers or CONSUMERS:
            tags = []
            while True:
                method, properties, body = channel.basic_get(dead_queue(consumer), auto_ack=False)
                if method is None:
                    break
                tags.append(method.delivery_tag)
                found.append(_dead_letter_summary(consumer, method, properties, body))
            for tag in tags:
                channel.basic_nack(tag, requeue=True)
        return found
    finally:
        connection.close()


def replay_dead_letters(amqp_uri, consumer, event_id=None):
    """Move dead letters of `consumer` (all, or the one with `event_id`) back
    onto its work queue with a fresh retry budget. Each is acked from the dead
    queue only after the broker confirmed the republish, so a crash between
    the two at worst duplicates it, which the consumer's inbox absorbs."""
    connection = connect(amqp_uri)
    try:
        channel = connection.channel()
        declare_topology(channel)
        channel.confirm_delivery()
        replayed, kept = [], []
        while True:
            method, properties, body = channel.basic_get(dead_queue(consumer), auto_ack=False)
            if method is None:
                break
            summary = _dead_letter_summary(consumer, method, properties, body)
            if event_id and summary["event_id"] != event_id:
                kept.append(method.delivery_tag)
                continue
            headers = {k: v for k, v in (properties.headers or {}).items()
                       if not k.startswith("x-parkmatch-") and k != "x-death"}
            channel.basic_publish(
                "", work_queue(consumer), body,
                pika.BasicProperties(content_type=properties.content_type or JSON,
                                     content_encoding=properties.content_encoding,
                                     delivery_mode=2, message_id=properties.message_id,
                                     type=properties.type, headers=headers),
                mandatory=True,
            )
            channel.basic_ack(method.delivery_tag)
            replayed.append(summary)
        for tag in kept:
            channel.basic_nack(tag, requeue=True)
        return replayed
    finally:
        connection.close()
