"""A broker that cannot be reached is a message on the operator's pages,
never a 500: the CLI's broker functions against a port nothing listens on."""
import socket
import time
from types import SimpleNamespace

import pytest

from services.web import rendering
from services.web.operator_broker import OperatorBroker
from services.web.pages import Visit
from services.web.pages.operator import BrokerUnavailable, dead_letters, queues


@pytest.fixture
def nowhere():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return OperatorBroker(timeout=5, amqp_uri=f"amqp://guest:guest@127.0.0.1:{port}/%2F")


def test_an_unreachable_broker_is_broker_unavailable_within_the_timeout(nowhere):
    started = time.monotonic()
    for call in (nowhere.queues, lambda: nowhere.dead_letters("matching.company_changed"),
                 lambda: nowhere.replay("matching.company_changed")):
        with pytest.raises(BrokerUnavailable):
            call()
    assert time.monotonic() - started < 15


def test_the_pages_say_the_broker_is_unreachable(nowhere):
    rpc = SimpleNamespace(broker=nowhere)
    page = queues(Visit(lang="ko", path="/operator/queues"), rpc)
    assert page.status == 200 and page.context["unreachable"] is True
    html = rendering.render(page.template, {
        **page.context, "csrf_token": "t", "path": "/operator/queues",
        "actor": {"kind": "operator", "id": "operator"}, "person": None}, "ko")
    assert "PARKMATCH_AMQP_URI" in html and 'role="alert"' in html
    letters = dead_letters(Visit(lang="en", path="/", params={
        "consumer": "matching.company_changed"}), rpc)
    assert letters.status == 503 and letters.context["unreachable"] is True
