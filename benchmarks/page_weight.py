"""First-load weight of every main page, served as `make run` serves them (issue 14).

Starts the product with the environment of `make run` (read from the Makefile's own recipe:
DEBUG off, hashed and gzip-compressed static files collected and served by WhiteNoise,
gunicorn through `jejaring serve`; benchmarks/_serving.py), logs in as ``data.pekanbaru``
through the login form in a real Chromium, and opens each main page in a fresh browser
context (an empty cache: what a first visit costs). Counts the bytes transferred — response headers
plus the encoded body, as the browser's network panel does — of the HTML, CSS, JavaScript,
images and anything else the page fetched until the network went quiet, and prints the
table in Markdown for docs/performance.md.

    make setup                                # the demo database and var/static, once
    .venv/bin/python benchmarks/page_weight.py
    .venv/bin/python benchmarks/page_weight.py --slow   # also: seconds at 400 kbit/s

``first_load`` is used by tests/browser/test_page_weight.py and the server
(``_serving.production_server``) by the tests too, so the figures and the tests measure the
same thing.
"""

import argparse
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from _serving import make_run_environment, production_server

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
USERNAME = "data.pekanbaru"
KIB = 1024
# The slow link of the issue: 400 kbit/s down, 0.4 s round trip. The seconds are to the
# page's load event (HTML, CSS, scripts and images in, scripts run).
SLOW_LINK = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8,
             "uploadThroughput": 200_000 / 8}  # fmt: skip

PASSED_ON = ("DATABASE_URL", "SECRET_KEY_FILE", "STATIC_ROOT")
KINDS = {"document": "HTML", "stylesheet": "CSS", "script": "JS", "image": "images"}


@dataclass
class Weight:
    """Bytes transferred by one first load, by kind of resource."""

    url: str
    by_kind: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    seconds: float | None = None

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    def kib(self, kind: str) -> str:
        return f"{self.by_kind.get(kind, 0) / KIB:.1f}"


def first_load(context, url: str, *, throttle: dict | None = None) -> Weight:
    """Open ``url`` in a new page of ``context`` and count what the browser transferred
    until the network was idle. The context's cache should be empty (a new context)."""
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    if throttle:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", throttle)
    started = time.monotonic()
    page.goto(url, wait_until="load")  # the page and everything it links, parsed and run
    seconds = time.monotonic() - started
    page.wait_for_load_state("networkidle")  # and what its scripts fetch afterwards
    weight = Weight(url=url, seconds=seconds if throttle else None)
    for request in finished:
        sizes = request.sizes()
        size = max(sizes["responseBodySize"], 0) + max(sizes["responseHeadersSize"], 0)
        response = request.response()
        content_type = response.headers.get("content-type", "") if response else ""
        kind = "images" if content_type.startswith("image/") else "other"
        kind = KINDS.get(request.resource_type, kind)
        weight.by_kind[kind] = weight.by_kind.get(kind, 0) + size
        weight.requests += 1
    page.close()
    return weight


def login(context, base_url: str, username: str, password: str) -> None:
    page = context.new_page()
    page.goto(f"{base_url}/akun/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("#main form button[type=submit]")
    if "/akun/masuk/" in page.url:
        raise RuntimeError(f"could not log in as {username}")
    page.close()


def main_pages() -> list[tuple[str, str]]:
    """(label, path) of the main pages data.pekanbaru works in, the person and case
    picked from what that user may see (through the product's own scoping)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jejaring.settings")
    import django

    django.setup()
    from django.urls import reverse

    from jejaring.accounts.models import User
    from jejaring.cases.models import Case
    from jejaring.collaboration.models import Forum
    from jejaring.registry.models import Person

    user = User.objects.get(username=USERNAME)
    case = Case.objects.restrict(user).order_by("pk").first()
    person = case.person if case else Person.objects.restrict(user).order_by("pk").first()
    forum = Forum.objects.restrict(user).order_by("pk").first()
    pages = [
        ("Beranda", reverse("core:home")),
        ("Registri (daftar orang)", reverse("registry:list")),
        ("Orang (rekam)", reverse("registry:detail", args=[person.pk])),
        ("Kasus & Rujukan", reverse("cases:board")),
        ("Kasus", reverse("cases:detail", args=[case.pk]) if case else None),
        ("Tumpang tindih", reverse("cases:overlaps")),
        ("Impor", reverse("imports:list")),
        ("Tinjau duplikat", reverse("imports:reviews")),
        ("SPM", reverse("spm:dashboard")),
        ("Kolaborasi", reverse("collaboration:index")),
        ("Forum", reverse("collaboration:forum", args=[forum.pk]) if forum else None),
        ("Grafik jejaring", reverse("collaboration:graph")),
        ("Organisasi", reverse("network:list")),
        ("Wilayah", reverse("regions:index")),
        ("Notifikasi", reverse("core:notifications")),
        ("Data terbuka SPM", reverse("open_data:spm")),
        ("Data terbuka", reverse("open_data:home")),
        ("Kerja lapangan", reverse("field:page")),
    ]
    return [(label, path) for label, path in pages if path]


def markdown_table(rows: list[tuple[str, str, Weight]], slow: bool) -> str:
    head = (
        "| page | path | HTML KiB | CSS KiB | JS KiB | images KiB | other KiB | total KiB "
        "| requests |"
    )
    rule = "|---|---|---:|---:|---:|---:|---:|---:|---:|"
    if slow:
        head += " s at 400 kbit/s |"
        rule += "---:|"
    lines = [head, rule]
    for label, path, w in rows:
        line = (
            f"| {label} | `{path}` | {w.kib('HTML')} | {w.kib('CSS')} | {w.kib('JS')} | "
            f"{w.kib('images')} | {w.kib('other')} | **{w.total / KIB:.1f}** | {w.requests} |"
        )
        if slow:
            line += f" {w.seconds:.1f} |"
        lines.append(line)
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slow", action="store_true", help="also time each page at 400 kbit/s")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    # The server gets `make run`'s environment, and the database, secret and static folder
    # named here if any (by default the ones of `make run`); this process's lookups too.
    overrides = {name: os.environ[name] for name in PASSED_ON if name in os.environ}
    for name, value in make_run_environment().items():
        os.environ.setdefault(name, value)
    pages = main_pages()
    from jejaring.core.demo import DEMO_PASSWORD

    rows = []
    with production_server(**overrides) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
        )
        login_context = browser.new_context(locale="id-ID")
        login(login_context, base, USERNAME, DEMO_PASSWORD)
        cookies = login_context.cookies()
        login_context.close()
        for label, path in pages:
            context = browser.new_context(locale="id-ID")
            context.add_cookies(cookies)
            weight = first_load(context, base + path, throttle=SLOW_LINK if args.slow else None)
            context.close()
            rows.append((label, path, weight))
            print(f"{label:<28} {weight.total / KIB:7.1f} KiB", file=sys.stderr)
        browser.close()
    print(markdown_table(rows, args.slow))
    return 0


if __name__ == "__main__":
    sys.exit(main())
