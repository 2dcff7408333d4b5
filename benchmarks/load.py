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
3. Phases, each ``--seconds`` long: a warm-up (not reported), the anchor at the largest
   number of users, then the mix at each number of users. Every virtual user is one demo
   persona; it picks an operation by weight, with the ids of people, cases and forums that
   persona may see (read through the product's own scoping) and names from the generator's
   pools, sends it on a new connection, waits for the whole answer, then thinks
   (``--think``, zero by default: the closed loop of the review) and goes again.
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
        body = json.dumps({"q": _name(rng)})
        return "POST", "/api/v1/persons/search", api | {"Content-Type": "application/json"}, body
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


def run_phase(port, users, operations, seconds, think, exponential, seed) -> dict:
    """Run ``len(users)`` closed-loop users for ``seconds``; the figures per operation.

    The clock starts when every user is ready. A user starts no call after the end of the
    phase; calls already under way finish and count in the latencies (they were sent in
    the phase), but the throughput counts only the answers received within it."""
    samples: list[list[tuple[str, float, str, float]]] = [[] for _ in users]
    window = {}

    def open_phase() -> None:  # run by one thread as the barrier releases them all
        window["start"] = time.monotonic()
        window["end"] = window["start"] + seconds
        window["cpu"] = time.process_time()

    start = threading.Barrier(len(users) + 1, action=open_phase)

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
    figures = summarise(
        [s for per_user in samples for s in per_user], operations, window["start"], seconds
    )
    figures["overrun_seconds"] = time.monotonic() - window["end"]
    # The load generator shares the machine: how much of it the client itself used.
    figures["client_cpu_seconds"] = time.process_time() - window["cpu"]
    return figures


def summarise(samples, operations, started: float, seconds: float) -> dict:
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
    within = sum(1 for *_, finished in samples if finished <= started + seconds)
    return {
        "seconds": seconds,
        "requests": len(samples),
        "requests_within_phase": within,
        "requests_per_second": within / seconds,
        "errors": sum(f["errors"] for f in figures.values()),
        "operations": figures,
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
    mix: dict, anchor: dict, search: dict, think: float
) -> list[tuple[str, bool | None, str]]:
    """The issue's targets, on the largest number of users. With a think time the mix's
    throughput is what the users ask for, not what the server can give: the share of the
    anchor is then not judged (None)."""
    worst = max(mix["operations"].values(), key=lambda f: f["p95_ms"])
    share = mix["requests_per_second"] / anchor["requests_per_second"]
    api_p95 = mix["operations"]["person_search_api"]["p95_ms"]
    return [
        (
            f"p95 of every operation < {TARGET_P95_MS} ms",
            all(f["p95_ms"] < TARGET_P95_MS for f in mix["operations"].values()),
            f"worst: {worst['label']}, {worst['p95_ms']:.0f} ms",
        ),
        (
            "0 errors",
            mix["errors"] == 0 and anchor["errors"] == 0,
            f"{mix['errors']} in the mix, {anchor['errors']} at the anchor",
        ),
        (
            f"throughput >= {TARGET_ANCHOR_SHARE:.0%} of the anchor",
            share >= TARGET_ANCHOR_SHARE if not think else None,
            f"{share:.0%}"
            if not think
            else f"not judged with a think time ({share:.0%} of the anchor's capacity is what "
            "the users asked for); run with --think 0",
        ),
        (
            f"person search (API) p95 within {TARGET_SEARCH_FACTOR:.0f}x of in-process",
            api_p95 <= TARGET_SEARCH_FACTOR * search["worst_p95_ms"],
            f"{api_p95:.0f} ms against {search['worst_p95_ms']:.0f} ms "
            f"({api_p95 / search['worst_p95_ms']:.1f}x)",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--users", default="10,50", help="comma-separated, e.g. 10,50")
    parser.add_argument("--seconds", type=float, default=60, help="length of each phase")
    parser.add_argument("--warmup", type=float, help="warm-up seconds (default: min(10, seconds))")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--think", type=float, default=0.0, help="think time, seconds")
    parser.add_argument(
        "--think-exponential", action="store_true", help="think times drawn exponentially"
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
    if not counts or counts[0] < 1 or args.seconds <= 0:
        parser.error("--users needs positive numbers and --seconds a positive length")
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
        f"{args.think:g} s {'exponential' if args.think_exponential else 'constant'}"
        if args.think
        else "none (zero-think closed loop)"
    )
    phases = {}
    try:
        with server(args.workers, args.url, environment, server_log) as base:
            port = loopback_port(base)
            settings = (args.think, args.think_exponential)
            warmup = min(10.0, args.seconds) if args.warmup is None else args.warmup
            # The warm-up and the anchor run without think time whatever --think says: the
            # warm-up must reach every worker with every page (a worker compiles a template,
            # builds the API's schema… on its first use of it, ~1 s that is no steady-state
            # latency), and the anchor is the server's capacity, which a think time would cap
            # at users / think.
            run_phase(port, users, MIX, warmup, 0, False, args.seed)
            phases["anchor"] = run_phase(
                port, users, (ANCHOR,), args.seconds, 0, False, args.seed + 1
            )
            for n in counts:
                phases[str(n)] = run_phase(
                    port, users[:n], MIX, args.seconds, *settings, args.seed + 2 + n
                )
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
    search["worst_p95_ms"] = max(s["p95_ms"] for s in search.values())
    largest = phases[str(counts[-1])]
    targets = judge(largest, phases["anchor"], search, args.think)
    wall = time.monotonic() - began

    anchor = phases["anchor"]
    print()
    print(
        f"Load on {people:,} people, {args.workers} server workers, phases of "
        f"{args.seconds:g} s, think time: {think}"
    )
    print(f"Machine: {machine()} (the load runs on the same machine as the server)")
    for n in counts:
        phase = phases[str(n)]
        print()
        print(f"### {n} users")
        print()
        print(table(phase))
        print()
        print(
            f"{phase['requests']:,} requests ({phase['requests_within_phase']:,} answered "
            f"within the {phase['seconds']:g} s): "
            f"{phase['requests_per_second']:.1f} req/s, {phase['errors']} errors; "
            f"the anchor at {counts[-1]} users: {anchor['requests_per_second']:.1f} req/s "
            f"(p95 {anchor['operations']['anchor']['p95_ms']:.0f} ms, "
            f"{anchor['errors']} errors); ratio "
            f"{phase['requests_per_second'] / anchor['requests_per_second']:.0%}; "
            f"the load client itself used {phase['client_cpu_seconds']:.1f} CPU-seconds"
        )
    print()
    print("Person search in-process (benchmarks/person_search.py's path, same database):")
    for who in ("admin", "petugas.pekanbaru"):
        print(f"  {who}: p50 {search[who]['p50_ms']:.0f} ms, p95 {search[who]['p95_ms']:.0f} ms")
    for n in counts:
        api = phases[str(n)]["operations"]["person_search_api"]
        print(
            f"  through the API at {n} users: p50 {api['p50_ms']:.0f} ms, "
            f"p95 {api['p95_ms']:.0f} ms"
        )
    print()
    print(f"Targets ({counts[-1]} users, {people:,} people):")
    for name, met, detail in targets:
        verdict = "not judged" if met is None else "met" if met else "NOT met"
        print(f"  {name}: {verdict} ({detail})")
    print(f"Total wall time: {wall:.0f} s")

    report = {
        "people": people,
        "users": counts,
        "seconds_per_phase": args.seconds,
        "workers": args.workers,
        "server": args.url or "jejaring serve (gunicorn, benchmarks/_serving.py)",
        "database": person_search.BENCH_URL.rsplit("/", 1)[1],
        "think": think,
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
