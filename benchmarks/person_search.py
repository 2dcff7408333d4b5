"""Person search on a generated registry of a million people (issue #3).

Creates (or reuses) a PostgreSQL database, fills it with synthetic people spread over
all regencies, then times the product's search path — the same FilterSet and scoping
the page and API use — against its anchor in the same run: the same name match forced
to a sequential scan (what the search would cost without the trigram index).

    .venv/bin/python benchmarks/person_search.py            # 1,000,000 people
    .venv/bin/python benchmarks/person_search.py --people 100000

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/jejaring_bench).
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jejaring_bench"
)
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jejaring.settings")

FIRST = (
    "Muhammad Ahmad Siti Nur Dewi Budi Agus Rina Sri Eko Putri Rizki Fajar Indah Dian Andi "
    "Yusuf Ayu Fitri Hendra Wahyu Lestari Bambang Joko Sari Rahmat Dedi Asep Euis Ujang Neng "
    "Made Ketut Nyoman Wayan Komang Yohanes Maria Paulus Fransiska Daeng Andi Teuku Cut Ucok "
    "Butet Sutan Rangkuti Irfan Hidayat Taufik Nurul Aisyah Fatimah Zainab Hasan Husein"
).split()
LAST = (
    "Saputra Santoso Hidayat Lestari Wijaya Pratama Kurniawan Setiawan Nugroho Siregar Harahap "
    "Nasution Lubis Sitompul Simanjuntak Tanjung Pane Daulay Rahman Hakim Firmansyah Gunawan "
    "Susanto Purnomo Wibowo Suryani Handayani Rahayu Maharani Permata Utami Anggraini Syahputra "
    "Ramadhan Maulana Prasetyo Wahyudi Sembiring Ginting Tarigan Manurung Sinaga Hutapea"
).split()


def setup_django(provinces: str | None = None):
    """Create the database if missing, then migrate and load regions (all of them, or
    only ``provinces``, e.g. "14,31,32" as the tests do), reference data and the demo."""
    import django
    import psycopg

    admin_url = BENCH_URL.rsplit("/", 1)[0] + "/postgres"
    name = BENCH_URL.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    django.setup()
    from django.core.management import call_command

    from jejaring.core.management.commands.setup import seed_reference_data

    call_command("migrate", verbosity=0)
    call_command("load_regions", verbosity=0, **({"provinces": provinces} if provinces else {}))
    seed_reference_data()
    call_command("demo", verbosity=0)
    from django.db import connection

    # Fresh planner statistics for every table (regions, the demo's): a server with
    # autovacuum off, like the project machine's, never gathers them, and the planner then
    # guesses badly (e.g. hashing all 91,592 regions for a page of 50 people).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def generate(target: int, seed: int = 7) -> None:
    from django.db import connection

    from jejaring.network.models import Organisation
    from jejaring.regions.models import Region
    from jejaring.registry.models import Person
    from jejaring.registry.names import name_key

    have = Person.objects.count()
    if have >= target:
        print(f"Registry already holds {have:,} people.")
        return
    rng = random.Random(seed + have)
    villages = list(Region.objects.filter(level="village").values_list("code", flat=True))
    organisation = Organisation.objects.get(code="dinsos-kota-pekanbaru")
    started = time.monotonic()
    columns = (
        "registered_by_id, nik, kk_number, full_name, name_key, search_key, sex, birth_date, "
        "birth_date_precision, birth_year, birthplace, region_id, address, mother_name, "
        "father_name, guardian_name, disability, phone, is_sensitive, version, created_at, "
        "updated_at, photo, nik_unverified, nik_unverified_reason"
    )
    batch = 100_000
    with connection.cursor() as cursor:
        raw = cursor.connection
        for start in range(have, target, batch):
            buffer = io.StringIO()
            for _ in range(min(batch, target - start)):
                full = f"{rng.choice(FIRST)} {rng.choice(FIRST)} {rng.choice(LAST)}"
                year = rng.randint(1940, 2024)
                born = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                sex = rng.choice("MF")
                key = name_key(full)
                buffer.write(
                    f"{organisation.pk}\t\t\t{full}\t{key}\t{key}\t{sex}\t{born}\texact\t"
                    f"{year}\t\t{rng.choice(villages)}\t\t\t\t\t\t\tf\t1\tnow()\tnow()\t\t\t\n"
                )
            buffer.seek(0)
            with raw.cursor().copy(f"COPY registry_person ({columns}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())
            raw.commit() if not raw.autocommit else None
        cursor.execute("ANALYZE registry_person")
    print(f"Generated {target - have:,} people in {time.monotonic() - started:.0f} s.")


def time_calls(fn, runs) -> list[float]:
    timings = []
    for query in runs:
        started = time.perf_counter()
        fn(query)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def product_search(query: str, username: str = "admin") -> int:
    """The product's search path, as the page and the API run it: the user's scope, the
    PersonFilter, the first page in the list's order, its count, and the masking."""
    from django.test import RequestFactory

    from jejaring.accounts.models import User
    from jejaring.registry.filters import PersonFilter
    from jejaring.registry.models import Person
    from jejaring.registry.presenters import present_many

    user = User.objects.get(username=username)
    request = RequestFactory().get("/registri/", {"q": query})
    request.user = user
    queryset = Person.objects.restrict(user).filter(merged_into__isnull=True)
    results = PersonFilter({"q": query}, queryset=queryset, request=request).qs
    from jejaring.registry.views import PAGE_SIZE

    page = list(results.order_by("name_key", "id")[:PAGE_SIZE])
    count = results.count()
    present_many(page, user)
    return count


def search_queries(count: int, seed: int = 11) -> list[str]:
    """Two-word name queries drawn from the generator's own name pools."""
    rng = random.Random(seed)
    return [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(count)]


def p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[18] if len(timings) >= 20 else max(timings)


def product_timings(queries: list[str]) -> dict[str, list[float]]:
    """Milliseconds per query of the product path, for the whole registry (the network
    administrator) and for one regency's Dinas Sosial; the caches warmed once first."""
    product_search(queries[0])
    return {
        "admin": time_calls(product_search, queries),
        "petugas.pekanbaru": time_calls(lambda q: product_search(q, "petugas.pekanbaru"), queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=40)
    args = parser.parse_args()
    setup_django()
    generate(args.people)

    from django.db import connection, transaction

    from jejaring.registry.models import Person

    queries = search_queries(args.queries)
    total = Person.objects.count()

    def anchor(query):
        # The same name match with index scans disabled: a sequential scan.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            return product_search(query)

    timings = product_timings(queries)  # warms the caches once, for both
    product, regency = timings["admin"], timings["petugas.pekanbaru"]
    baseline = time_calls(anchor, queries[: max(5, args.queries // 8)])

    def row(label, timings):
        return f"{label:<48} {statistics.median(timings):>9.1f} {p95(timings):>9.1f}"

    print()
    print(f"Person search over {total:,} people, {args.queries} two-word name queries")
    print(f"{'path':<48} {'p50 ms':>9} {'p95 ms':>9}")
    print(row("product search (network admin, whole registry)", product))
    print(row("product search (Dinas Sosial Kota Pekanbaru)", regency))
    print(row("anchor: same match, sequential scan", baseline))
    speed_up = statistics.median(baseline) / statistics.median(product)
    worst_p95 = max(p95(product), p95(regency))
    print(f"speed-up over the anchor (p50): {speed_up:.1f}x")
    print(f"target p95 < 200 ms: {'met' if worst_p95 < 200 else 'NOT met'} ({worst_p95:.0f} ms)")


if __name__ == "__main__":
    main()
