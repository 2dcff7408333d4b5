"""The product under load (issue #18): a closed-loop mix of pages and API calls against
the production server (gunicorn) on PostgreSQL, with a plain Django view as the anchor.

    .venv/bin/python benchmarks/load.py                      # 1,000,000 people, 10 and 50 users
    .venv/bin/python benchmarks/load.py --people 2000 --seconds 3 --users 2   # a quick check

What it does, in one run:

1. Ensures the benchmark database (BENCH_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/jejaring_bench): migrated, regions, reference data,
   the demo network, and ``--people`` people (benchmarks/person_search.py's generator).
2. Starts `jejaring serve` on 127.0.0.1 (benchmarks/_serving.py) with DEBUG off, the
   benchmark database and a secret key this process shares, so that the sessions it makes
   in-process (one per virtual user, ``force_login``) and the API tokens it issues (one per
   persona) are valid on the server. The server's settings are the product's plus one
   plain JSON view, the anchor (benchmarks/load_settings.py, load_urls.py).
3. Phases, each ``--seconds`` long: a warm-up (not reported), the anchor and the mix at the
   largest number of users without think time, in ``--slices`` alternating windows (a
   drifting machine slows both alike), the mix at each smaller number of users, then the
   mix at the largest number with think time (the paced phase; ``--think 0`` leaves it
   out). Every virtual user is one demo persona; it picks an operation by weight, with the
   ids of people, cases and forums that persona may see (read through the product's own
   scoping) and names from the generator's pools, sends it on a new connection, waits for
   the whole answer and goes again: at once in the zero-think phases (the closed loop of
   the review: the server's capacity), after a think time in the paced phase (``--think``,
   5 s on average by default, drawn exponentially; the users' starts staggered the same
   way): latency as people see it.
4. After the server stopped, the in-process search path of benchmarks/person_search.py on
   the same database, to compare with person search through the API.

Any answer outside 2xx is an error of its operation (a redirect to the login page too),
with the status codes kept. Only the loopback address is ever contacted. The report is a
Markdown table per number of users, the totals against the anchor, the targets, and a JSON
file under var/bench/.
"""

import argparse
import contextlib
import http.client
import json
import math
import os
import random
import secrets
import string
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
ROOT = BENCHMARKS.parent
sys.path.insert(0, str(BENCHMARKS))

LOOPBACK = "127.0.0.1"
KEY_FILE = ROOT / "var" / "bench" / "load_secret_key"
# Demo personas, rotated over the virtual users: the whole network, a regency's office,
# a province's head, a partner, a panti, another government office, a village officer.
PERSONAS = (
    "admin",
    "petugas.pekanbaru",
    "pimpinan.jabar",
    "mitra.lksa",
    "petugas.bandung",
    "panti.riau",
    "dukcapil.pekanbaru",
    "kelurahan.kampungtengah",
    "data.pekanbaru",
)
TARGET_P95_MS = 300
TARGET_ANCHOR_SHARE = 0.25
TARGET_SEARCH_FACTOR = 2.0
REQUEST_TIMEOUT = 30


def shared_secret_key() -> Path:
    """The secret key file this process and the server both read (mode 0600, made once).

    Written aside and linked into place, so a run started beside this one never reads a
    half-written key; if another run linked its key first, that one is used."""
    if not KEY_FILE.exists():
        KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
        partial = KEY_FILE.with_name(f"{KEY_FILE.name}.{os.getpid()}")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(50))
        with contextlib.suppress(FileExistsError):
            os.link(partial, KEY_FILE)
        partial.unlink()
    return KEY_FILE


CSRF_CHARS = string.ascii_letters + string.digits


def new_csrf_secret() -> str:
    """A CSRF secret as Django makes one: 32 letters and digits."""
    return "".join(secrets.choice(CSRF_CHARS) for _ in range(32))


