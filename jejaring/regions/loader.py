"""Loading the Kemendagri regions from the committed idn-area-data CSV files.

Idempotent: rows are upserted by code, and the whole load is skipped when the files'
checksum and the selection match the last load. Bulk upserts in batches keep the full
load (about 91,600 rows) to a few seconds on SQLite.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Count

from .models import LEVEL_BY_SEGMENTS, Region, RegionDataset

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = ("provinces", "regencies", "districts", "villages")
BATCH_SIZE = 2000

# Words that stay in capitals when an all-capitals official name is title-cased.
KEEP_UPPER = frozenset({"DKI", "DI"})


def display_name(raw: str) -> str:
    """'KABUPATEN BANDUNG' → 'Kabupaten Bandung'; 'DKI JAKARTA' → 'DKI Jakarta'."""
    raw = raw.strip()
    if raw != raw.upper():
        return raw
    return " ".join(w if w in KEEP_UPPER else w.capitalize() for w in raw.split())


def checksum() -> str:
    digest = hashlib.sha256()
    for name in FILES:
        digest.update((DATA_DIR / f"{name}.csv.gz").read_bytes())
    return digest.hexdigest()


def read_rows(name: str) -> Iterator[tuple[str, str]]:
    with gzip.open(DATA_DIR / f"{name}.csv.gz", "rb") as raw:
        reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"))
        for row in reader:
            yield row["code"].strip(), display_name(row["name"])


def _selected(code: str, provinces: frozenset[str]) -> bool:
    return not provinces or code.split(".")[0] in provinces


def _regions(name: str, provinces: frozenset[str]) -> Iterator[Region]:
    for code, region_name in read_rows(name):
        if not _selected(code, provinces):
            continue
        segments = code.split(".")
        parent = ".".join(segments[:-1]) or None
        yield Region(
            code=code, name=region_name, level=LEVEL_BY_SEGMENTS[len(segments)], parent_id=parent
        )


def _batches(items: Iterable[Region], size: int) -> Iterator[list[Region]]:
    batch: list[Region] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class LoadResult:
    skipped: bool
    counts: dict[str, int]


def load_regions(provinces: Iterable[str] = (), *, force: bool = False) -> LoadResult:
    """Upsert regions (all, or only the given province codes) in parent-first order."""
    selection = frozenset(p.strip() for p in provinces if p.strip())
    selection_key = ",".join(sorted(selection))
    digest = checksum()
    last = RegionDataset.objects.order_by("-loaded_at").first()
    if (
        not force
        and last is not None
        and last.checksum == digest
        and last.provinces == selection_key
        and Region.objects.count() == last.row_count
    ):
        return LoadResult(skipped=True, counts=count_by_level())

    with transaction.atomic():
        for name in FILES:
            for batch in _batches(_regions(name, selection), BATCH_SIZE):
                Region.objects.bulk_create(
                    batch,
                    update_conflicts=True,
                    unique_fields=["code"],
                    update_fields=["name", "level", "parent"],
                )
        RegionDataset.objects.all().delete()
        RegionDataset.objects.create(
            checksum=digest, provinces=selection_key, row_count=Region.objects.count()
        )
    return LoadResult(skipped=False, counts=count_by_level())


def count_by_level() -> dict[str, int]:
    counts = dict.fromkeys(LEVEL_BY_SEGMENTS.values(), 0)
    for row in Region.objects.values("level").order_by().annotate(n=Count("code")):
        counts[row["level"]] = row["n"]
    return {str(k): v for k, v in counts.items()}
