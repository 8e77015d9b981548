"""End-to-end harness: every service as a real `parkmatch run` process on a
fresh vhost and fresh databases, a real local webhook receiver, and the public
HTTP API as the only way in."""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest
import requests

from services.ops.catalog import SERVICES, STATEFUL
from tests.conftest import RABBIT_AUTH, RABBIT_MGMT, ROOT, SECRETS_KEY, eventually
from tests.e2e.journeys import PARK_EMAIL
from tests.factories import company_body, demand_body, park_body

OPERATOR_KEY = "e2e-operator-key-0123456789"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class System:
    """The five services as processes, restartable and killable one by one."""

    def __init__(self, amqp_uri, database_urls, log_dir, extra_env=None):
        self.amqp_uri = amqp_uri
        self.vhost = unquote(amqp_uri.rsplit("/", 1)[1])
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.web_port = free_port()
        self.web_url = f"http://127.0.0.1:{self.web_port}"
        self.log_dir = log_dir
        self.env = dict(
            os.environ,
            PARKMATCH_AMQP_URI=amqp_uri,
            PARKMATCH_OPERATOR_KEY=OPERATOR_KEY,
            PARKMATCH_SECRETS_KEY=SECRETS_KEY,
            PARKMATCH_HTTP_ADDRESS=f"127.0.0.1:{self.port}",
            PARKMATCH_WEB_ADDRESS=f"127.0.0.1:{self.web_port}",
            PARKMATCH_WEB_URL=self.web_url,
            PARKMATCH_WEB_SECRET="e2e-web-secret-0123456789abcdefghijkl",
            PARKMATCH_RETRY_DELAYS="0.3,0.6",
            PARKMATCH_WEBHOOK_RETRY_DELAYS="0.5,1,2",
            PARKMATCH_DELIVERY_POLL_INTERVAL="0.2",
            PARKMATCH_AGREEMENTS_TIMER_INTERVAL="0.3",
            PARKMATCH_LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
            # the test's webhook receivers listen on 127.0.0.1 (never in production)
            PARKMATCH_WEBHOOK_ALLOW_LOOPBACK="1",
            # absent until a test moves time with clock.travel_to(system.clock_file, …)
            PARKMATCH_CLOCK_FILE=str(log_dir / "clock"),
            # resilience tests send hundreds of alerts to one partner; the
            # budget's own tests lower it
            PARKMATCH_PARTNER_DAILY_BUDGET="100000",
            # the suites register hundreds of companies from 127.0.0.1; the limit's
            # own test lowers it
            PARKMATCH_REGISTRATION_LIMIT_PER_ADDRESS="100000",
            **{f"PARKMATCH_{name.upper()}_DATABASE_URL": url
               for name, url in database_urls.items()},
        )
        self.env.update(extra_env or {})
        self.clock_file = str(log_dir / "clock")
        self.processes = {}

    def start(self, name, instance=None):
        key = instance or name
        log = open(self.log_dir / f"{key}.log", "ab")
        self.processes[key] = subprocess.Popen(
            [sys.executable, "-m", "services.ops.cli", "run", name],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        return self.processes[key]

    def start_all(self):
        for name in SERVICES:
            self.start(name)
        self.wait_ready(list(SERVICES))

    def wait_ready(self, names, timeout=60):
        """Ready = every named service consumes its RPC queue, and the gateway
        and the web app answer /health."""
        def check():
            for key, process in self.processes.items():
                assert process.poll() is None, f"{key} exited: {self.log(key)[-3000:]}"
            for name in names:
                if name in ("gateway", "web"):
                    url = self.url if name == "gateway" else self.web_url
                    assert requests.get(f"{url}/health", timeout=2).ok
                    continue
                queue = requests.get(
                    f"{RABBIT_MGMT}/api/queues/{requests.utils.quote(self.vhost, safe='')}"
                    f"/rpc-{name}", auth=RABBIT_AUTH, timeout=5)
                assert queue.ok and queue.json().get("consumers", 0) >= 1, f"{name} not ready"
        eventually(check, timeout=timeout, interval=0.3)

    def kill(self, key, sig=signal.SIGKILL):
        process = self.processes.pop(key)
        os.killpg(process.pid, sig)
        process.wait(30)

    def log(self, key):
        path = self.log_dir / f"{key}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_all(self):
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()

    def cli(self, *args):
        """Run a `parkmatch` operator command against this system."""
        return subprocess.run([sys.executable, "-m", "services.ops.cli", *args], cwd=ROOT,
                              env=self.env, capture_output=True, text=True, timeout=60)


class Api:
    """A thin HTTP client: every call goes through the public gateway."""

    def __init__(self, base_url, key=None):
        self.base_url = base_url
        self.key = key

    def as_(self, key):
        return Api(self.base_url, key)

    def request(self, method, path, body=None, raw=None, headers=None, **kwargs):
        headers = dict(headers or {})
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        if raw is not None:
            headers["Content-Type"] = "application/json"
        return requests.request(method, self.base_url + path, json=body, data=raw,
                                headers=headers, timeout=60, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body, **kw)


class WebhookReceiver:
    """A partner's web server: records every POST and checks its Standard
    Webhooks signature with code independent of Parkmatch's."""

    def __init__(self):
        self.received = []
        self.secret = None
        self.responses = []  # status codes to answer with, in order; then 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append({
                    "path": self.path, "headers": dict(self.headers), "body": body,
                    "verified": receiver.verify(self.headers, body)})
                status = receiver.responses.pop(0) if receiver.responses else 204
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def verify(self, headers, body):
        if not self.secret:
            return False
        from standardwebhooks import Webhook
        try:
            Webhook(self.secret).verify(body, {
                "webhook-id": headers.get("webhook-id"),
                "webhook-timestamp": headers.get("webhook-timestamp"),
                "webhook-signature": headers.get("webhook-signature")})
            return True
        except Exception:
            return False

    def alerts(self, event_type=None):
        found = [dict(json.loads(r["body"]), _verified=r["verified"],
                      _webhook_id=r["headers"].get("webhook-id")) for r in self.received]
        return [a for a in found if event_type is None or a.get("type") == event_type]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mail(tmp_path):
    """A real local SMTP server (aiosmtpd) the services send e-mail to."""
    from tests.smtp_sink import SmtpSink
    sink = SmtpSink(tmp_path / "mail")
    yield sink
    sink.close()


