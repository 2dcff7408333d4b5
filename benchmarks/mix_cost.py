"""What a request of the load mix costs the application itself (issue #18), in process: the
mix of benchmarks/load.py through Django's test client — no server, no network, no other
client — beside the anchor view, and optionally against another commit in the same minutes.

    .venv/bin/python benchmarks/mix_cost.py                       # this checkout
    .venv/bin/python benchmarks/mix_cost.py --against 2f11855     # alternated with that commit
    .venv/bin/python benchmarks/mix_cost.py --people 2000 --reps 1 --rounds 1   # a quick check

Why: under load, the share of the anchor moves between runs of the same code by more than
a change of a few per cent (the machine's speed drifts from one minute to the next), so a
change is judged here. Each measurement runs in a child process for one checkout (this one,
or a git worktree of ``--against`` under var/bench/worktrees/), on the benchmark database
of benchmarks/person_search.py (``--people`` ensures that many): the personas of the load
run, the mix by its weights in a fixed shuffled order, a warm-up pass, then ``--reps``
passes timed (wall and CPU per request) and the anchor as many times as the mix has
requests. With ``--against``, the two checkouts alternate ``--rounds`` times, so that both
meet the same minutes; the report gives every round and the medians.
"""

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
ROOT = BENCHMARKS.parent
WORKTREES = ROOT / "var" / "bench" / "worktrees"