@dataclass
class VirtualUser:
    """One closed-loop user: a persona's session and token, and what it may open."""

    persona: str
    session: str
    token: str
    people: list[int]
    cases: list[int]
    forums: list[int]
    # Sent as the CSRF cookie and as the form field, as a browser's page would.
    csrf: str = field(default_factory=new_csrf_secret)

    def page_headers(self) -> dict[str, str]:
        from django.conf import settings

        return {
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={self.session}; "
            f"{settings.CSRF_COOKIE_NAME}={self.csrf}"
        }

    def api_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class Operation:
    key: str
    label: str
    weight: int
    needs: str = ""  # "people", "cases" or "forums": the user must see at least one

    def available(self, user: VirtualUser) -> bool:
        return not self.needs or bool(getattr(user, self.needs))


def _name(rng: random.Random) -> str:
    import person_search

    return f"{rng.choice(person_search.FIRST)} {rng.choice(person_search.LAST)}"


def build_request(op: str, user: VirtualUser, rng: random.Random):
    """(method, path, headers, body) of one call of ``op`` by ``user``."""
    page, api = user.page_headers(), user.api_headers()
    if op == "person_search_api":
        # A page as long as the person list's, which benchmarks/person_search.py times.
        from jejaring.registry.views import PAGE_SIZE

        body = json.dumps({"q": _name(rng)})
        path = f"/api/v1/persons/search?limit={PAGE_SIZE}"
        return "POST", path, api | {"Content-Type": "application/json"}, body
    if op == "person_search_page":
        # Posted, as the page's form does (names stay out of URLs), with the CSRF token.
        body = urllib.parse.urlencode({"q": _name(rng), "csrfmiddlewaretoken": user.csrf})
        headers = page | {"Content-Type": "application/x-www-form-urlencoded"}
        return "POST", "/registri/", headers, body
    if op == "person_detail_api":
        return "GET", f"/api/v1/persons/{rng.choice(user.people)}", api, None
    if op == "person_detail_page":
        return "GET", f"/registri/{rng.choice(user.people)}/", page, None
    if op == "case_board":
        return "GET", "/kasus/", page, None
    if op == "case_detail":
        return "GET", f"/kasus/{rng.choice(user.cases)}/", page, None
    if op == "referral_list":
        return "GET", "/api/v1/referrals/", api, None
    if op == "spm_dashboard":
        return "GET", "/spm/", page, None
    if op == "forum_page":
        return "GET", f"/kolaborasi/forum/{rng.choice(user.forums)}/", page, None
    if op == "organisation_list":
        return "GET", "/organisasi/", page, None
    if op == "healthz":
        return "GET", "/healthz", {}, None
    if op == "anchor":
        return "GET", "/bench/anchor", page, None
    raise ValueError(op)


# The mix: weights are shares of the calls a user makes.
MIX = (
    Operation("person_search_api", "person search (API)", 12),
    Operation("person_search_page", "person search (page)", 10),
    Operation("person_detail_api", "person detail (API)", 8, "people"),
    Operation("person_detail_page", "person detail (page)", 10, "people"),
    Operation("case_board", "case board", 10),
    Operation("case_detail", "case detail", 10, "cases"),
    Operation("referral_list", "referral list (API)", 8),
    Operation("spm_dashboard", "SPM dashboard", 6),
    Operation("forum_page", "forum page", 8, "forums"),
    Operation("organisation_list", "organisation list", 8),
    Operation("healthz", "/healthz", 10),
)
ANCHOR = Operation("anchor", "anchor: plain Django JSON view", 1)


def call(port: int, method: str, path: str, headers: dict, body: str | None) -> str:
    """Send one request on a new connection and read the whole answer; returns the status
    ("200", "302 /akun/masuk/", or the exception's name when there was no answer)."""
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        if 300 <= response.status < 400:
            location = urllib.parse.urlsplit(response.getheader("Location") or "").path
            return f"{response.status} {location}"
        return str(response.status)
    except (OSError, http.client.HTTPException) as exc:
        return exc.__class__.__name__
    finally:
        connection.close()


