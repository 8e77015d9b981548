"""Broker access with pika: topology, the outbox relay's publisher and the
operator's dead-letter tools. Nothing here knows about nameko."""
import json
import logging

import pika
from pika.exceptions import NackError, UnroutableError

from services.contracts.topology import (
    CONSUMERS, EVENTS_EXCHANGE, dead_queue, work_queue, work_queue_arguments,
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
    """Publishes event bodies with publisher confirms and mandatory routing.

    `publish` returns only once the broker has taken responsibility for the
    message; it raises if the broker refused or could not route it.
    """

    def __init__(self, amqp_uri):
        self.amqp_uri = amqp_uri
        self._connection = None
        self._channel = None

    def _ensure_channel(self):
        if self._channel is None or not self._channel.is_open:
            self.close()
            self._connection = connect(self.amqp_uri)
            self._channel = self._connection.channel()
            declare_topology(self._channel)
            self._channel.confirm_delivery()
        return self._channel

    def publish(self, event_type, body, event_id):
        channel = self._ensure_channel()
        try:
            channel.basic_publish(
                EVENTS_EXCHANGE, event_type, body.encode() if isinstance(body, str) else body,
                pika.BasicProperties(content_type=JSON, content_encoding="utf-8",
                                     delivery_mode=2, message_id=event_id, type=event_type),
                mandatory=True,
            )
        except UnroutableError:
            # Someone deleted a queue: declare the topology again next time.
            self.close()
            raise
        except NackError:
            raise

    def close(self):
        try:
            if self._connection is not None and self._connection.is_open:
                self._connection.close()
        except Exception:  # closing a broken connection may itself fail
            pass
        self._connection = self._channel = None


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
