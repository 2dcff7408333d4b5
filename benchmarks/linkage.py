"""Linkage: deduplicate the 1M-row set (issue #6), our engine against Splink 5.

Takes the synthetic Dinas Sosial export of ``benchmarks/synth.py`` (cached under
``var/bench/``; about 10 % of its rows are perturbed duplicates of an earlier person, and
``truth_id`` says which), prepares it once for both sides — names folded with the
product's ``registry.names.name_key``, dates parsed with ``imports.cleaning.parse_date``,
sex, NIK, KK and village code as the import reads them — and then runs, each in its own
child process measured the same way (wall time, and the child's peak RSS from
``os.wait4``):

- ours: ``jejaring.imports.linkage.deduplicate`` (what the import runs), the clusters
  being the records' representatives (pairs scored at or above ``AUTO_LINK``);
- Splink 5 on DuckDB (``benchmarks/splink_run.py`` with ``splink_settings.json``), in a
  separate virtualenv ``var/bench/splink-venv`` created on first use from
  ``benchmarks/requirements-splink.txt``: model trained on the data (u by random
  sampling, m by EM), pairs predicted with comparable blocking rules, clustered at a
  match probability of 0.9.

Both are scored against ``truth_id`` with pairwise precision, recall and F1 (all pairs
within predicted clusters against all pairs within true clusters).

    .venv/bin/python benchmarks/linkage.py                  # 1,000,000 rows
    .venv/bin/python benchmarks/linkage.py --rows 100000
    .venv/bin/python benchmarks/linkage.py --rows 100000 --skip-splink

The first run needs network access to PyPI (or a mirror) to build the Splink virtualenv.
"""

import argparse
import csv
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    BENCH_DIR,
    ROOT,
    SEED,
    machine,
    pairwise_scores,
    run_measured,
    synthetic_csv,
    table,
)

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements-splink.txt"
SPLINK_VENV = BENCH_DIR / "splink-venv"
PREPARED_COLUMNS = [
    "unique_id", "truth_id", "name_key", "sex", "nik", "kk", "birth_date", "year_only",
    "region", "mother_key", "father_key",
]  # fmt: skip
TARGET_F1 = 0.95
TARGET_MEMORY_MB = 4096


def prepare(source: Path, rows: int, seed: int) -> tuple[Path, float]:
    """The records both engines read, cleaned once by the product's own functions."""
    path = BENCH_DIR / f"linkage_input_{rows}_s{seed}.csv"
    if path.exists():
        return path, 0.0
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jejaring.settings")
    import django

    django.setup()  # for parse_date's messages and model choices; no database is used
    from jejaring.imports.cleaning import SEXES, lookup_key, parse_date, text
    from jejaring.registry import nik as nik_rules
    from jejaring.registry.models import BirthDatePrecision
    from jejaring.registry.names import name_key

    def number(raw: str) -> str:
        digits = nik_rules.clean_number(raw)
        return digits if len(digits) == 16 and digits.isascii() and digits.isdigit() else ""

    today = datetime.date.today()
    started = time.perf_counter()
    partial = path.with_suffix(".partial")
    with (
        open(source, encoding="utf-8", newline="") as handle,
        open(partial, "w", encoding="utf-8", newline="") as out,
    ):
        reader, writer = csv.reader(handle), csv.writer(out)
        header = next(reader)
        at = {name: i for i, name in enumerate(header)}
        writer.writerow(PREPARED_COLUMNS)
        for index, values in enumerate(reader):
            born, precision, _error, _warning = parse_date(values[at["Tgl Lahir"]], today)
            if born is not None and not datetime.date(1900, 1, 1) <= born <= today:
                born = None  # the import refuses these dates too
            mother, father = values[at["Nama Ibu"]], values[at["Nama Ayah"]]
            writer.writerow(
                [
                    index,
                    values[at["truth_id"]],
                    name_key(values[at["Nama"]]),
                    SEXES.get(lookup_key(values[at["Jenis Kelamin"]]), ""),
                    number(values[at["NIK"]]),
                    number(values[at["No KK"]]),
                    born.isoformat() if born else "",
                    "1" if born and precision == BirthDatePrecision.YEAR else "0",
                    text(values[at["Kode Wilayah"]]),
                    name_key(mother) if mother else "",
                    name_key(father) if father else "",
                ]
            )
    partial.rename(path)
    return path, time.perf_counter() - started


