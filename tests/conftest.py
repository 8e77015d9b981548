"""Fixtures shared by every test layer.

Service and end-to-end tests talk to a real RabbitMQ (a fresh vhost per test)
and a real database (SQLite files, or PostgreSQL databases when
PARKMATCH_TEST_DB=postgresql). Where a Docker engine answers and
PARKMATCH_TEST_DOCKER=1, pytest-docker brings both up from
deploy/docker-compose.yml; otherwise the ones running on this machine are used.
A missing broker or database is an error, never a skip.
"""
import warnings

warnings.filterwarnings("ignore", message="\nEventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()  # noqa: E402  (nameko containers hang under pytest without it)

from psycogreen.eventlet import patch_psycopg  # noqa: E402

patch_psycopg()  # PostgreSQL waits must yield to other green threads

import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import quote  # noqa: E402

import pika  # noqa: E402
import pytest  # noqa: E402
import requests  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TEST_DB = os.environ.get("PARKMATCH_TEST_DB", "sqlite")
USE_DOCKER = os.environ.get("PARKMATCH_TEST_DOCKER") == "1"
RABBIT_HOST = os.environ.get("PARKMATCH_TEST_RABBIT_HOST", "127.0.0.1")
RABBIT_PORT = int(os.environ.get("PARKMATCH_TEST_RABBIT_PORT", "5672"))
RABBIT_MGMT = os.environ.get("PARKMATCH_TEST_RABBIT_MGMT", "http://127.0.0.1:15672")
# deploy/docker-compose.yml's users (RabbitMQ's guest may only log in from
# the broker's own host, which the host machine is not, seen from a container)
_default_user = "parkmatch" if USE_DOCKER else "guest"
RABBIT_USER = os.environ.get("PARKMATCH_TEST_RABBIT_USER", _default_user)
RABBIT_PASSWORD = os.environ.get("PARKMATCH_TEST_RABBIT_PASSWORD", _default_user)
RABBIT_AUTH = (RABBIT_USER, RABBIT_PASSWORD)
# The key webhook secrets are sealed with in every service a test starts, in
# this process or as a child (a fixed test key, never a real one).
SECRETS_KEY = "dGVzdHMtb25seS1zZWNyZXRzLWtleS0zMi1ieXRlcyE="
os.environ.setdefault("PARKMATCH_SECRETS_KEY", SECRETS_KEY)
PG_ADMIN_URL = os.environ.get(
    "PARKMATCH_TEST_PG_URL",
    "postgresql://parkmatch:parkmatch@127.0.0.1:5432/postgres" if USE_DOCKER
    else "postgresql://postgres@127.0.0.1:5432/postgres")


def _port_open(host, port):
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def _docker_engine_available():
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="session")
def docker_compose_file():
    return str(ROOT / "deploy" / "docker-compose.yml")


@pytest.fixture(scope="session")
def docker_setup():
    """Only the broker and the database: the services run from this checkout."""
    os.environ.setdefault("PARKMATCH_OPERATOR_KEY", "compose-for-tests")  # the file requires one
    return ["up -d rabbitmq postgres"]


@pytest.fixture(scope="session")
def infrastructure(request):
    """Make sure a broker (with its management API) and, if asked for,
    PostgreSQL are reachable; fail loudly otherwise."""
    if USE_DOCKER:
        if not _docker_engine_available():
            pytest.exit("PARKMATCH_TEST_DOCKER=1 but no Docker engine answers `docker info`",
                        returncode=3)
        services = request.getfixturevalue("docker_services")
        services.wait_until_responsive(
            check=lambda: _port_open(RABBIT_HOST, RABBIT_PORT)
            and _port_open(RABBIT_HOST, 15672) and _port_open("127.0.0.1", 5432),
            timeout=120, pause=1)
    missing = []
    if not _port_open(RABBIT_HOST, RABBIT_PORT):
        missing.append(f"RabbitMQ at {RABBIT_HOST}:{RABBIT_PORT} "
                       "(start: rabbitmq-server -detached)")
    try:
        requests.get(f"{RABBIT_MGMT}/api/overview", auth=RABBIT_AUTH, timeout=5)
    except requests.RequestException:
        missing.append(f"RabbitMQ management API at {RABBIT_MGMT} "
                       "(enable: rabbitmq-plugins enable rabbitmq_management)")
    if TEST_DB == "postgresql":
        import sqlalchemy
        try:
            from services.platform.db import postgres_url
            sqlalchemy.create_engine(postgres_url(PG_ADMIN_URL)).connect().close()
        except Exception as exc:
            missing.append(f"PostgreSQL at {PG_ADMIN_URL}: {exc}")
    if missing:
        pytest.exit("missing infrastructure: " + "; ".join(missing), returncode=3)


