"""The operator pages' way to the broker: the functions `parkmatch queues`
and `parkmatch dead-letters list|replay` call (services/platform/broker.py),
with the same settings (PARKMATCH_AMQP_URI, the URI this web process already
uses for RPC). Each call gives up after the web app's RPC timeout, and a
broker that refuses or does not answer is BrokerUnavailable, which the pages
show as a message."""
import logging

import eventlet
from pika.exceptions import AMQPError

from services.platform import broker, settings

from .pages.operator import BrokerUnavailable

log = logging.getLogger(__name__)


class OperatorBroker:
    def __init__(self, timeout, amqp_uri=None):
        self.timeout = timeout
        self.amqp_uri = amqp_uri or settings.amqp_uri()

    def _call(self, function, *args):
        try:
            with eventlet.Timeout(self.timeout):
                return function(self.amqp_uri, *args)
        except eventlet.Timeout:
            log.warning("the broker did not answer %s within %s s", function.__name__,
                        self.timeout)
        except (AMQPError, OSError) as exc:
            # the exception's class only: its text may carry the URI's password
            log.warning("the broker refused %s: %s", function.__name__, type(exc).__name__)
        raise BrokerUnavailable(function.__name__)

    def queues(self):
        """(queue, messages waiting, consumers) for every queue of the topology."""
        return self._call(broker.queue_depths)

    def dead_letters(self, consumer):
        return self._call(broker.list_dead_letters, [consumer])

    def replay(self, consumer, event_id=None):
        return self._call(broker.replay_dead_letters, consumer, event_id)
