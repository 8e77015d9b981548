"""Shared by the notifications test modules: a real local webhook receiver,
the service in a container with fast polling, an event publisher, and the
bodies of the events partners hear about. A plain module (not a conftest):
each test module imports the fixtures it uses."""
import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pika
import pytest
import sqlalchemy

from services.contracts import make_event
from services.contracts.actors import OPERATOR
from services.contracts.topology import work_queue
from services.notifications import storage
from services.notifications.service import NotificationsService
from services.platform.broker import EventPublisher
from services.platform.db import make_engine
from tests.conftest import eventually

POLL_INTERVAL = 0.1
DIGEST_POLL_INTERVAL = 0.2
HARBIN = {"country": "CN", "province": "Heilongjiang", "city": "Harbin"}
CHENGDU = {"country": "CN", "province": "Sichuan", "city": "Chengdu"}


# --- a partner's webhook endpoint ----------------------------------------------------------

class WebhookReceiver:
    """A real HTTP server on 127.0.0.1 that records every request. `script`
    sets the statuses a path answers with, in order (200 once used up)."""

    def __init__(self):
        self.requests = []
        self.script = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
                with receiver._lock:
                    receiver.requests.append({
                        "path": self.path, "body": body,
                        "headers": {k.lower(): v for k, v in self.headers.items()}})
                    statuses = receiver.script.get(self.path) or []
                    status = statuses.pop(0) if statuses else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", receiver.url("/moved-here"))
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def to(self, path):
        with self._lock:
            return [r for r in self.requests if r["path"] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def signed_by(secret, request):
    """Check the Standard Webhooks signature with hmac, not with our code."""
    headers = request["headers"]
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{request['body']}"
    expected = base64.b64encode(hmac.new(key, content.encode(), hashlib.sha256).digest())
    return headers["webhook-signature"] == "v1," + expected.decode()


# --- fixtures --------------------------------------------------------------------------

@pytest.fixture
def receiver():
    server = WebhookReceiver()
    yield server
    server.close()


@pytest.fixture
def delivery_env(monkeypatch):
    """Fast polling and short retries; read by services.notifications.config."""
    monkeypatch.setenv("PARKMATCH_DELIVERY_POLL_INTERVAL", str(POLL_INTERVAL))
    monkeypatch.setenv("PARKMATCH_DIGEST_POLL_INTERVAL", str(DIGEST_POLL_INTERVAL))
    monkeypatch.setenv("PARKMATCH_WEBHOOK_RETRY_DELAYS", "0.2,0.2")
    monkeypatch.setenv("PARKMATCH_WEBHOOK_TIMEOUT", "5")
    monkeypatch.setenv("PARKMATCH_WEBHOOK_ALLOW_LOOPBACK", "1")  # the receiver is on 127.0.0.1


@pytest.fixture
def notifications(run_service, delivery_env):
    return run_service(NotificationsService)


@pytest.fixture
def service_db(notifications):
    """Read access to the service's database, to know when an event has been
    handled (its inbox row is committed with its effects)."""
    engine = make_engine(notifications.config["NOTIFICATIONS_DATABASE_URL"])
    yield engine
    engine.dispose()


@pytest.fixture
def publish(vhost):
    publisher = EventPublisher(vhost)

    def send(event_type, payload, event=None):
        event = event or make_event(event_type, payload, producer="tests")
        publisher.publish(event.type, json.dumps(event.to_message()), event.event_id)
        return event

    yield send
    publisher.close()


def wait_until_handled(engine, *events, timeout=20):
    wanted = {event.event_id for event in events}

    def check():
        with engine.connect() as conn:
            handled = {row.event_id for row in conn.execute(
                sqlalchemy.select(storage.metadata.tables["inbox"].c.event_id))}
        assert wanted <= handled
    eventually(check, timeout=timeout)


def wait_until_queue_empty(vhost, consumer):
    connection = pika.BlockingConnection(pika.URLParameters(vhost))
    try:
        channel = connection.channel()

        def check():
            depth = channel.queue_declare(work_queue(consumer), passive=True).method
            assert depth.message_count == 0
        eventually(check)
    finally:
        connection.close()


def settle():
    """Long enough for several delivery rounds."""
    time.sleep(POLL_INTERVAL * 10)


def match(score=80.0, version=1, match_id=None, sectors=("biopharmaceuticals",),
          company_sectors=("biopharmaceuticals",), region=HARBIN, status="active"):
    return {
        "match_id": match_id or str(uuid.uuid4()), "version": version, "status": status,
        "company": {"company_id": "c-vision", "names": {"en": "Vision Semicon"},
                    "country": "KR", "sectors": list(company_sectors)},
        "demand": {"demand_id": "d-binxian", "title": "Korea-China High-Tech Valley, phase 1",
                   "park_id": "k-binxian", "park_names": {"en": "Binxian ETDZ"},
                   "region": dict(region), "sectors": list(sectors)},
        "score": score, "outcomes": [], "summary": "meets every screening criterion",
        "withdrawn_reason": "demand closed" if status == "withdrawn" else None,
    }


def agreement(parties, sponsor=None, sectors=("biopharmaceuticals",), region=HARBIN,
              status="signed"):
    return {
        "agreement_id": str(uuid.uuid4()), "version": 3, "kind": "mou",
        "title": "MOU on a Korea-China bio incubation programme", "status": status,
        "parties": parties, "proposed_by": parties[0], "sponsor_partner_id": sponsor,
        "sectors": list(sectors), "region": region,
        "signed_at": datetime.now(UTC) if status == "signed" else None,
    }


def register(rpc, webhooks=(), **overrides):
    body = {"names": {"en": "Korea-China International Industrial Innovation Cooperation Center",
                      "ko": "한중국제산업혁신협력센터"},
            "country": "CN", "kind": "cooperation_centre", "webhooks": list(webhooks),
            "email": "centre@example.cn", **overrides}
    registered = rpc.notifications.register_partner(OPERATOR, body)
    actor = {"kind": "partner", "id": registered["partner"]["id"]}
    return registered, actor


HARBIN_BIO = {"sectors": ["biopharmaceuticals", "medical_devices"],
              "regions": [{"country": "CN", "province": "Heilongjiang"}], "min_score": 60}


def assert_count(items, count):
    assert len(items) == count, items