@pytest.fixture
def vhost(infrastructure):
    """A fresh RabbitMQ vhost; yields its AMQP URI."""
    name = f"pmtest-{uuid.uuid4().hex[:12]}"
    auth = RABBIT_AUTH
    requests.put(f"{RABBIT_MGMT}/api/vhosts/{quote(name)}", auth=auth,
                 timeout=10).raise_for_status()
    requests.put(f"{RABBIT_MGMT}/api/permissions/{quote(name)}/{RABBIT_USER}", auth=auth,
                 timeout=10,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    yield (f"amqp://{RABBIT_USER}:{RABBIT_PASSWORD}@{RABBIT_HOST}:{RABBIT_PORT}/"
           f"{quote(name, safe='')}")
    requests.delete(f"{RABBIT_MGMT}/api/vhosts/{quote(name)}", auth=auth, timeout=30)


class DatabaseFactory:
    """Creates one migrated database per service per test."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.created = []

    def __call__(self, service, backend=None):
        """A migrated database on the suite's backend, or on `backend`."""
        from services.platform import migrations
        if (backend or TEST_DB) == "postgresql":
            import sqlalchemy
            name = f"pmt_{service}_{uuid.uuid4().hex[:10]}"
            from services.platform.db import postgres_url
            engine = sqlalchemy.create_engine(postgres_url(PG_ADMIN_URL),
                                              isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            engine.dispose()
            self.created.append(name)
            url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        else:
            url = f"sqlite:///{self.tmp_path / f'{service}.db'}"
        migrations.upgrade(service, url)
        return url

    def drop_all(self):
        if not self.created:
            return
        import sqlalchemy

        from services.platform.db import postgres_url
        engine = sqlalchemy.create_engine(postgres_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for name in self.created:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


@pytest.fixture
def database_url(infrastructure, tmp_path):
    factory = DatabaseFactory(tmp_path)
    yield factory
    factory.drop_all()


@pytest.fixture
def service_config(vhost):
    """nameko config for services under test: fast retries."""
    return {
        "AMQP_URI": vhost,
        "serializer": "json",
        "max_workers": 10,
        "PARKMATCH_RETRY_DELAYS": [0.2, 0.4],
    }


@pytest.fixture
def run_service(service_config, database_url):
    """Start a nameko service class in this process against the test broker
    and a fresh database of its own. Returns the container."""
    from nameko.containers import ServiceContainer

    containers = []

    def start(service_cls, database_urls=None, database=True, **extra_config):
        service = service_cls.name
        config = dict(service_config, **extra_config)
        if database:
            config[f"{service.upper()}_DATABASE_URL"] = (database_urls or {}).get(service) \
                or database_url(service)
        container = ServiceContainer(service_cls, config)
        container.start()
        containers.append(container)
        return container

    yield start
    for container in containers:
        container.kill()


@pytest.fixture
def rpc(service_config):
    """A standalone RPC proxy to the services under test."""
    from nameko.standalone.rpc import ClusterRpcProxy

    with ClusterRpcProxy(service_config, timeout=30) as proxy:
        yield proxy


class EventSpy:
    """Listens to every event on the events exchange, like a consumer would."""

    def __init__(self, amqp_uri):
        from services.contracts.topology import EVENTS_EXCHANGE
        from services.platform.broker import declare_topology

        self.events = []
        self._lock = threading.Lock()
        self._connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
        channel = self._connection.channel()
        declare_topology(channel)
        queue = channel.queue_declare("", exclusive=True).method.queue
        channel.queue_bind(queue, EVENTS_EXCHANGE, routing_key="#")
        channel.basic_consume(queue, self._on_message, auto_ack=True)
        self._channel = channel

    def _on_message(self, channel, method, properties, body):
        with self._lock:
            self.events.append(json.loads(body))

    def poll(self):
        self._connection.process_data_events(time_limit=0.05)

    def of_type(self, event_type):
        self.poll()
        return [e for e in self.events if e["type"] == event_type]

    def wait_for(self, event_type, predicate=lambda e: True, timeout=20, count=1):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.of_type(event_type) if predicate(e)]
            if len(found) >= count:
                return found if count > 1 else found[0]
            time.sleep(0.05)
        seen = [(e["type"], e["payload"].get("version")) for e in self.events]
        raise AssertionError(f"no {count} x {event_type} within {timeout}s; saw {seen}")

    def close(self):
        try:
            self._connection.close()
        except Exception:
            pass


@pytest.fixture
def event_spy(vhost):
    spy = EventSpy(vhost)
    yield spy
    spy.close()


def holds(condition):
    """An assertion usable inside a lambda given to `eventually`."""
    assert condition


def eventually(check, timeout=20, interval=0.1):
    """Retry `check` (which asserts) until it passes or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(interval)
