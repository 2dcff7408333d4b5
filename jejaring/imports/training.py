"""What the reviewers taught: decided review pairs as labelled pairs for the next training.

A data officer who merges a pair says "one person"; one who keeps it apart says "two
people". Both are stronger evidence than anything the model can estimate on its own, so
``find_duplicates`` hands them to ``linkage.train(records, confirmed=…, rejected=…)``.
"""

from __future__ import annotations

import dataclasses

from jejaring.registry.actions import NIK_MOVED
from jejaring.registry.models import Person

from . import linkage
from .models import LinkReview, ReviewStatus
from .pipeline import PERSON_LINK_FIELDS, link_record_from_person

# The newest decisions only: enough to steer EM, bounded so a long-lived office does not
# make every scan read its whole history.
MAX_LABELLED = 5000
# SQLite refuses more than a few thousand bound parameters in one query.
_ID_CHUNK = 900

Pair = tuple[linkage.LinkRecord, linkage.LinkRecord]


def labelled_pairs(organisation) -> tuple[list[Pair], list[Pair]]:
    """(confirmed, rejected) pairs of ``organisation``'s decided reviews, newest first.

    A merged pair is the merge's survivor against the merged record. The merged record
    is never edited after the merge (it only points at the survivor), so its data is as
    the reviewer saw it; the survivor may have received the merged record's NIK, which
    the reviewer did not see on it, so that NIK is taken off again. A merge undone since
    is the reviewer's decision withdrawn: it teaches nothing.
    """
    decided = (
        LinkReview.objects.filter(
            organisation=organisation,
            status__in=[ReviewStatus.MERGED, ReviewStatus.KEPT_APART],
        )
        .order_by("-decided_at", "-id")
        .values_list(
            "status",
            "record_id",
            "candidate_id",
            "merge__survivor_id",
            "merge__merged_id",
            "merge__undone_at",
            "merge__moved",
        )[:MAX_LABELLED]
    )
    wanted: list[tuple[str, int, int, bool]] = []
    for status, record, candidate, survivor, merged, undone_at, moved in decided:
        if status == ReviewStatus.KEPT_APART:
            wanted.append((status, record, candidate, False))
        elif survivor is not None and undone_at is None:
            nik_moved = merged in ((moved or {}).get(NIK_MOVED) or [])
            wanted.append((status, survivor, merged, nik_moved))
    records = _link_records({i for _, a, b, _ in wanted for i in (a, b)})
    confirmed: list[Pair] = []
    rejected: list[Pair] = []
    for status, a, b, nik_moved in wanted:
        if a not in records or b not in records:
            continue
        first = records[a]
        if nik_moved:
            # The survivor held no NIK of its own before the merge.
            first = dataclasses.replace(first, nik="")
        (confirmed if status == ReviewStatus.MERGED else rejected).append((first, records[b]))
    return confirmed, rejected


def _link_records(ids: set[int]) -> dict[int, linkage.LinkRecord]:
    found: dict[int, linkage.LinkRecord] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), _ID_CHUNK):
        rows = Person.objects.filter(pk__in=ordered[start : start + _ID_CHUNK]).values_list(
            *PERSON_LINK_FIELDS
        )
        for row in rows:
            record = link_record_from_person(*row)
            found[record.ref] = record
    return found