def percentile(sorted_ms: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not sorted_ms:
        return float("nan")
    return sorted_ms[max(0, math.ceil(share * len(sorted_ms)) - 1)]


def run_window(port, users, operations, seconds, think, exponential, seed) -> dict:
    """Run ``len(users)`` closed-loop users for ``seconds``: every call's sample.

    The clock starts when every user is ready. A user starts no call after the end of the
    window; calls already under way finish and count in the latencies (they were sent in
    the window), but the throughput counts only the answers received within it."""
    samples: list[list[tuple[str, float, str, float]]] = [[] for _ in users]
    window = {}

    def open_window() -> None:  # run by one thread as the barrier releases them all
        window["start"] = time.monotonic()
        window["end"] = window["start"] + seconds
        window["cpu"] = time.process_time()

    start = threading.Barrier(len(users) + 1, action=open_window)

    def loop(index: int, user: VirtualUser) -> None:
        rng = random.Random(seed * 1000 + index)
        mine = [op for op in operations if op.available(user)]
        weights = [op.weight for op in mine]
        # The users share one first pass over the operations (user i takes the i-th, the
        # (i+N)-th…; always completed), so that even a phase of a few seconds measures
        # every one at least once; then each picks by weight.
        first_pass = [
            op for j, op in enumerate(operations) if j % len(users) == index and op in mine
        ][::-1]
        start.wait()
        if think:
            # Staggered: users who think do not all click at the same instant. At a random
            # moment a user is part-way through a think time: the rest of an exponential
            # one is again exponential, of a constant one uniform (without this, all the
            # users' first calls arrive at once, a burst no office sees).
            time.sleep(rng.expovariate(1 / think) if exponential else rng.uniform(0, think))
        while first_pass or time.monotonic() < window["end"]:
            op = first_pass.pop() if first_pass else rng.choices(mine, weights)[0]
            method, path, headers, body = build_request(op.key, user, rng)
            began = time.perf_counter()
            status = call(port, method, path, headers, body)
            took = (time.perf_counter() - began) * 1000
            samples[index].append((op.key, took, status, time.monotonic()))
            if think:
                time.sleep(rng.expovariate(1 / think) if exponential else think)

    threads = [threading.Thread(target=loop, args=(i, u), daemon=True) for i, u in enumerate(users)]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join()
    every = [s for per_user in samples for s in per_user]
    last_answer = max((finished for *_, finished in every), default=window["end"])
    return {
        "samples": every,
        "start": window["start"],
        "seconds": seconds,
        # From the window's end to its last answer (a user's last think time not counted).
        "overrun_seconds": max(0.0, last_answer - window["end"]),
        # The load generator shares the machine: how much of it the client itself used.
        "client_cpu_seconds": time.process_time() - window["cpu"],
    }


def run_phase(port, users, operations, seconds, think, exponential, seed) -> dict:
    """One window of ``seconds``: the figures per operation."""
    window = run_window(port, users, operations, seconds, think, exponential, seed)
    return summarise([window], operations)


def run_interleaved(port, users, first, second, seconds, slices, seed) -> tuple[dict, dict]:
    """Two zero-think mixes (the anchor and the product) on the same users, ``seconds``
    each, in ``slices`` alternating windows: a machine whose speed drifts (another VM on
    the host, a CPU's clock) then slows both alike, and their ratio stays the machine's
    and the product's, not the minute's."""
    windows: tuple[list, list] = ([], [])
    for index in range(slices):
        for side, operations in enumerate((first, second)):
            windows[side].append(
                run_window(
                    port, users, operations, seconds / slices, 0, False, seed + 7 * index + side
                )
            )
    return summarise(windows[0], first), summarise(windows[1], second)


def summarise(windows: list[dict], operations) -> dict:
    samples = [sample for window in windows for sample in window["samples"]]
    figures = {}
    for op in operations:
        mine = [(ms, status) for key, ms, status, _ in samples if key == op.key]
        timings = sorted(ms for ms, _ in mine)
        statuses = Counter(status for _, status in mine)
        errors = sum(n for status, n in statuses.items() if not status.startswith("2"))
        figures[op.key] = {
            "label": op.label,
            "count": len(mine),
            "p50_ms": percentile(timings, 0.50),
            "p95_ms": percentile(timings, 0.95),
            "p99_ms": percentile(timings, 0.99),
            "errors": errors,
            "statuses": dict(statuses),
        }
    within = sum(
        1
        for window in windows
        for *_, finished in window["samples"]
        if finished <= window["start"] + window["seconds"]
    )
    seconds = sum(window["seconds"] for window in windows)
    # Throughput: every answer over the time from each window's start to its last answer.
    # (Answers within the window only would drop, at each window, the calls in flight at
    # its end — as many as there are users — and short windows of a slow mix would then
    # seem slower than they are.)
    busy = sum(window["seconds"] + window["overrun_seconds"] for window in windows)
    return {
        "seconds": seconds,
        "windows": len(windows),
        "requests": len(samples),
        "requests_within_phase": within,
        "requests_per_second": len(samples) / busy,
        "errors": sum(f["errors"] for f in figures.values()),
        "operations": figures,
        "overrun_seconds": max(window["overrun_seconds"] for window in windows),
        "client_cpu_seconds": sum(window["client_cpu_seconds"] for window in windows),
    }


def visible_ids(queryset, rng: random.Random, *, sample: int = 2000, keep: int = 300) -> list[int]:
    """Ids of rows the user may see: a random draw over the whole id range (the registry
    holds a million) plus the oldest (the demo's own rows, which carry cases and forums)."""
    from django.db.models import Max, Min

    bounds = queryset.model.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return []
    span = range(bounds["low"], bounds["high"] + 1)
    drawn = rng.sample(span, min(sample, len(span)))
    found = set(queryset.filter(pk__in=drawn).values_list("pk", flat=True))
    found |= set(queryset.order_by("pk").values_list("pk", flat=True)[:100])
    return sorted(found)[:keep] if len(found) <= keep else rng.sample(sorted(found), keep)


def make_users(count: int, rng: random.Random) -> tuple[list[VirtualUser], list[int]]:
    """``count`` virtual users over the personas, each with its own session; one token per
    persona. Returns the users and the token ids (revoked at the end)."""
    from django.conf import settings
    from django.test import Client

    from jejaring.accounts.actions import issue_token
    from jejaring.accounts.models import ApiToken, User, hash_token
    from jejaring.cases.models import Case
    from jejaring.collaboration.models import Forum
    from jejaring.registry.models import Person

    personas = {}
    for username in PERSONAS[: max(1, min(count, len(PERSONAS)))]:
        user = User.objects.get(username=username)
        token = issue_token(user, name="benchmarks/load.py", acting_user=None)
        personas[username] = {
            "user": user,
            "token": token,
            "people": visible_ids(Person.objects.restrict(user).filter(merged_into=None), rng),
            "cases": visible_ids(Case.objects.restrict(user), rng),
            "forums": visible_ids(Forum.objects.restrict(user), rng),
        }
    users = []
    for index in range(count):
        persona = personas[PERSONAS[index % len(personas)]]
        client = Client()
        client.force_login(persona["user"])
        users.append(
            VirtualUser(
                persona=persona["user"].username,
                session=client.cookies[settings.SESSION_COOKIE_NAME].value,
                token=persona["token"],
                people=persona["people"],
                cases=persona["cases"],
                forums=persona["forums"],
            )
        )
    hashes = [hash_token(p["token"]) for p in personas.values()]
    token_ids = list(ApiToken.objects.filter(key_hash__in=hashes).values_list("pk", flat=True))
    return users, token_ids


def clean_up(users: list[VirtualUser], token_ids: list[int]) -> None:
    """End the benchmark's sessions and revoke its tokens."""
    from django.contrib.sessions.models import Session

    from jejaring.accounts.actions import revoke_token
    from jejaring.accounts.models import ApiToken

    Session.objects.filter(session_key__in=[u.session for u in users]).delete()
    for token in ApiToken.objects.filter(pk__in=token_ids):
        revoke_token(token, acting_user=None)


def default_workers() -> int:
    """The server's own default (jejaring/gunicorn_conf.py), else two per core plus one."""
    try:
        from jejaring import gunicorn_conf

        return int(gunicorn_conf.workers)
    except (ImportError, AttributeError, TypeError, ValueError):
        return 2 * (os.cpu_count() or 1) + 1


@contextlib.contextmanager
def server(workers: int, url: str | None, environment: dict[str, str], log: Path):
    """The base URL of the server under test: ``url`` if given (already running), else a
    `jejaring serve` started for this run. Never anything but the loopback address."""
    if url:
        yield url
        return
    from _serving import production_server

    with production_server(workers=workers, log=log, **environment) as base:
        yield base


def worker_boots(server_log: Path, url: str | None) -> int | None:
    """How many workers gunicorn has started so far, from its log (None for a server this
    run did not start). A worker is replaced every ``max_requests``: its start (Django, the
    application, the warm-up) takes CPU from the workers serving, so a phase says how many
    fell inside it."""
    if url or not server_log.exists():
        return None
    return server_log.read_text(errors="replace").count("Booting worker")


def note_boots(phase: dict, server_log: Path, url: str | None, before: int | None) -> int | None:
    now = worker_boots(server_log, url)
    phase["worker_boots"] = None if now is None or before is None else now - before
    return now


def loopback_port(url: str) -> int:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or parts.hostname != LOOPBACK:
        raise SystemExit(f"load.py only talks to http://{LOOPBACK}; refusing {url!r}")
    return parts.port or 80


def table(phase: dict) -> str:
    from _common import table as markdown

    rows = [
        (
            f["label"],
            f"{f['count']:,}",
            f"{f['p50_ms']:.0f}",
            f"{f['p95_ms']:.0f}",
            f"{f['p99_ms']:.0f}",
            f"{f['errors']}" + (f" ({_codes(f['statuses'])})" if f["errors"] else ""),
        )
        for f in phase["operations"].values()
    ]
    return markdown(("operation", "count", "p50 ms", "p95 ms", "p99 ms", "errors"), rows)


def _codes(statuses: dict) -> str:
    return ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()) if not s.startswith("2"))