def measure(root: Path, reps: int, seed: int) -> dict:
    """In this (child) process: the mix's and the anchor's cost for the checkout at ``root``."""
    sys.path[:0] = [str(root / "benchmarks"), str(root)]
    os.environ["DJANGO_SETTINGS_MODULE"] = "load_settings"
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    import django
    import person_search  # noqa: F401 — points DATABASE_URL at the benchmark database

    django.setup()
    import jejaring

    if not Path(jejaring.__file__).resolve().is_relative_to(root.resolve()):
        raise RuntimeError(f"imported {jejaring.__file__}, not the checkout at {root}")
    import load
    from django.core.management import call_command
    from django.test import Client

    static = Path(os.environ["STATIC_ROOT"])
    if not (static / "staticfiles.json").exists():  # the manifest the pages' links need
        call_command("collectstatic", interactive=False, verbosity=0)
    rng = random.Random(seed)
    users, token_ids = load.make_users(len(load.PERSONAS), rng)
    client = Client(HTTP_HOST=load.LOOPBACK)

    def call(operation: str, user) -> None:
        method, path, headers, body = load.build_request(operation, user, rng)
        meta = {}
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            meta[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
        content_type = meta.pop("CONTENT_TYPE", "application/octet-stream")
        if method == "POST":
            response = client.generic(method, path, body.encode(), content_type, **meta)
        else:
            response = client.generic(method, path, **meta)
        if response.status_code >= 300:
            raise RuntimeError(f"{operation} {path}: {response.status_code}")

    plan = [
        (operation.key, candidates[n % len(candidates)])
        for operation in load.MIX
        for candidates in [[u for u in users if operation.available(u)]]
        for n in range(operation.weight)
    ]
    random.Random(seed).shuffle(plan)
    try:
        for operation, user in plan:  # warm-up: caches, connections, compiled templates
            call(operation, user)
        # Each operation's own share too, to say where a request's cost is.
        spent = {key: [0.0, 0.0, 0] for key in dict.fromkeys(key for key, _user in plan)}
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(reps):
            for operation, user in plan:
                began, began_cpu = time.perf_counter(), time.process_time()
                call(operation, user)
                totals = spent[operation]
                totals[0] += time.perf_counter() - began
                totals[1] += time.process_time() - began_cpu
                totals[2] += 1
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        requests = reps * len(plan)
        anchor_wall = time.perf_counter()
        for n in range(requests):
            call("anchor", users[n % len(users)])
        anchor_wall = time.perf_counter() - anchor_wall
    finally:
        load.clean_up(users, token_ids)
    return {
        "requests": requests,
        "mix_wall_ms": 1000 * wall / requests,
        "mix_cpu_ms": 1000 * cpu / requests,
        "anchor_wall_ms": 1000 * anchor_wall / requests,
        "operations": {
            key: {"calls": n, "wall_ms": 1000 * w / n, "cpu_ms": 1000 * c / n}
            for key, (w, c, n) in spent.items()
        },
    }


def worktree(revision: str) -> Path:
    """A checkout of ``revision`` beside this one, sharing its benchmark files."""
    sha = subprocess.run(  # noqa: S603 — git, with a revision the caller named
        ["git", "rev-parse", "--verify", f"{revision}^{{commit}}"],  # noqa: S607
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    path = WORKTREES / sha[:12]
    if not path.exists():
        WORKTREES.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603
            ["git", "worktree", "add", "--detach", str(path), sha],  # noqa: S607
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
    (path / "var").mkdir(exist_ok=True)
    shared = path / "var" / "bench"
    if not shared.exists():
        shared.symlink_to(ROOT / "var" / "bench")  # the secret key and the bench settings
    return path


def run_child(root: Path, name: str, reps: int, seed: int) -> dict:
    # Each checkout's own collected static files (their hashed names differ), beside the
    # STATIC_ROOT given, if any (a test's own directory).
    static = Path(os.environ.get("STATIC_ROOT") or ROOT / "var" / "bench" / "static")
    label = re.sub(r"[^\w.-]", "_", name)
    environment = os.environ | {
        "SECRET_KEY_FILE": str(ROOT / "var" / "bench" / "load_secret_key"),
        "STATIC_ROOT": str(static.with_name(f"{static.name}-{label}")),
    }
    done = subprocess.run(  # noqa: S603 — this script, in a child
        [sys.executable, str(Path(__file__).resolve()), "--child", str(root),
         "--reps", str(reps), "--seed", str(seed)],
        cwd=root, env=environment, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"the measurement of {name} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=3, help="timed passes over the mix")
    parser.add_argument("--rounds", type=int, default=3, help="alternations with --against")
    parser.add_argument("--against", help="a git revision to alternate with this checkout")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument(
        "--provinces", help="load only these provinces' regions on a new database (tests)"
    )
    parser.add_argument("--json", type=Path, help="where to write the JSON report")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.reps, args.seed)))
        return
    if args.reps < 1 or args.rounds < 1:
        parser.error("--reps and --rounds need positive numbers")

    sys.path.insert(0, str(BENCHMARKS))
    import load
    import person_search

    os.environ["SECRET_KEY_FILE"] = str(load.shared_secret_key())
    person_search.setup_django(args.provinces)
    person_search.generate(args.people)
    from _common import BENCH_DIR, machine

    checkouts = [("this", ROOT)]
    if args.against:
        checkouts.insert(0, (args.against, worktree(args.against)))
    rounds = {name: [] for name, _root in checkouts}
    for _ in range(args.rounds if args.against else 1):
        for name, root in checkouts:
            rounds[name].append(run_child(root, name, args.reps, args.seed))

    report = {"people": args.people, "reps": args.reps, "machine": machine(), "rounds": rounds}
    print(f"The load mix in process, {args.reps} passes of {len(load.MIX)} operations by weight:")
    print("| checkout | round | mix wall ms/request | mix CPU ms/request | anchor ms/request |")
    print("|---|---:|---:|---:|---:|")
    for name, results in rounds.items():
        for n, result in enumerate(results, start=1):
            print(
                f"| {name} | {n} | {result['mix_wall_ms']:.2f} | {result['mix_cpu_ms']:.2f} "
                f"| {result['anchor_wall_ms']:.2f} |"
            )
    medians = {
        name: {
            key: statistics.median(r[key] for r in results)
            for key in ("mix_wall_ms", "mix_cpu_ms", "anchor_wall_ms")
        }
        for name, results in rounds.items()
    }
    report["medians"] = medians
    for name, median in medians.items():
        print(
            f"{name}: median {median['mix_wall_ms']:.2f} ms wall, {median['mix_cpu_ms']:.2f} ms "
            f"CPU a request; the anchor {median['anchor_wall_ms']:.2f} ms"
        )
    weights = {operation.key: operation.weight for operation in load.MIX}
    print("Per operation, median wall ms (CPU ms) a call; its share is wall × weight:")
    print("| operation | weight | " + " | ".join(rounds) + " |")
    print("|---|---:|" + "---:|" * len(rounds))
    for key, weight in weights.items():
        cells = []
        for results in rounds.values():
            calls = [r["operations"][key] for r in results if key in r["operations"]]
            cells.append(
                f"{statistics.median(c['wall_ms'] for c in calls):.1f} "
                f"({statistics.median(c['cpu_ms'] for c in calls):.1f})"
                if calls
                else "—"
            )
        print(f"| {key} | {weight} | " + " | ".join(cells) + " |")
    if args.against:
        change = medians["this"]["mix_wall_ms"] / medians[args.against]["mix_wall_ms"] - 1
        report["wall_change"] = change
        print(f"this checkout against {args.against}: {change:+.1%} wall per request")
    path = args.json or BENCH_DIR / f"mix-cost-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2))
    print(f"Report: {path}")


if __name__ == "__main__":
    main()
