"""How fast an allocation round is (issue #3 §7): our company-proposing
deferred acceptance against the `matching` package's hospital–resident
solver, on the same random instance, in the same run.

    .venv/bin/python benchmarks/allocation_speed.py [--companies 10000] [--demands 500]
        [--runs 7] [--package-runs 3] [--seed 7]

The instance: every company eligible for 5–20 demands (some parks far more
popular than others), match scores with one decimal (so ties happen and are
broken by id), 5–40 places per demand, a third of the companies with stated
preferences over some of their demands. Both solvers get the identical
rankings (built by `allocation.company_rankings` / `demand_rankings`) and
must return the identical assignment, else the script fails.

Timed (median CPU and wall seconds of --runs; the package --package-runs,
one run if a run takes over 30 s):
  ours, round    = rankings + solve + why-not answers (what a round does)
  ours, solve    = `allocation.solve` on the ready rankings
  package        = HospitalResident.create_from_dictionaries(...) + solve
  package, solve = its .solve() alone on a freshly created game
Peak memory of each (tracemalloc, in a separate untimed run).
"""
import argparse
import random
import statistics
import sys
import threading
import time
import tracemalloc
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching.games import HospitalResident  # noqa: E402

from services.matching.allocation import domain as allocation  # noqa: E402


def instance(companies, demands, seed):
    rng = random.Random(seed)
    demand_ids = [f"demand-{j:04d}" for j in range(demands)]
    # popularity: a few parks are wanted by many (Zipf-like weights)
    weights = [1.0 / (1 + j) ** 0.8 for j in range(demands)]
    rng.shuffle(weights)
    cumulative = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    scores = {}
    for i in range(companies):
        wanted = rng.randint(5, 20)
        chosen = set()
        while len(chosen) < wanted:
            chosen.add(demand_ids[_pick(cumulative, rng.random() * total)])
        scores[f"company-{i:05d}"] = {d: round(rng.uniform(40, 100), 1) for d in sorted(chosen)}
    eligible = {d for s in scores.values() for d in s}
    places = {d: rng.randint(5, 40) for d in demand_ids if d in eligible}
    stated = {}
    for company_id, eligible_demands in scores.items():
        if rng.random() < 1 / 3:
            listed = list(eligible_demands)
            rng.shuffle(listed)
            stated[company_id] = listed[:rng.randint(1, len(listed))]
    return scores, places, stated


def _pick(cumulative, x):
    lo, hi = 0, len(cumulative) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cumulative[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


class Timing:
    """Wall-clock and CPU seconds of one or more runs. CPU time (this
    process) is what the speed-ups use: the machine is shared, and other
    processes' load inflates wall time unevenly between the two solvers."""

    def __init__(self):
        self.wall, self.cpu = [], []

    def measure(self, fn):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        self.cpu.append(time.process_time() - cpu)
        self.wall.append(time.perf_counter() - wall)
        return result

    @property
    def runs(self):
        return len(self.wall)

    def median_wall(self):
        return statistics.median(self.wall)

    def median_cpu(self):
        return statistics.median(self.cpu)


def timed(fn, runs, long_after=None):
    """(Timing, result of the last run)."""
    timing, result = Timing(), None
    for _ in range(runs):
        result = timing.measure(fn)
        if long_after is not None and timing.wall[-1] > long_after:
            break
    return timing, result


def peak_memory(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def package_game(companies, demands, places):
    with warnings.catch_warnings():
        # the package warns about any inconsistency in the lists: make that fatal
        warnings.simplefilter("error")
        return HospitalResident.create_from_dictionaries(companies, demands, places)


def package_solve(game):
    matching = game.solve(optimal="resident")
    return {hospital.name: sorted(r.name for r in residents)
            for hospital, residents in matching.items()}


def package_round(companies, demands, places):
    return package_solve(package_game(companies, demands, places))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--demands", type=int, default=500)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--package-runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    scores, places, stated = instance(args.companies, args.demands, args.seed)
    pairs = sum(len(s) for s in scores.values())
    companies = allocation.company_rankings(scores, stated)
    demands = allocation.demand_rankings(scores)
    print(f"instance: {len(scores):,} companies x {len(places):,} demands, {pairs:,} eligible "
          f"pairs, {sum(places.values()):,} places, {len(stated):,} companies with stated "
          f"preferences (seed {args.seed})")

    round_t, ours = timed(lambda: allocation.allocate(scores, places, stated), args.runs)
    solve_t, ours_solved = timed(lambda: allocation.solve(companies, demands, places), args.runs)
    package_t, theirs = timed(
        lambda: package_round(companies, demands, places), args.package_runs, long_after=30)
    # the package's solve alone, on a fresh game each time (solve consumes the game)
    package_solve_t = Timing()
    for _ in range(package_t.runs):
        game = package_game(companies, demands, places)
        package_solve_t.measure(lambda game=game: package_solve(game))

    ours_sorted = {d: sorted(cs) for d, cs in ours.assignments.items()}
    identical = ours_sorted == theirs and \
        {d: sorted(cs) for d, cs in ours_solved.items()} == theirs
    placed = sum(len(cs) for cs in ours.assignments.values())
    print(f"assignment: {placed:,} companies placed, {len(ours.unplaced):,} without a place, "
          f"{sum(len(a) for a in ours.why_not.values()):,} why-not answers; identical to the "
          f"package: {'yes' if identical else 'NO'}")

    memory = {
        "ours, round": peak_memory(lambda: allocation.allocate(scores, places, stated)),
        "ours, solve": peak_memory(lambda: allocation.solve(companies, demands, places)),
        "package": peak_memory(lambda: package_round(companies, demands, places)),
    }
    rows = [
        ("ours, round (rankings + solve + why-not)", round_t, memory["ours, round"]),
        ("ours, solve", solve_t, memory["ours, solve"]),
        ("package: create_from_dictionaries + solve", package_t, memory["package"]),
        ("package: solve alone", package_solve_t, None),
    ]
    print(f"{'what':44} {'median cpu':>11} {'median wall':>12} {'runs':>5} {'peak memory':>12}")
    for name, timing, peak in rows:
        mem = f"{peak / 2**20:9.1f} MB" if peak is not None else f"{'-':>12}"
        print(f"{name:44} {timing.median_cpu():10.3f}s {timing.median_wall():11.3f}s "
              f"{timing.runs:5d} {mem}")
    print(f"speed-up (cpu), round vs package create+solve: "
          f"{package_t.median_cpu() / round_t.median_cpu():.1f}x "
          f"(wall: {package_t.median_wall() / round_t.median_wall():.1f}x)")
    print(f"speed-up (cpu), solve vs package solve alone:  "
          f"{package_solve_t.median_cpu() / solve_t.median_cpu():.1f}x "
          f"(wall: {package_solve_t.median_wall() / solve_t.median_wall():.1f}x)")
    if not identical:
        sys.exit("the assignments differ")


def run_with_deep_stack(fn):
    """The package deep-copies its web of player objects recursively: far
    deeper than Python's default limits at this size. Run in a thread with
    a large C stack and a high recursion limit."""
    sys.setrecursionlimit(1_000_000)
    threading.stack_size(1024 * 2**20)
    outcome = {}

    def target():
        try:
            fn()
        except SystemExit as exc:
            outcome["exit"] = exc.code
        except Exception as exc:  # noqa: BLE001  re-raised in the main thread
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    if outcome.get("exit") is not None:
        sys.exit(outcome["exit"])


if __name__ == "__main__":
    run_with_deep_stack(main)