def judge(
    capacity: dict, realistic: dict | None, anchor: dict, search: dict
) -> list[tuple[str, bool, str]]:
    """The issue's targets at the largest number of users.

    Throughput is the server's capacity: the zero-think loop (``capacity``) against the
    anchor's, in the same run. Latency is judged where users think between calls
    (``realistic``), when the run has that phase: in a zero-think loop every answer waits
    behind the other users' calls, so its p95 is users ÷ throughput whatever a page costs
    (fifty users who never pause are the traffic of hundreds who do). Without it
    (``--think 0``) latency is judged on the zero-think loop."""
    paced = realistic or capacity
    worst = max(paced["operations"].values(), key=lambda f: f["p95_ms"])
    share = capacity["requests_per_second"] / anchor["requests_per_second"]
    api_p95 = paced["operations"]["person_search_api"]["p95_ms"]
    where = "with think time" if realistic else "zero think"
    errors = capacity["errors"] + anchor["errors"] + (realistic or {}).get("errors", 0)
    return [
        (
            f"p95 of every operation < {TARGET_P95_MS} ms ({where})",
            all(f["p95_ms"] < TARGET_P95_MS for f in paced["operations"].values()),
            f"worst: {worst['label']}, {worst['p95_ms']:.0f} ms",
        ),
        (
            "0 errors",
            errors == 0,
            f"{capacity['errors']} in the zero-think mix, "
            + (f"{realistic['errors']} with think time, " if realistic else "")
            + f"{anchor['errors']} at the anchor",
        ),
        (
            f"throughput >= {TARGET_ANCHOR_SHARE:.0%} of the anchor (zero think)",
            share >= TARGET_ANCHOR_SHARE,
            f"{share:.0%}: {capacity['requests_per_second']:.1f} against "
            f"{anchor['requests_per_second']:.1f} req/s",
        ),
        (
            f"person search (API) p95 within {TARGET_SEARCH_FACTOR:.0f}x of in-process ({where})",
            api_p95 <= TARGET_SEARCH_FACTOR * search["best_p95_ms"],
            f"{api_p95:.0f} ms against {search['best_p95_ms']:.0f} ms, the faster in-process "
            f"path's ({api_p95 / search['best_p95_ms']:.1f}x)",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--users", default="10,50", help="comma-separated, e.g. 10,50")
    parser.add_argument("--seconds", type=float, default=60, help="length of each phase")
    parser.add_argument("--warmup", type=float, help="warm-up seconds (default: min(10, seconds))")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument(
        "--think",
        type=float,
        default=5.0,
        help="mean think time of the paced phase, seconds (0: no paced phase)",
    )
    parser.add_argument(
        "--think-constant",
        action="store_true",
        help="constant think times (default: drawn exponentially around --think)",
    )
    parser.add_argument(
        "--slices",
        type=int,
        default=6,
        help="alternating windows of the anchor and the mix at the largest number of users",
    )
    parser.add_argument("--queries", type=int, default=40, help="in-process search queries")
    parser.add_argument(
        "--provinces", help="load only these provinces' regions on a new database (tests)"
    )
    parser.add_argument(
        "--url",
        help=f"use a server already running on http://{LOOPBACK}:PORT instead of starting "
        "one; it must use the benchmark database, SECRET_KEY_FILE=var/bench/load_secret_key, "
        "DJANGO_SETTINGS_MODULE=load_settings and PYTHONPATH=benchmarks",
    )
    parser.add_argument("--json", type=Path, help="where to write the JSON report")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()
    counts = sorted({int(n) for n in args.users.split(",") if n.strip()})
    if not counts or counts[0] < 1 or args.seconds <= 0 or args.slices < 1:
        parser.error("--users and --slices need positive numbers, --seconds a positive length")
    if args.url:
        loopback_port(args.url)
    began = time.monotonic()

    os.environ["SECRET_KEY_FILE"] = str(shared_secret_key())
    import person_search
    from _common import BENCH_DIR, machine

    person_search.setup_django(args.provinces)
    person_search.generate(args.people)

    from jejaring.registry.models import Person

    people = Person.objects.count()
    rng = random.Random(args.seed)
    users, token_ids = make_users(max(counts), rng)
    environment = {
        "DATABASE_URL": person_search.BENCH_URL,
        "SECRET_KEY_FILE": os.environ["SECRET_KEY_FILE"],
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCHMARKS), str(ROOT)]),
    }
    if os.environ.get("STATIC_ROOT"):  # a test's own, beside other servers' collectstatic
        environment["STATIC_ROOT"] = os.environ["STATIC_ROOT"]
    path = args.json or BENCH_DIR / f"load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    server_log = path.with_suffix(".server.log")
    think = (
        f"{args.think:g} s {'constant' if args.think_constant else 'exponential'}"
        if args.think
        else None
    )
    phases = {}
    try:
        with server(args.workers, args.url, environment, server_log) as base:
            port = loopback_port(base)
            warmup = min(10.0, args.seconds) if args.warmup is None else args.warmup
            # The warm-up reaches every worker with every page before anything is measured
            # (a database connection to open, the first rows of a table to read).
            run_phase(port, users, MIX, warmup, 0, False, args.seed)
            # The capacity: closed loops without think time. The anchor and the mix at
            # the largest number of users alternate, so that both meet the same machine.
            booted = worker_boots(server_log, args.url)
            phases["anchor"], phases[str(counts[-1])] = run_interleaved(
                port, users, (ANCHOR,), MIX, args.seconds, args.slices, args.seed + 1
            )
            booted = note_boots(phases[str(counts[-1])], server_log, args.url, booted)
            for n in counts[:-1]:
                phases[str(n)] = run_phase(
                    port, users[:n], MIX, args.seconds, 0, False, args.seed + 2 + n
                )
                booted = note_boots(phases[str(n)], server_log, args.url, booted)
            if think:  # the same users as they work: a think time between calls
                phases["paced"] = run_phase(
                    port,
                    users[: counts[-1]],
                    MIX,
                    args.seconds,
                    args.think,
                    not args.think_constant,
                    args.seed + 3,
                )
                note_boots(phases["paced"], server_log, args.url, booted)
    finally:
        clean_up(users, token_ids)

    timings = person_search.product_timings(person_search.search_queries(args.queries))
    search = {
        who: {
            "p50_ms": percentile(sorted(ms), 0.5),
            "p95_ms": person_search.p95(ms),
            "queries": len(ms),
        }
        for who, ms in timings.items()
    }
    # The API is judged against the faster of the two in-process paths: the stricter
    # comparison (one slow query in forty can lift a path's p95 several times).
    search["best_p95_ms"] = min(s["p95_ms"] for s in search.values())
    anchor = phases["anchor"]
    targets = judge(phases[str(counts[-1])], phases.get("paced"), anchor, search)
    wall = time.monotonic() - began

    print()
    print(
        f"Load on {people:,} people, {args.workers} server workers, phases of "
        f"{args.seconds:g} s; the paced phase's think time: {think or 'none (--think 0)'}"
    )
    print(f"Machine: {machine()} (the load runs on the same machine as the server)")
    shown = [(str(n), f"{n} users, zero think") for n in counts]
    if think:
        shown.append(("paced", f"{counts[-1]} users, think time {think}"))
    for key, title in shown:
        phase = phases[key]
        print()
        print(f"### {title}")
        print()
        print(table(phase))
        print()
        print(
            f"{phase['requests']:,} requests in {phase['seconds']:g} s "
            f"({phase['windows']} window{'s' if phase['windows'] > 1 else ''}): "
            f"{phase['requests_per_second']:.1f} req/s, {phase['errors']} errors; "
            f"the anchor at {counts[-1]} users: {anchor['requests_per_second']:.1f} req/s "
            f"(p95 {anchor['operations']['anchor']['p95_ms']:.0f} ms, "
            f"{anchor['errors']} errors); ratio "
            f"{phase['requests_per_second'] / anchor['requests_per_second']:.0%}; "
            f"the load client itself used {phase['client_cpu_seconds']:.1f} CPU-seconds"
            + (
                f"; workers started during it: {phase['worker_boots']}"
                + (" (with the anchor's windows)" if key == str(counts[-1]) else "")
                if phase.get("worker_boots") is not None
                else ""
            )
        )
    print()
    print("Person search in-process (benchmarks/person_search.py's path, same database):")
    for who in ("admin", "petugas.pekanbaru"):
        print(f"  {who}: p50 {search[who]['p50_ms']:.0f} ms, p95 {search[who]['p95_ms']:.0f} ms")
    for key, title in shown:
        api = phases[key]["operations"]["person_search_api"]
        print(
            f"  through the API ({title}): p50 {api['p50_ms']:.0f} ms, p95 {api['p95_ms']:.0f} ms"
        )
    print()
    print(f"Targets ({counts[-1]} users, {people:,} people):")
    for name, met, detail in targets:
        print(f"  {name}: {'met' if met else 'NOT met'} ({detail})")
    print(f"Total wall time: {wall:.0f} s")

    report = {
        "people": people,
        "users": counts,
        "seconds_per_phase": args.seconds,
        "workers": args.workers,
        "server": args.url or "jejaring serve (gunicorn, benchmarks/_serving.py)",
        "database": person_search.BENCH_URL.rsplit("/", 1)[1],
        "think": think,  # of the paced phase; None without one
        "machine": machine(),
        "phases": phases,
        "person_search_in_process": search,
        "targets": [{"target": t, "met": m, "detail": d} for t, m, d in targets],
        "wall_seconds": wall,
    }
    path.write_text(json.dumps(report, indent=2))
    print(f"Report: {path}" + ("" if args.url else f" (the server's log: {server_log})"))


if __name__ == "__main__":
    main()
