"""How fast matching is, in one run (issue #3 §7):

  1. one new company against 100,000 open demands (numpy engine; median ms)
  2. full re-evaluation: 100,000 companies x 1,000 demands (engine; seconds)
  3. the plain-Python per-pair loop (domain.assess) on a sample, extrapolated
     to both, and how many times slower it is
  4. peak memory of each (tracemalloc; numpy allocations included)
  5. broker throughput: company.registered events per second through real
     `parkmatch run matching` processes (1 and 2) on a fresh vhost and a fresh
     PostgreSQL database, until every expected match.found has been emitted

    .venv/bin/python benchmarks/matching_speed.py [--demands 100000]
        [--companies 100000] [--full-demands 1000] [--events 1000] [--no-broker]
        [--processes 1,2] [--uuid-ids]

The broker part also reports what limits it: how busy the machine's cores
were, the CPU seconds of the matching processes, PostgreSQL, RabbitMQ and
this script, and PostgreSQL's commits and rollbacks (serialisation retries)
in the benchmark's database. PARKMATCH_MATCHING_EVALUATIONS in the
environment reaches the matching processes.

Random data, fixed seed. Prints a table and the same figures as JSON. The
engine's results equal the per-pair domain evaluation (property test in
tests/unit/test_matching_engine.py); this script also checks it on a sample.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.contracts.taxonomy import SECTOR_CODES  # noqa: E402 (after the path insert)
from services.contracts.vocabulary import (  # noqa: E402
    CERTIFICATIONS,
    FACILITIES,
    INCENTIVES,
)
from services.matching import domain, engine  # noqa: E402

TODAY = date(2026, 3, 15)
SECTORS = sorted(SECTOR_CODES)
CERTS = sorted(CERTIFICATIONS)
MARKETS = ["CN", "VN", "JP", "US", "DE", "SG"]
MGMT = os.environ.get("PARKMATCH_TEST_RABBIT_MGMT", "http://127.0.0.1:15672") + "/api"
AUTH = ("guest", "guest")
PG_ADMIN = os.environ.get("PARKMATCH_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


# --- data -------------------------------------------------------------------------

def make_company(rng, i):
    def maybe(value, p=0.15):
        return None if rng.random() < p else value
    return {
        "company_id": f"c{i:06d}", "version": 1, "names": {"en": f"Company {i}"},
        "country": "KR", "sectors": rng.sample(SECTORS, rng.randint(1, 3)),
        "founded_on": maybe(TODAY - timedelta(days=rng.randint(0, 7000))),
        "patents": maybe(rng.randint(0, 6)),
        "funding_raised_krw": maybe(rng.choice([0, 100_000_000, 2_000_000_000])),
        "market_validation": maybe(rng.random() < 0.5),
        "certifications": maybe(rng.sample(CERTS, rng.randint(0, 2))),
        "space_needed_m2": maybe(rng.choice([100, 400, 2000, 60_000]), 0.4),
        "facilities_needed": maybe(rng.sample(FACILITIES, rng.randint(0, 2)), 0.4),
        "headcount": maybe(rng.randint(1, 200)),
        "export_markets": maybe(rng.sample(MARKETS, rng.randint(0, 2))),
        "incentives_wanted": maybe(rng.sample(INCENTIVES, rng.randint(0, 2)), 0.4),
    }


def make_demand(rng, i):
    criteria = []
    if rng.random() < 0.7:
        criteria.append({"kind": "min_patents", "value": rng.randint(0, 3), "required": True,
                         "weight": 2.0})
    if rng.random() < 0.6:
        criteria.append({"kind": "min_years_since_founding", "value": rng.choice([1, 3, 5]),
                         "required": rng.random() < 0.8, "weight": 1.0})
    if rng.random() < 0.5:
        criteria.append({"kind": "funding_or_market_validation", "value": True,
                         "required": True, "weight": 1.0})
    if rng.random() < 0.5:
        criteria.append({"kind": "certification_any_of", "value": rng.sample(CERTS, 2),
                         "required": rng.random() < 0.7, "weight": 1.0})
    if rng.random() < 0.2:
        criteria.append({"kind": "headcount", "value": {"min": 5, "max": 150},
                         "required": False, "weight": 0.5})
    if rng.random() < 0.2:
        criteria.append({"kind": "export_markets", "value": rng.sample(MARKETS, 2),
                         "required": False, "weight": 1.5})
    return {
        "demand_id": f"d{i:06d}", "version": 1, "title": f"Demand {i}",
        "park": {"park_id": f"p{i % 500}", "version": 1, "names": {"en": "Park"},
                 "region": {"country": "CN", "province": None, "city": None}},
        "sectors": rng.sample(SECTORS, rng.randint(1, 4)),
        "space_offered_m2": rng.choice([None, 5000, 51_700]),
        "facilities": rng.sample(FACILITIES, rng.randint(2, 7)),
        "incentives": rng.sample(INCENTIVES, rng.randint(0, 3)),
        "criteria": criteria, "places": 10,
        "valid_from": TODAY - timedelta(days=30), "valid_until": None, "status": "open",
    }


# --- measurements ------------------------------------------------------------------

def peak_mb(work):
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 2 ** 20
    finally:
        tracemalloc.stop()


def bench_one_company(index, companies, repeats):
    times = []
    for company in companies[:repeats]:
        started = time.perf_counter()
        index.candidates(company, TODAY)
        times.append(time.perf_counter() - started)
    memory = peak_mb(lambda: index.candidates(companies[0], TODAY))
    return statistics.median(times) * 1000, memory


def bench_full(index, companies):
    started = time.perf_counter()
    encoded = index.encode(companies)
    encoded_s = time.perf_counter() - started

    def run():
        kept = 0
        for _, result in index.evaluate_blocks(encoded, TODAY):
            kept += int((result["qualifies"] | result["near_miss"]).sum())
        return kept
    started = time.perf_counter()
    kept = run()
    elapsed = time.perf_counter() - started
    memory = peak_mb(run)
    return elapsed, encoded_s, kept, memory


def bench_plain(companies, demands, pairs, rng):
    sample = [(rng.choice(companies), rng.choice(demands)) for _ in range(pairs)]
    started = time.perf_counter()
    for company, demand in sample:
        domain.assess(company, demand, TODAY)
    per_pair = (time.perf_counter() - started) / pairs
    memory = peak_mb(lambda: [domain.assess(c, d, TODAY) for c, d in sample[:2000]])
    return per_pair, memory


def check_identity(index, companies, demands, rng, count=300):
    """The engine's answer equals the domain's on random pairs of this data."""
    encoded = index.encode(companies[:20])
    result = index.evaluate(encoded, TODAY, demand_rows=slice(0, count), scores="all")
    for i in range(20):
        for j in range(count):
            expected = domain.assess(companies[i], demands[j], TODAY)
            assert bool(result["qualifies"][i, j]) == expected["qualifies"]
            assert result["score_tenths"][i, j] / 10 == expected["score"]


# --- the broker ------------------------------------------------------------------------

def bench_broker(processes, events, rng, uuid_ids=False):
    import pika
    import requests
    import sqlalchemy

    from services.contracts import make_event
    from services.contracts.topology import EVENTS_EXCHANGE
    from services.platform import migrations
    from services.platform.broker import EventPublisher, declare_topology
    from services.platform.db import postgres_url

    vhost = f"bench-{uuid.uuid4().hex[:8]}"
    requests.put(f"{MGMT}/vhosts/{vhost}", auth=AUTH, timeout=10).raise_for_status()
    requests.put(f"{MGMT}/permissions/{vhost}/guest", auth=AUTH, timeout=10,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    amqp = f"amqp://guest:guest@127.0.0.1:5672/{quote(vhost, safe='')}"
    db_name = f"bench_matching_{uuid.uuid4().hex[:8]}"
    admin = sqlalchemy.create_engine(postgres_url(PG_ADMIN), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{db_name}"')
    db_url = PG_ADMIN.rsplit("/", 1)[0] + f"/{db_name}"
    migrations.upgrade("matching", db_url)
    running = []
    try:
        connection = pika.BlockingConnection(pika.URLParameters(amqp))
        channel = connection.channel()
        declare_topology(channel)
        sink = channel.queue_declare("", exclusive=True).method.queue
        channel.queue_bind(sink, EVENTS_EXCHANGE, routing_key="match.found")

        demands = [make_demand(rng, i) for i in range(20)]
        companies = [make_company(rng, 10_000 + i) for i in range(events)]
        if uuid_ids:  # as profiles assigns them: random, spread over the indexes
            for company in companies:
                company["company_id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        expected = sum(domain.assess(c, d, TODAY)["qualifies"] for c in companies
                       for d in demands)
        env = dict(os.environ, PARKMATCH_AMQP_URI=amqp, PARKMATCH_MATCHING_DATABASE_URL=db_url,
                   PARKMATCH_LOG_LEVEL="WARNING")
        clock_file = Path(f"/tmp/{db_name}.clock")
        clock_file.write_text(f"{TODAY.isoformat()}T12:00:00+00:00")
        env["PARKMATCH_CLOCK_FILE"] = str(clock_file)
        for _ in range(processes):
            running.append(subprocess.Popen(
                [sys.executable, "-m", "services.ops.cli", "run", "matching"], cwd=ROOT, env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        _wait_for_consumers(vhost, processes)

        publisher = EventPublisher(amqp)
        for demand in demands:
            event = make_event("park_demand.published", demand, producer="benchmark")
            publisher.publish(event.type, json.dumps(event.to_message()), event.event_id)
        time.sleep(2)  # the demands are stored before the companies arrive
        messages = []
        for company in companies:
            event = make_event("company.registered", company, producer="benchmark")
            messages.append((event.type, json.dumps(event.to_message()), event.event_id))
        stats_before = _db_stats(admin, db_name)
        cpu_before = _cpu_times([p.pid for p in running])
        started = time.perf_counter()
        for message in messages:
            publisher.publish(*message)
        publish_s = time.perf_counter() - started
        publisher.close()
        seen, deadline = 0, time.monotonic() + 600
        while seen < expected and time.monotonic() < deadline:
            method, _, _ = channel.basic_get(sink, auto_ack=True)
            if method is None:
                connection.process_data_events(time_limit=0.05)
                continue
            seen += 1
        elapsed = time.perf_counter() - started
        cpu_after = _cpu_times([p.pid for p in running])
        time.sleep(1.5)  # backends report their transaction counts at most once a second
        stats_after = _db_stats(admin, db_name)
        connection.close()
        clock_file.unlink(missing_ok=True)
        busy = cpu_after["machine_busy"] - cpu_before["machine_busy"]
        total = cpu_after["machine_total"] - cpu_before["machine_total"]
        return {"processes": processes, "company_events": events, "matches": seen,
                "expected_matches": expected, "seconds": round(elapsed, 2),
                "events_per_s": round(events / elapsed, 1),
                "publish_s": round(publish_s, 2),  # the publisher alone (one confirm each)
                # evidence for what limits throughput: how busy the machine's
                # cores were, how much CPU the matching processes used, and how
                # many transactions PostgreSQL rolled back (serialisation retries)
                "machine_cpu_busy_pct": round(100 * busy / total, 1) if total else None,
                "cores": os.cpu_count(),
                "company_ids": "uuid" if uuid_ids else "sequential",
                "evaluations_per_process": os.environ.get("PARKMATCH_MATCHING_EVALUATIONS",
                                                          "default"),
                "matching_cpu_s": round(cpu_after["matching"] - cpu_before["matching"], 2),
                "postgres_cpu_s": round(cpu_after["postgres"] - cpu_before["postgres"], 2),
                "rabbitmq_cpu_s": round(cpu_after["rabbitmq"] - cpu_before["rabbitmq"], 2),
                "benchmark_cpu_s": round(cpu_after["benchmark"] - cpu_before["benchmark"], 2),
                "load_average_1min": round(os.getloadavg()[0], 2),
                "db_commits": stats_after[0] - stats_before[0],
                "db_rollbacks": stats_after[1] - stats_before[1]}
    finally:
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        requests.delete(f"{MGMT}/vhosts/{vhost}", auth=AUTH, timeout=30)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        admin.dispose()


def _cpu_times(session_leaders):
    """CPU seconds used so far by the process groups of `session_leaders`
    (the matching processes and their children) and the machine's busy and
    total jiffies, from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"matching": 0, "postgres": 0, "rabbitmq": 0, "benchmark": 0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            head, _, rest = (entry / "stat").read_text().rpartition(")")
        except OSError:
            continue
        fields, name = rest.split(), head.partition("(")[2]
        ticks = int(fields[11]) + int(fields[12])  # utime + stime
        if int(fields[2]) in session_leaders:  # field 5 of stat: the process group
            used["matching"] += ticks
        elif name == "postgres":
            used["postgres"] += ticks
        elif name in ("beam.smp", "erl_child_setup", "epmd"):
            used["rabbitmq"] += ticks
        elif int(entry.name) == os.getpid():
            used["benchmark"] += ticks
    cpu = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = cpu[3] + cpu[4]  # idle + iowait
    return {**{k: v / tick for k, v in used.items()},
            "machine_busy": sum(cpu) - idle, "machine_total": sum(cpu)}


