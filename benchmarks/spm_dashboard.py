"""SPM national dashboard on millions of recorded services (issue #4).

Generates service records (default 10 million) for people of the benchmark registry over
all 514 regencies and several years, builds the product's figures with its own engine
(`spm.engine.rebuild`, the same rules as the incremental path), then in one run times
(a) the product's national dashboard query path (`spm.figures`, what the page runs) and
(b) a naive GROUP BY recount of the same figures straight from the services, checks that
both give identical numbers per province, and prints both times and their ratio.

    .venv/bin/python benchmarks/spm_dashboard.py                  # 10,000,000 services
    .venv/bin/python benchmarks/spm_dashboard.py --services 500000

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/jejaring_bench);
creates people first with benchmarks/person_search.py if the registry is empty.
"""

import argparse
import io
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from person_search import BENCH_URL, generate, setup_django  # noqa: E402

YEARS = (2023, 2024, 2025)
TYPE_CODE = "kab_anak_terlantar_luar_panti"


def generate_services(target: int, seed: int = 3) -> None:
    from django.db import connection

    from jejaring.cases.models import Case, Service, ServiceType
    from jejaring.network.models import Organisation
    from jejaring.reference.models import PmksCategory
    from jejaring.regions.models import Region
    from jejaring.spm.models import SpmStandard

    have = Service.objects.count()
    if have >= target:
        print(f"{have:,} services already recorded.")
        return
    rng = random.Random(seed + have)
    standard = SpmStandard.objects.filter(service_type__code=TYPE_CODE).first()
    basic = list(standard.basic_services.values_list("pk", flat=True))
    extra = list(ServiceType.objects.exclude(pk__in=basic).values_list("pk", flat=True))
    organisation = Organisation.objects.get(code="dinsos-kota-pekanbaru")
    category = PmksCategory.objects.get(code="anak_terlantar")
    villages_by_regency = {}
    for code in Region.objects.filter(level="village").values_list("code", flat=True):
        villages_by_regency.setdefault(code[:5], []).append(code)
    regencies = sorted(villages_by_regency)
    started = time.monotonic()
    with connection.cursor() as cursor:
        raw = cursor.connection
        # One case per person who has none yet (so a rerun adds nothing).
        cursor.execute(
            "INSERT INTO cases_case (person_id, organisation_id, category_id, state, "
            "closing_reason, summary, opened_at, version) "
            "SELECT id, %s, %s, 'in_service', '', '', now(), 1 FROM registry_person p "
            "WHERE NOT EXISTS (SELECT 1 FROM cases_case c WHERE c.person_id = p.id)",
            [organisation.pk, category.pk],
        )
        cases = list(Case.objects.values_list("pk", "person_id"))
        people_regency = {pid: rng.choice(regencies) for _, pid in cases}
        columns = (
            "case_id, person_id, service_type_id, provider_id, delivered_on, region_id, "
            "quantity, met_standard, evidence, recorded_at"
        )
        batch = 500_000
        for start in range(have, target, batch):
            buffer = io.StringIO()
            for _ in range(min(batch, target - start)):
                case_id, person_id = rng.choice(cases)
                regency = people_regency[person_id]
                # Mostly where they live; sometimes they moved to another regency.
                if rng.random() < 0.03:
                    regency = rng.choice(regencies)
                village = rng.choice(villages_by_regency[regency])
                service = rng.choice(basic) if rng.random() < 0.85 else rng.choice(extra)
                year = rng.choice(YEARS)
                met = "t" if rng.random() < 0.93 else "f"
                buffer.write(
                    f"{case_id}\t{person_id}\t{service}\t{organisation.pk}\t"
                    f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\t{village}\t"
                    f"1\t{met}\t\tnow()\n"
                )
            with raw.cursor().copy(f"COPY cases_service ({columns}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())
        cursor.execute("ANALYZE cases_service")
    print(f"Generated {target - have:,} services in {time.monotonic() - started:.0f} s.")


NAIVE_SQL = """
WITH q AS (
    SELECT s.id, s.person_id, s.service_type_id, s.delivered_on, s.region_id
    FROM cases_service s
    JOIN cases_case c ON c.id = s.case_id
    JOIN reference_pmkscategory pc ON pc.id = c.category_id
    JOIN network_organisation o ON o.id = s.provider_id
    JOIN network_organisationtype ot ON ot.id = o.type_id
    WHERE s.delivered_on >= %(start)s AND s.delivered_on < %(end)s AND s.met_standard
      AND pc.spm_group_id = %(group)s AND s.service_type_id = ANY(%(basic)s)
      AND NOT ot.is_institution
), served AS (
    SELECT person_id FROM q GROUP BY person_id
    HAVING count(DISTINCT service_type_id) >= %(min)s
), last_region AS (
    SELECT DISTINCT ON (person_id) person_id, region_id
    FROM q ORDER BY person_id, delivered_on DESC, id DESC
)
SELECT split_part(l.region_id, '.', 1) AS province, count(*)
FROM served JOIN last_region l USING (person_id)
GROUP BY 1
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10_000_000)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    setup_django()
    generate(args.people)
    generate_services(args.services)

    import datetime

    from django.db import connection

    from jejaring.spm import engine, figures
    from jejaring.spm.models import SpmServiceType, SpmStandard

    kind = SpmServiceType.objects.get(code=TYPE_CODE)
    standard = SpmStandard.objects.filter(service_type=kind).first()
    year = YEARS[-1]
    # The generated services were written with COPY, behind the engine's back: build the
    # year's figures with the product's own bulk path (same rules as the incremental one).
    started = time.monotonic()
    result = engine.rebuild(year)
    print(
        f"Built the {year} figures with the product's engine in "
        f"{time.monotonic() - started:.0f} s ({result['people']:,} people)."
    )

    def product():
        total, rows = figures.breakdown(None, year, kind)
        figures.region_summary(None, year)
        return {r.code: r.served for r in rows if r.code != "~"}

    def naive():
        params = {
            "start": datetime.date(year, 1, 1),
            "end": datetime.date(year + 1, 1, 1),
            "group": kind.spm_group_id,
            "min": standard.min_services,
            "basic": list(standard.basic_services.values_list("pk", flat=True)),
        }
        with connection.cursor() as cursor:
            cursor.execute(NAIVE_SQL, params)
            return dict(cursor.fetchall())

    def timed(fn, runs):
        times, result = [], None
        for _ in range(runs):
            started = time.perf_counter()
            result = fn()
            times.append((time.perf_counter() - started) * 1000)
        return result, times

    product_result, product_times = timed(product, args.runs)
    naive_result, naive_times = timed(naive, max(2, args.runs // 10))
    same = {k: v for k, v in product_result.items() if v} == {
        k: v for k, v in naive_result.items() if v
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_service")
        services = cursor.fetchone()[0]
    p50, n50 = statistics.median(product_times), statistics.median(naive_times)
    print()
    print(f"SPM national dashboard, {year}, {services:,} services, database {BENCH_URL}")
    print(f"{'path':<44} {'p50 ms':>10} {'max ms':>10}")
    print(f"{'product dashboard query path':<44} {p50:>10.1f} {max(product_times):>10.1f}")
    print(f"{'naive GROUP BY recount':<44} {n50:>10.1f} {max(naive_times):>10.1f}")
    print(f"ratio (naive / product): {n50 / p50:.0f}x")
    print(f"identical figures per province: {'yes' if same else 'NO'}")
    print(f"target < 300 ms: {'met' if max(product_times) < 300 else 'NOT met'}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
