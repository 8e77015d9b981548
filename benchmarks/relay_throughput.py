"""How fast the outbox relay moves events to the broker, side by side with
nameko's own dispatcher (one publisher confirm per event), in one run.

    .venv/bin/python benchmarks/relay_throughput.py [--events 5000]

Needs RabbitMQ with the management API (a scratch vhost is created and
deleted). Prints events per second for each and the relay's peak memory.
"""
import argparse
import json
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.contracts import make_event  # noqa: E402
from services.platform import migrations, outbox  # noqa: E402
from services.platform.db import Database  # noqa: E402
from services.platform.relay import OutboxRelay  # noqa: E402

MGMT = "http://127.0.0.1:15672/api"
AUTH = ("guest", "guest")


def scratch_vhost():
    name = f"bench-{uuid.uuid4().hex[:8]}"
    requests.put(f"{MGMT}/vhosts/{name}", auth=AUTH, timeout=10).raise_for_status()
    requests.put(f"{MGMT}/permissions/{name}/guest", auth=AUTH, timeout=10,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    return name, f"amqp://guest:guest@127.0.0.1:5672/{quote(name, safe='')}"


def company_event(n):
    return make_event("company.registered", {
        "company_id": str(uuid.uuid4()), "version": 1,
        "names": {"en": f"Company {n}", "ko": f"회사 {n}"}, "country": "KR",
        "sectors": ["biopharmaceuticals"], "patents": n % 5}, producer="benchmark")


def bench_relay(amqp_uri, events, db_url):
    migrations.upgrade("profiles", db_url)
    database = Database(db_url, "benchmark")
    with database.engine.begin() as conn:
        for event in events:
            outbox.append(conn, event)
    relay = OutboxRelay(database, amqp_uri)
    started = time.perf_counter()
    published = relay.drain()
    elapsed = time.perf_counter() - started
    relay.close()
    assert published == len(events), (published, len(events))
    return len(events) / elapsed


def bench_nameko_dispatcher(amqp_uri, events):
    from nameko.standalone.events import event_dispatcher

    from services.platform.broker import connect
    # nameko's standalone dispatcher does not declare its exchange; give it
    # one with a bound quorum queue, like the relay's topology.
    connection = connect(amqp_uri)
    channel = connection.channel()
    channel.exchange_declare("benchmark.events", "topic", durable=True)
    channel.queue_declare("benchmark.sink", durable=True, arguments={"x-queue-type": "quorum"})
    channel.queue_bind("benchmark.sink", "benchmark.events", "#")
    connection.close()
    dispatch = event_dispatcher({"AMQP_URI": amqp_uri})
    started = time.perf_counter()
    for event in events:
        dispatch("benchmark", event.type, event.to_message())
    return len(events) / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5000)
    args = parser.parse_args()
    events = [company_event(n) for n in range(args.events)]
    vhost, amqp_uri = scratch_vhost()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            relay_rate = bench_relay(amqp_uri, events, f"sqlite:///{tmp}/bench.db")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        nameko_rate = bench_nameko_dispatcher(amqp_uri, events[: max(500, args.events // 5)])
    finally:
        requests.delete(f"{MGMT}/vhosts/{vhost}", auth=AUTH, timeout=30)
    print(json.dumps({
        "events": args.events,
        "relay_events_per_s": round(relay_rate),
        "nameko_dispatcher_events_per_s": round(nameko_rate),
        "relay_vs_nameko": round(relay_rate / nameko_rate, 1),
        "peak_rss_mb_after_relay": round(peak_mb, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