def _db_stats(admin, db_name):
    with admin.connect() as conn:
        conn.exec_driver_sql("SELECT pg_stat_clear_snapshot()")
        row = conn.exec_driver_sql(
            "SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = %s",
            (db_name,)).one()
    return int(row[0]), int(row[1])


def _wait_for_consumers(vhost, processes, timeout=90):
    import requests
    queue = "parkmatch.matching.company_changed"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = requests.get(f"{MGMT}/queues/{quote(vhost, safe='')}/{queue}", auth=AUTH,
                              timeout=5)
        if answer.ok and answer.json().get("consumers", 0) >= processes:
            return
        time.sleep(0.5)
    raise RuntimeError(f"{processes} matching process(es) did not start consuming")


# --- main -------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demands", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--full-demands", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--plain-pairs", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--no-broker", action="store_true")
    parser.add_argument("--uuid-ids", action="store_true",
                        help="random UUID company ids (as profiles assigns) instead of "
                             "sequential c010000, c010001, ...")
    parser.add_argument("--processes", default="1,2",
                        help="matching process counts for the broker part (default 1,2)")
    args = parser.parse_args()
    rng = random.Random(20260315)

    companies = [make_company(rng, i) for i in range(args.companies)]
    demands = [make_demand(rng, i) for i in range(args.demands)]
    started = time.perf_counter()
    big = engine.DemandIndex(demands)
    build_s = time.perf_counter() - started
    check_identity(big, companies, demands, rng)

    one_ms, one_mb = bench_one_company(big, companies, args.repeats)
    small = engine.DemandIndex(demands[:args.full_demands])
    full_s, encode_s, kept, full_mb = bench_full(small, companies)
    per_pair, plain_mb = bench_plain(companies, demands, args.plain_pairs, rng)
    plain_one_ms = per_pair * args.demands * 1000
    plain_full_s = per_pair * args.companies * args.full_demands

    figures = {
        "one_company_vs_demands": {
            "demands": args.demands, "median_ms": round(one_ms, 2), "target_ms": 10,
            "plain_python_ms": round(plain_one_ms, 1),
            "speedup": round(plain_one_ms / one_ms, 1), "peak_mb": round(one_mb, 1),
            "index_build_s": round(build_s, 2)},
        "full_reevaluation": {
            "companies": args.companies, "demands": args.full_demands,
            "seconds": round(full_s, 2), "target_s": 10, "encode_companies_s": round(encode_s, 2),
            "pairs_kept_for_explaining": kept,
            "plain_python_s": round(plain_full_s, 1),
            "speedup": round(plain_full_s / full_s, 1), "peak_mb": round(full_mb, 1)},
        "plain_python_per_pair_us": round(per_pair * 1e6, 2),
        "plain_python_peak_mb_2000_pairs": round(plain_mb, 2),
    }
    if not args.no_broker:
        figures["broker"] = [bench_broker(n, args.events, random.Random(n), args.uuid_ids)
                             for n in map(int, args.processes.split(","))]

    rows = [
        (f"one company vs {args.demands} demands (median)", f"{one_ms:.2f} ms",
         "<= 10 ms", f"{plain_one_ms:.0f} ms", f"{plain_one_ms / one_ms:.0f}x", f"{one_mb:.1f}"),
        (f"{args.companies} companies x {args.full_demands} demands", f"{full_s:.2f} s",
         "<= 10 s", f"{plain_full_s:.0f} s", f"{plain_full_s / full_s:.0f}x", f"{full_mb:.1f}"),
    ]
    print(f"{'measurement':<44}{'engine':>11}{'target':>10}{'plain loop':>12}{'speedup':>9}"
          f"{'peak MB':>9}")
    for row in rows:
        print(f"{row[0]:<44}{row[1]:>11}{row[2]:>10}{row[3]:>12}{row[4]:>9}{row[5]:>9}")
    print(f"plain loop: {per_pair * 1e6:.1f} us per pair (domain.assess, {args.plain_pairs} "
          f"sampled pairs); index of {args.demands} demands built in {build_s:.1f} s; "
          f"{args.companies} companies encoded in {encode_s:.1f} s")
    for broker in figures.get("broker", []):
        print(f"broker, {broker['processes']} matching process(es): {broker['events_per_s']} "
              f"company events/s ({broker['company_events']} events, {broker['matches']}/"
              f"{broker['expected_matches']} matches in {broker['seconds']} s, published in "
              f"{broker['publish_s']} s; machine "
              f"{broker['machine_cpu_busy_pct']}% busy on {broker['cores']} cores, matching "
              f"processes {broker['matching_cpu_s']} CPU s, PostgreSQL "
              f"{broker['postgres_cpu_s']}, RabbitMQ {broker['rabbitmq_cpu_s']}, this script "
              f"{broker['benchmark_cpu_s']}; load {broker['load_average_1min']}; "
              f"{broker['db_rollbacks']} "
              f"rollbacks / {broker['db_commits']} commits)")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
