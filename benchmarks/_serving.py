"""The product served as `make run` serves it, for the benchmarks and the tests.

``production_server()`` starts the real entry point, `jejaring serve` (gunicorn with
jejaring/gunicorn_conf.py), in a child process on a free port, with the environment of
`make run` read from the Makefile's own recipe: DEBUG off, hashed and gzip-compressed
static files collected and served by WhiteNoise. Used by benchmarks/page_weight.py,
benchmarks/load.py, tests/serving.py (the tests' ``served`` fixture) and tests/test_serve.py,
so the figures and the tests measure the same server.

    from _serving import production_server

    with production_server(workers=4, DATABASE_URL="postgres://…") as base_url:
        ...
"""

import contextlib
import os
import re
import shlex
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JEJARING = ROOT / ".venv" / "bin" / "jejaring"
SERVE_LINE = "jejaring serve"
ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")


def make_run_environment(host: str = "127.0.0.1:8000") -> dict[str, str]:
    """The variables `make run` sets for the server: NAME=value words in front of the
    `jejaring serve` line of its recipe (`make -n` prints the recipe, runs nothing)."""
    recipe = subprocess.run(  # noqa: S603 — make, on our own Makefile
        ["make", "-n", "-s", "run", f"HOST={host}"],  # noqa: S607
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    for line in recipe.splitlines():
        if SERVE_LINE in line:
            words = shlex.split(line.split(";")[-1])
            return dict(word.split("=", 1) for word in words if ASSIGNMENT.match(word))
    raise RuntimeError(f"`make -n run` has no `{SERVE_LINE}` line")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310 — local
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {timeout} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM: gunicorn's graceful stop (the workers finish their requests, then exit)."""
    process.terminate()
    try:
        process.wait(timeout=35)  # gunicorn_conf.graceful_timeout, and a little
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def production_server(
    workers: int = 2, *, log: Path | None = None, **overrides: str
) -> Iterator[str]:
    """Serve the product as `make run` does, on a free port, with ``workers`` gunicorn
    workers; yields its base URL.

    The environment is only what `make run` sets (plus PATH and HOME), with ``overrides``
    on top (e.g. DATABASE_URL, SECRET_KEY_FILE, STATIC_ROOT): nothing of the caller's own
    settings — a test process's DJANGO_SETTINGS_MODULE and SECRET_KEY — leaks in. The
    static files are collected first, as `jejaring setup` does. The server's output (the
    access log and gunicorn's own) goes to ``log`` if given, else to a temporary file.
    """
    port = _free_port()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
    env |= make_run_environment(f"127.0.0.1:{port}") | overrides
    with tempfile.TemporaryDirectory(prefix="jejaring-serve-") as tmp:
        log = log or Path(tmp, "server.log")
        collected = subprocess.run(  # noqa: S603 — our own entry point
            [str(JEJARING), "collectstatic", "--noinput", "--verbosity", "0"],
            env=env, cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        if collected.returncode:
            raise RuntimeError(f"collectstatic failed:\n{collected.stderr}")
        with log.open("w") as out:
            process = subprocess.Popen(  # noqa: S603 — our own entry point
                [str(JEJARING), "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
                env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, process, log)
            yield url
        finally:
            _stop(process)
