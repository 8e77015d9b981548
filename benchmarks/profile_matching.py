"""Where one matching process spends its time on company.registered events.

Runs the use case `services.matching.usecases.company_changed` in a loop
(no broker: the events are parsed from their JSON the way the consumer does)
against a fresh PostgreSQL database holding N open demands, under cProfile,
and prints the time per event and the functions that take it.

    .venv/bin/python benchmarks/profile_matching.py [--demands 20] [--events 300]
        [--top 30] [--sort cumulative]

Random data from benchmarks/matching_speed.py (same generators, fixed seed).
"""
import argparse
import cProfile
import json
import os
import pstats
import random
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy  # noqa: E402

from benchmarks.matching_speed import PG_ADMIN, TODAY, make_company, make_demand  # noqa: E402
from services.contracts import make_event, parse_event  # noqa: E402
from services.matching import domain, usecases  # noqa: E402
from services.platform import migrations  # noqa: E402
from services.platform.db import Database, postgres_url  # noqa: E402
from services.platform.nameko_ext import BoundDatabase  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demands", type=int, default=20)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--no-profile", action="store_true", help="time only")
    parser.add_argument("--evaluate-only", action="store_true",
                        help="no database: CPU time of assess + evaluate (texts in three "
                             "languages) per pair the engine keeps")
    args = parser.parse_args()
    rng = random.Random(1)
    if args.evaluate_only:
        return bench_evaluate()

    db_name = f"profile_matching_{uuid.uuid4().hex[:8]}"
    admin = sqlalchemy.create_engine(postgres_url(PG_ADMIN), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{db_name}"')
    db_url = PG_ADMIN.rsplit("/", 1)[0] + f"/{db_name}"
    try:
        migrations.upgrade("matching", db_url)
        database = Database(db_url, "matching")
        db = BoundDatabase(database, None)  # what a worker gets
        demands = [make_demand(rng, i) for i in range(args.demands)]
        for demand in demands:
            usecases.demand_changed(db, _parsed("park_demand.published", demand), today=TODAY)
        companies = [make_company(rng, 10_000 + i) for i in range(args.events)]
        events = [json.dumps(make_event("company.registered", c, producer="profile")
                             .to_message()) for c in companies]
        kept = sum(domain.assess(c, d, TODAY)["qualifies"] for c in companies for d in demands)

        def run():
            emitted = 0
            for body in events:
                emitted += len(usecases.company_changed(db, parse_event(json.loads(body)),
                                                        today=TODAY) or [])
            return emitted

        # warm-up: the demand index, SQLAlchemy's statement cache
        usecases.company_changed(db, _parsed("company.registered",
                                             make_company(rng, 999_999)), today=TODAY)
        from benchmarks.matching_speed import _db_stats
        stats_before = _db_stats(admin, db_name)
        profiler = None if args.no_profile else cProfile.Profile()
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        emitted = run()
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        time.sleep(1.5)
        stats_after = _db_stats(admin, db_name)
        print(f"{args.events} company events against {args.demands} demands: "
              f"{elapsed / args.events * 1000:.2f} ms per event, "
              f"{cpu / args.events * 1000:.2f} ms of it this process's CPU "
              f"({args.events / elapsed:.1f} events/s{' under cProfile' if profiler else ''}); "
              f"{emitted} events emitted, {kept} matches expected; "
              f"{stats_after[0] - stats_before[0]} commits, {stats_after[1] - stats_before[1]} "
              f"rollbacks; load {os.getloadavg()[0]:.2f}")
        if profiler:
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
        database.dispose()
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        admin.dispose()


def bench_evaluate(pairs=2000, repeats=5):
    """What _settle does for a pair the engine kept: assess, then evaluate
    with every text rendered in three languages."""
    rng = random.Random(3)
    demands = [make_demand(rng, i) for i in range(50)]
    companies = [make_company(rng, i) for i in range(400)]
    kept = [(c, d) for c in companies for d in demands
            if (core := domain.assess(c, d, TODAY))["qualifies"] or core["near_miss"]][:pairs]
    best = []
    for _ in range(repeats):
        started = time.process_time()
        for company, demand in kept:
            core = domain.assess(company, demand, TODAY)
            domain.evaluate(company, demand, TODAY, core)
        best.append((time.process_time() - started) / len(kept) * 1e6)
    print(f"{len(kept)} kept pairs: assess + evaluate {min(best):.0f} us CPU per pair "
          f"(best of {repeats})")


def _parsed(event_type, payload):
    return parse_event(json.loads(json.dumps(
        make_event(event_type, payload, producer="profile").to_message())))


if __name__ == "__main__":
    main()
