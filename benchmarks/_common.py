"""Helpers shared by the import and linkage benchmarks: the cached synthetic file, the
measurement of a child process (wall time and peak memory), pairwise linkage scores
against the planted truth, and a plain-text table.
"""

import os
import platform
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench"
SEED = 42


def synthetic_csv(rows: int, seed: int = SEED) -> Path:
    """The synthetic file of ``rows`` rows (``benchmarks/synth.py``), generated once and
    reused afterwards. It is written by a child process, so generating it does not count
    towards the benchmark process's own peak memory."""
    path = BENCH_DIR / f"people_{rows}_s{seed}.csv"
    if path.exists():
        return path
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(ROOT / "benchmarks" / "synth.py"), "--rows", str(rows),
         "--seed", str(seed), "--out", str(partial)],
        check=True,
    )  # fmt: skip
    partial.rename(path)
    print(f"Generated {path.name} in {time.perf_counter() - started:.0f} s.")
    return path


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_measured(command: list[str], **kwargs) -> tuple[int, float, float]:
    """Run a child to its end: (exit status, wall seconds, the child's peak RSS in MiB).

    ``os.wait4`` gives the resource usage of that one child, so two children measured in
    turn do not mix (``RUSAGE_CHILDREN`` would report the largest of all children).
    """
    started = time.perf_counter()
    process = subprocess.Popen(command, **kwargs)  # noqa: S603 - fixed, trusted commands
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, wall, usage.ru_maxrss / 1024


def pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise_scores(predicted: Sequence, truth: Sequence) -> dict:
    """Pairwise precision, recall and F1 of a clustering against the true entities.

    A pair of records is predicted when both sit in one predicted cluster and true when
    both describe one real person. Counted without listing pairs: the sum of C(n, 2) over
    predicted clusters, over true clusters, and over their intersections (true positives).
    """
    predicted_pairs = sum(pairs(n) for n in Counter(predicted).values())
    true_pairs = sum(pairs(n) for n in Counter(truth).values())
    both = sum(pairs(n) for n in Counter(zip(predicted, truth, strict=True)).values())
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "true_positive_pairs": both,
        "predicted_pairs": predicted_pairs,
        "true_pairs": true_pairs,
        "clusters": len(set(predicted)),
        "entities": len(set(truth)),
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def table(headers: Sequence[str], rows: Sequence[Sequence], align: str = "") -> str:
    """A Markdown table, aligned for the terminal too; ``align`` holds one 'l' or 'r' per
    column (default: first column left, the others right)."""
    align = align or "l" + "r" * (len(headers) - 1)
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row):
        return (
            "| "
            + " | ".join(
                c.ljust(w) if a == "l" else c.rjust(w)
                for c, w, a in zip(row, widths, align, strict=True)
            )
            + " |"
        )

    rule = (
        "|"
        + "|".join(
            "-" * (w + 1) + ":" if a == "r" else "-" * (w + 2)
            for w, a in zip(widths, align, strict=True)
        )
        + "|"
    )
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])