def run_ours(input_path: Path, output: Path, stats_path: Path) -> None:
    """The child process for our engine: read, link, write the clusters."""
    started = time.perf_counter()
    from jejaring.imports import linkage as engine

    stamps = {"import": time.perf_counter() - started}
    records = []
    with open(input_path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        fromiso = datetime.date.fromisoformat
        for uid, _truth, key, sex, nik, kk, born, year_only, region, mother, father in reader:
            records.append(
                engine.LinkRecord(
                    ref=int(uid), name_key=key, sex=sex, nik=nik, kk=kk,
                    birth_date=fromiso(born) if born else None, year_only=year_only == "1",
                    region=region, mother_key=mother, father_key=father,
                )
            )  # fmt: skip
    stamps["load"] = time.perf_counter() - started - stamps["import"]
    representative, review = engine.deduplicate(records)
    stamps["deduplicate"] = time.perf_counter() - started - sum(stamps.values())
    with open(output, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["unique_id", "cluster_id"])
        writer.writerows(
            (r.ref, records[rep].ref) for r, rep in zip(records, representative, strict=True)
        )
    stamps["write"] = time.perf_counter() - started - sum(stamps.values())
    stats = {
        "engine": "jejaring.imports.linkage",
        "records": len(records),
        "review_pairs": len(review),
        "stages": stamps,
        "seconds": time.perf_counter() - started - stamps["import"],
    }
    stats_path.write_text(json.dumps(stats, indent=1))


def splink_python() -> Path:
    """The Splink virtualenv's interpreter; the virtualenv is built on first use."""
    python = SPLINK_VENV / "bin" / "python"
    marker = SPLINK_VENV / "requirements-splink.txt"
    wanted = REQUIREMENTS.read_text()
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return python
    print(f"Building {SPLINK_VENV} from {REQUIREMENTS.name} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(SPLINK_VENV)], check=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [str(python), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)], check=True
    )
    marker.write_text(wanted)
    return python


def read_clusters(path: Path, n: int) -> list[int]:
    cluster = [-1] * n
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for uid, cid in reader:
            cluster[int(uid)] = cid
    missing = [i for i, c in enumerate(cluster) if c == -1]
    for i in missing:  # a record left out of the output is its own cluster
        cluster[i] = f"missing-{i}"
    if missing:
        print(f"warning: {len(missing)} records had no cluster in {path.name}")
    return cluster


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--threshold", type=float, default=0.9, help="Splink match probability")
    parser.add_argument("--skip-splink", action="store_true")
    parser.add_argument("--skip-ours", action="store_true")
    parser.add_argument("--worker", choices=["ours"], help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--stats", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "ours":
        run_ours(args.input, args.output, args.stats)
        return

    source = synthetic_csv(args.rows, args.seed)
    prepared, prep_seconds = prepare(source, args.rows, args.seed)
    if prep_seconds:
        print(f"Prepared {prepared.name} in {prep_seconds:.0f} s (not counted for either side).")
    truth = []
    with open(prepared, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        truth = [values[1] for values in reader]

    sides = []
    if not args.skip_ours:
        ours_command = [sys.executable, str(Path(__file__).resolve()), "--worker", "ours"]
        sides.append(("ours: jejaring.imports.linkage", ours_command))
    if not args.skip_splink:
        splink_command = [str(splink_python()), str(HERE / "splink_run.py")]
        splink_command += ["--threshold", str(args.threshold)]
        sides.append((f"Splink 5 (DuckDB), p >= {args.threshold}", splink_command))

    results = []
    for label, command in sides:
        tag = "ours" if label.startswith("ours") else "splink"
        output = BENCH_DIR / f"clusters_{tag}_{args.rows}.csv"
        stats_path = BENCH_DIR / f"stats_{tag}_{args.rows}.json"
        stats_path.unlink(missing_ok=True)
        print(f"Running {label} ...", flush=True)
        status, wall, peak = run_measured(
            [
                *command,
                "--input",
                str(prepared),
                "--output",
                str(output),
                "--stats",
                str(stats_path),
            ],
            cwd=ROOT,
        )
        if status != 0:
            print(f"{label} failed (exit status {status}) after {wall:.0f} s")
            results.append((label, None, wall, peak, None))
            continue
        stats = json.loads(stats_path.read_text())
        scores = pairwise_scores(read_clusters(output, len(truth)), truth)
        print(f"{label}: {json.dumps(stats)}")
        results.append((label, stats, wall, peak, scores))

    print()
    print(f"Deduplication of {len(truth):,} records ({len(set(truth)):,} real people)")
    print(f"Machine: {machine()}")
    rows = []
    for label, stats, wall, peak, scores in results:
        if stats is None:
            rows.append([label, "failed", f"{wall:.1f}", f"{peak:,.0f}", "", "", "", ""])
            continue
        rows.append(
            [
                label,
                f"{stats['seconds']:.1f}",
                f"{wall:.1f}",
                f"{peak:,.0f}",
                f"{scores['precision']:.4f}",
                f"{scores['recall']:.4f}",
                f"{scores['f1']:.4f}",
                f"{scores['clusters']:,}",
            ]
        )
    print(
        table(
            ["engine", "linkage s", "wall s", "peak MiB", "precision", "recall", "F1", "clusters"],
            rows,
        )
    )
    print(
        "linkage s: inside the child, from reading the prepared file to writing the clusters;"
        " wall s: the whole child process, interpreter start and imports included."
    )
    done = {label: (stats, wall, peak, scores) for label, stats, wall, peak, scores in results}
    ours = next((v for k, v in done.items() if k.startswith("ours")), None)
    splink = next((v for k, v in done.items() if not k.startswith("ours")), None)
    if ours and ours[0]:
        f1 = ours[3]["f1"]
        print(f"target: F1 >= {TARGET_F1}: {'met' if f1 >= TARGET_F1 else 'NOT met'} ({f1:.4f})")
        peak = ours[2]
        print(
            f"target: peak memory < {TARGET_MEMORY_MB:,} MiB: "
            f"{'met' if peak < TARGET_MEMORY_MB else 'NOT met'} ({peak:,.0f} MiB)"
        )
        if splink and splink[0]:
            faster = ours[1] < splink[1]
            print(
                f"target: faster than Splink (wall): {'met' if faster else 'NOT met'} "
                f"({ours[1]:.0f} s against {splink[1]:.0f} s, {splink[1] / ours[1]:.1f}×)"
            )


if __name__ == "__main__":
    main()
