"""Clusters from linked pairs, with a cannot-link rule.

Union–find over the pairs the model links, strongest first. Two clusters holding
different verified NIKs are never joined, not even through records without a NIK: a
chain A(NIK 1) – B(no NIK) – C(NIK 2) links B to the stronger side only. Each root
keeps the one verified NIK of its cluster, so the check is one comparison per pair.
"""

from __future__ import annotations

import numpy as np


def cluster(
    n: int, a: np.ndarray, b: np.ndarray, weight: np.ndarray, nik: np.ndarray
) -> tuple[list[int], np.ndarray]:
    """(representative per record — the smallest index of its cluster, the mask of the
    pairs refused by the cannot-link rule). ``nik``: a verified NIK id per record, 0
    for none."""
    parent = list(range(n))
    root_nik = [int(v) for v in nik]
    refused = np.zeros(len(a), dtype=bool)

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    order = np.argsort(-weight, kind="stable")
    for p, i, j in zip(order.tolist(), a[order].tolist(), b[order].tolist(), strict=True):
        ri, rj = find(i), find(j)
        if ri == rj:
            continue
        ni, nj = root_nik[ri], root_nik[rj]
        if ni and nj and ni != nj:
            refused[p] = True
            continue
        low, high = (ri, rj) if ri < rj else (rj, ri)
        parent[high] = low
        root_nik[low] = ni or nj
    return [find(i) for i in range(n)], refused
