"""benchmarks/load.py works: its quick mode, end to end, on a PostgreSQL database of its own.

The script sets up that database (migrations, three provinces' regions, the demo, 2,000
people), starts the production server on it, runs every operation of the mix and the
anchor (alternating), the mix again with a think time, and writes its report. The test
checks the report, not the timings: every operation was called and none failed.
PostgreSQL only (the benchmark's search and its generator need it), so it runs in the
PostgreSQL pass of .ci/run.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS = {
    "person_search_api",
    "person_search_page",
    "person_detail_api",
    "person_detail_page",
    "case_board",
    "case_detail",
    "referral_list",
    "spm_dashboard",
    "forum_page",
    "organisation_list",
    "healthz",
}

pytestmark = [pytest.mark.slow, pytest.mark.postgresql]


def _server_url() -> str:
    """postgres://… of the test database's server, without a database name."""
    database = settings.DATABASES["default"]
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    return f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"


@pytest.fixture
def bench_database():
    """The URL of a database that does not exist yet (load.py creates it); dropped after."""
    name = f"jejaring_load_{uuid.uuid4().hex[:8]}"
    yield f"{_server_url()}/{name}"
    with psycopg.connect(f"{_server_url()}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_benchmark(script: str, arguments: list[str], bench_database: str, tmp_path: Path):
    """One of benchmarks/ in its quick mode on the database given, with only PATH and HOME
    of this process's environment (as someone would run it), its static files in tmp."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/"),
        "BENCH_DATABASE_URL": bench_database,
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    result = subprocess.run(  # noqa: S603 — our own interpreter and script
        [sys.executable, str(ROOT / "benchmarks" / script), "--provinces", "14,31,32", *arguments],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_quick_run_calls_every_operation_without_an_error(bench_database, tmp_path):
    report_path = tmp_path / "load.json"
    result = run_benchmark(
        "load.py",
        ["--people", "2000", "--seconds", "3", "--users", "2", "--workers", "2",
         "--warmup", "1", "--queries", "5", "--slices", "2", "--think", "0.2",
         "--json", str(report_path)],
        bench_database,
        tmp_path,
    )  # fmt: skip

    report = json.loads(report_path.read_text())
    assert report["people"] >= 2000
    mix = report["phases"]["2"]["operations"]
    assert set(mix) == OPERATIONS
    called = {key: figures["count"] for key, figures in mix.items()}
    assert all(count >= 1 for count in called.values()), called
    failed = {key: f["statuses"] for key, f in mix.items() if f["errors"]}
    assert failed == {}
    anchor = report["phases"]["anchor"]
    assert anchor["operations"]["anchor"]["count"] >= 1
    assert anchor["errors"] == 0
    # The anchor and the zero-think mix alternate, two windows each.
    assert anchor["windows"] == report["phases"]["2"]["windows"] == 2
    # The paced phase: the same users with a think time, every operation called.
    paced = report["phases"]["paced"]["operations"]
    assert set(paced) == OPERATIONS
    assert all(f["count"] >= 1 and f["errors"] == 0 for f in paced.values()), paced
    assert report["think"] == "0.2 s exponential"
    targets = {t["target"]: t["met"] for t in report["targets"]}
    assert "0 errors" in targets and targets["0 errors"] is True
    assert any("with think time" in t for t in targets)
    assert all(isinstance(met, bool) for met in targets.values())
    # Workers started during each phase, read from the server's log (a number: 0 in a run
    # this short, unless recycling started one).
    assert all(
        isinstance(p["worker_boots"], int) for p in report["phases"].values() if p is not anchor
    )
    assert "workers started during it:" in result.stdout
    assert "### 2 users, zero think" in result.stdout
    assert "### 2 users, think time 0.2 s exponential" in result.stdout
    assert "Total wall time" in result.stdout


def test_the_in_process_mix_cost_measures_every_request(bench_database, tmp_path):
    """benchmarks/mix_cost.py, the script the in-process A/B figures of docs/performance.md
    come from: on a database of its own it times the whole mix and the anchor, without an
    error (any answer outside 2xx stops it), and writes its report."""
    report_path = tmp_path / "mix-cost.json"
    result = run_benchmark(
        "mix_cost.py",
        ["--people", "300", "--reps", "1", "--json", str(report_path)],
        bench_database,
        tmp_path,
    )
    report = json.loads(report_path.read_text())
    [measured] = report["rounds"]["this"]
    weights = sum(op_weight for op_weight in _mix_weights())
    assert measured["requests"] == weights  # one pass: every operation by its weight
    assert measured["mix_wall_ms"] > measured["anchor_wall_ms"] > 0
    # And each operation's own cost, every one of the mix measured.
    assert set(measured["operations"]) == OPERATIONS
    assert all(o["calls"] >= 1 and o["wall_ms"] > 0 for o in measured["operations"].values())
    assert "| case_detail |" in result.stdout
    assert "this: median" in result.stdout


def _mix_weights():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import load

    return [operation.weight for operation in load.MIX]