@pytest.fixture
def system(vhost, database_url, tmp_path, mail):
    urls = {name: database_url(name) for name in STATEFUL}
    running = System(vhost, urls, tmp_path, extra_env=mail.env())
    running.start_all()
    yield running
    running.stop_all()


@pytest.fixture
def api(system):
    return Api(system.url)


@pytest.fixture
def operator(api):
    return api.as_(OPERATOR_KEY)


@pytest.fixture
def receiver():
    hook = WebhookReceiver()
    yield hook
    hook.close()


@pytest.fixture
def setting(api, operator, receiver):
    """A park (with a contact) and its demand, a partner with a webhook, a
    company that matches; the match found."""
    park = operator.post("/api/parks", park_body(contact={"person": "Zhao Lei",
                                                          "email": PARK_EMAIL}))
    assert park.status_code == 201, park.text
    as_park = operator.as_(park.json()["api_key"])
    park_id = park.json()["park"]["id"]
    demand = as_park.post(f"/api/parks/{park_id}/demands", demand_body())
    assert demand.status_code == 201, demand.text
    partner = operator.post("/api/partners", {
        "names": {"en": "KIC China (Korea Innovation Center China)"}, "country": "CN",
        "kind": "government_office", "webhooks": [f"{receiver.url}/kic"]})
    assert partner.status_code == 201, partner.text
    receiver.secret = partner.json()["webhook_secret"]
    as_partner = operator.as_(partner.json()["api_key"])
    partner_id = partner.json()["partner"]["id"]
    assert as_partner.post(f"/api/partners/{partner_id}/subscriptions",
                           {"min_score": 0}).status_code == 201
    company = api.post("/api/companies", company_body())
    assert company.status_code == 201, company.text
    company_id = company.json()["company"]["id"]
    as_company = api.as_(company.json()["api_key"])

    def matched():
        found = as_company.get(f"/api/companies/{company_id}/matches").json()
        assert len(found) == 1
        return found[0]
    match = eventually(matched)
    return {"park": as_park, "park_id": park_id, "demand_id": demand.json()["id"],
            "partner": as_partner, "partner_id": partner_id, "company": as_company,
            "company_id": company_id, "match": match}
