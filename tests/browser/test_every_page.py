"""Every page, as each persona finds it, on a 360 px phone (issue 14, points 4 and 8).

For each persona the test starts at the home page and follows every same-origin link
(breadth first), as a person tapping through the app would, and checks each page it
lands on: no sideways scroll at 360 × 740 (``a11y.sideways_overflow``), no id used twice,
and — with the folded menu opened, so its links are judged as a person sees them — no
critical or serious axe-core violation. A link that answers an error is a finding too.
The personas are tests/personas' (the personas the demo lacks are made by
``build_world``), the case worker, and an anonymous visitor for the public pages.

To stay fast it opens one URL per (URL pattern, persona): the second case page shows
nothing the first did not. It does not follow log-out, the admin, the API, the language
switch, downloads (anything not ``text/html``) or forms (POST actions are not links).

So that a new page cannot escape the check, the crawl must reach every named page of
the app's urlconfs; the patterns it deliberately does not reach are listed in
``NOT_REACHED`` with the reason. A new pattern is either reached by a link or added
there, on purpose.

With ``JEJARING_FINDINGS_DIR`` set, the findings are also written there, one Markdown
file per area of the code (``AREAS``), for the people who fix them; with
``JEJARING_CRAWL_LOG`` set (and ``-s``) every page is logged as it is opened.
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict, deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter
from playwright.sync_api import Browser, Error, Page

from tests.browser.a11y import PHONE_VIEWPORT, sideways_overflow, violations
from tests.browser.conftest import BROWSER_LOCALE, TIMEOUT_MS
from tests.personas import build_world

STARTED = time.monotonic()

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Who crawls (the persona users of tests/personas), and None for an anonymous visitor.
PERSONAS = [
    "data.pekanbaru",
    # Not among tests/personas' six, but the app's main user: the case worker, who meets
    # the case pages (the others read them at most).
    "petugas.pekanbaru",
    "fasilitator.pekanbaru",
    "mitra.lksa",
    "pimpinan.riau",
    "admin",
    None,
]
# Where an anonymous visitor starts besides the home page: the public pages.
PUBLIC_STARTS = ["/data/spm/", "/wilayah/", "/akun/masuk/", "/admin/login/"]

# Paths never followed: leaving, the admin's own pages, the API, the language switch.
SKIPPED_PREFIXES = ("/akun/keluar/", "/admin/", "/api/", "/i18n/", "/jsi18n/", "/static/")

# Named patterns the crawl does not reach on purpose, and why. Everything else named in
# the urlconfs (outside the admin and the API) must be reached by some persona.
NOT_REACHED = {
    # Downloads: not pages (CSV, Excel, calendar files, JSON, stored files).
    "readyz": "JSON for orchestrators (readiness)",
    "registry:export": "CSV download",
    "spm:export": "CSV download",
    "spm:report_xlsx": "Excel download",
    "imports:rejected": "CSV download",
    "collaboration:forum_ics": "calendar file",
    "collaboration:meeting_ics": "calendar file",
    "collaboration:graph_data": "JSON the graph page fetches",
    "cases:attachment": "stored file",
    "collaboration:meeting_attachment": "stored file",
    "collaboration:document": "stored file",
    "registry:photo": "stored image",
    "reports:photo": "stored image",
    "lapor:sent": "what a form-filling script is shown (the honeypot); no person lands there",
    "healthz": "JSON for load balancers",
    "javascript-catalog": "script",
    "set_language": "the language switch posts here (a GET only redirects back)",
    "accounts:logout": "POST only; following it would end the crawl",
    # Fragments htmx fetches into a page, not pages of their own.
    "regions:suggest": "htmx fragment (region autocomplete)",
    "imports:progress": "htmx fragment (import progress)",
    "imports:unused_columns": "htmx fragment (columns left over)",
    # POST-only actions: a form or a button on a page checked here posts to them.
    "accounts:token_create": "POST only",
    "reports:pick_up": "POST only",
    "reports:close": "POST only",
    "reports:spam": "POST only",
    "complaints:verify": "POST only",
    "complaints:follow_up": "POST only",
    "complaints:answer": "POST only",
    "complaints:reject": "POST only",
    "complaints:close": "POST only",
    "complaints:export": "CSV download",
    "pengaduan:organisations": "htmx fragment (office suggestions)",
    "survey:tablet": "POST only",
    "open_data:catalog": "JSON-LD for open-data harvesters (tests/test_public_open_data.py)",
    "field:manifest": "the web-app manifest the field page names (tests/test_field_sync.py)",
    "field:service_worker": (
        "the field page's service worker script (tests/browser/test_field_offline.py)"
    ),
    "exits:issue_code": "POST only",
    "exits:worker_request": "POST only",
    "exits:send": "POST only",
    "survey:report_xlsx": "Excel download",
    "skm:thanks": "what a person sees after answering (tests/browser/test_public_survey_phone.py)",
    "accounts:token_revoke": "POST only",
    "accounts:user_reset_password": "POST only",
    "accounts:user_set_active": "POST only",
    "cases:overlap_refresh": "POST only",
    "cases:overlap_coordinate": "POST only",
    "cases:transition": "POST only",
    "cases:needs": "POST only",
    "cases:service": "POST only",
    "cases:note": "POST only",
    "cases:assign": "POST only",
    "cases:consent_withdraw": "POST only",
    "cases:attach": "POST only",
    "collaboration:member_add": "POST only",
    "collaboration:member_remove": "POST only",
    "collaboration:coordinator_rotate": "POST only",
    "collaboration:rule_add": "POST only",
    "collaboration:goal_add": "POST only",
    "collaboration:outcome_add": "POST only",
    "collaboration:meeting_invite": "POST only",
    "collaboration:meeting_attendance": "POST only",
    "collaboration:meeting_minutes": "POST only",
    "collaboration:meeting_cancel": "POST only",
    "collaboration:meeting_attach": "POST only",
    "collaboration:position_state": "POST only",
    "collaboration:proposal_comment": "POST only",
    "collaboration:proposal_close": "POST only",
    "collaboration:proposal_vote": "POST only",
    "collaboration:proposal_withdraw": "POST only",
    "collaboration:commitment_fulfil": "POST only",
    "collaboration:commitment_cancel": "POST only",
    "collaboration:clause_add": "POST only",
    "collaboration:clause_comment": "POST only",
    "collaboration:agreement_move": "POST only",
    "collaboration:agreement_sign": "POST only",
    "collaboration:agreement_terminate": "POST only",
    "collaboration:agreement_renew": "POST only",
    "collaboration:document_upload": "POST only",
    "collaboration:post_match": "POST only",
    "collaboration:post_close": "POST only",
    "collaboration:distribution_handover": "POST only",
    "collaboration:distribution_cancel": "POST only",
    "core:notifications_read": "POST only",
    "imports:start": "POST only",
    "imports:cancel": "POST only",
    "imports:mapping": "POST only (the import page's column form)",
    "imports:review_scan": "POST only",
    "network:verify": "POST only",
    "network:contact_add": "POST only",
    "network:contact_remove": "POST only",
    "registry:nik_verify": "POST only",
    "registry:nik_replace": "the person page's NIK form posts here; shown after a refusal",
    "registry:link_relative": "POST only",
    "registry:category_set": "POST only",
    "registry:alias_add": "POST only",
    "registry:photo_upload": "POST only",
    "registry:life_status_set": "POST only (the person page's living-status form)",
    "registry:merge_undo": "POST only",
    "cases:open": "POST only (the person page's form)",
    "cases:consent_add": "POST only (the person page's form)",
    "cases:refer": "POST only (the case page's form)",
    "cases:decide": "POST only (the referral page's buttons)",
}

# Which area of the code a page belongs to (by URL namespace), for the findings files.
AREAS = {
    "cases": "A1_cases",
    "registry": "A2_registry_imports",
    "imports": "A2_registry_imports",
    "collaboration": "B_collaboration",
    "spm": "D_spm",
    "regions": "D_spm",
    "open_data": "D_spm",
    "field": "A2_registry_imports",
    "core": "E1_home",
    "audit": "E1_home",
    "network": "E1_home",
    "accounts": "E1_home",
}
NOTIFICATION_PAGES = {"core:notifications", "core:notification_open"}
BASE_AREA = "G"
# A finding on an element of the page shell (base.html) belongs to the shell's owner.
SHELL_SELECTOR = "header.topbar, footer.footer, body > a.skip-link"


def named_page_patterns() -> set[str]:
    """Every named pattern of the project's urlconfs, outside the admin and the API."""
    return set(patterns_by_name())


def patterns_by_name() -> dict[str, URLPattern]:
    names: dict[str, URLPattern] = {}

    def walk(patterns, namespace: str | None) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.app_name == "admin" or str(entry.pattern).startswith("api/"):
                    continue
                inner = entry.namespace or namespace
                if namespace and entry.namespace:
                    inner = f"{namespace}:{entry.namespace}"
                walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                names[f"{namespace}:{entry.name}" if namespace else entry.name] = entry

    walk(get_resolver().url_patterns, None)
    return names


def pattern_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def area_of(name: str | None) -> str:
    if name in NOTIFICATION_PAGES:
        return "E2_notifications"
    return AREAS.get((name or "").split(":")[0], "E1_home")


def session_cookie(username: str, base_url: str) -> dict:
    """A real session for the user, as the login form would leave (the personas made by
    build_world have no password)."""
    from django.conf import settings

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base_url,
    }


LINKS_JS = """() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"""

OPEN_MENU_JS = (
    """() => document.querySelectorAll('details.menu').forEach(d => { d.open = true; })"""
)

REPEATED_IDS_JS = """() => {
    const seen = {};
    for (const el of document.querySelectorAll('[id]')) seen[el.id] = (seen[el.id] || 0) + 1;
    return Object.keys(seen).filter(id => seen[id] > 1);
}"""

SHELL_JS = """([selectors, shell]) => selectors.map(sel => {
    try {
        const el = document.querySelector(sel);
        return !!(el && el.closest(shell));
    } catch (e) { return false; }
})"""


class Crawl:
    """One persona's walk through the app, and what it found on the way."""

    def __init__(self, page: Page, base_url: str, who: str):
        self.page = page
        self.base = base_url
        self.origin = urlsplit(base_url).netloc
        self.who = who
        self.reached: set[str] = set()
        # (area, text) of every finding
        self.findings: list[tuple[str, str]] = []

    def wanted(self, url: str) -> str | None:
        """The path to visit for a link, or None to leave it."""
        url, _ = urldefrag(url)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != self.origin:
            return None
        if parts.path.startswith(SKIPPED_PREFIXES):
            return None
        name = pattern_name(parts.path)
        if name is None or name in NOT_REACHED or name in self.reached:
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def run(self, starts: list[str]) -> None:
        queue = deque(starts)
        queued = set()
        while queue:
            path = queue.popleft()
            name = pattern_name(urlsplit(path).path)
            if name in self.reached:
                continue
            links = self.visit(path)
            for link in links:
                target = self.wanted(link)
                if target is None:
                    continue
                target_name = pattern_name(urlsplit(target).path)
                if target_name not in queued:
                    queued.add(target_name)
                    queue.append(target)

    def visit(self, path: str) -> list[str]:
        page = self.page
        if os.environ.get("JEJARING_CRAWL_LOG"):
            sys.stderr.write(f"{time.monotonic() - STARTED:6.1f}s [{self.who}] {path}\n")
        try:
            response = page.goto(self.base + path)
        except Error as exc:  # a download, or a page that never loads
            if "Download is starting" in str(exc):
                self.reached.add(pattern_name(urlsplit(path).path))
                return []
            self.note(pattern_name(urlsplit(path).path), path, f"did not load: {exc}")
            return []
        landed = urlsplit(page.url)
        asked = pattern_name(urlsplit(path).path)
        self.reached.add(asked)
        name = pattern_name(landed.path) or asked
        if name != asked and name in self.reached:
            return []  # redirected to a page already checked
        self.reached.add(name)
        if response is None:
            return []
        if "text/html" not in response.headers.get("content-type", ""):
            return []
        if response.status >= 400:
            self.note(name, path, f"answers {response.status} to a link the app shows")
            return []
        self.check(name, landed.path + (f"?{landed.query}" if landed.query else ""))
        return page.evaluate(LINKS_JS)

    def check(self, name: str, path: str) -> None:
        measured = sideways_overflow(self.page)
        if measured["scrollWidth"] > measured["innerWidth"]:
            self.note(
                name,
                path,
                f"scrolls sideways at {measured['innerWidth']} px (document "
                f"{measured['scrollWidth']} px wide); sticking out: {measured['wide']}",
            )
        repeated = self.page.evaluate(REPEATED_IDS_JS)
        if repeated:
            self.note(name, path, f"ids used more than once (ids must be unique): {repeated}")
        # The menu's links are checked too, as a person sees them with the menu open.
        self.page.evaluate(OPEN_MENU_JS)
        opened = sideways_overflow(self.page)
        if opened["scrollWidth"] > opened["innerWidth"] >= measured["scrollWidth"]:
            self.note(
                name,
                path,
                f"scrolls sideways with the menu open (document {opened['scrollWidth']} px "
                f"wide); sticking out: {opened['wide']}",
                area=BASE_AREA,
            )
        for violation in violations(self.page):
            targets = [node["target"][0] for node in violation["nodes"] if node["target"]]
            in_shell = self.page.evaluate(SHELL_JS, [targets, SHELL_SELECTOR])
            for shell, group in ((True, BASE_AREA), (False, None)):
                at = [t for t, s in zip(targets, in_shell, strict=True) if s is shell]
                if not at:
                    continue
                text = (
                    f"axe {violation['id']} ({violation['impact']}): {violation['help']} "
                    f"— at {'; '.join(at[:5])}"
                )
                self.note(name, path, text, area=group)

    def note(self, name: str | None, path: str, text: str, area: str | None = None) -> None:
        area = area or area_of(name)
        self.findings.append((area, f"[{self.who}] {name} {path}: {text}"))


@pytest.fixture
def context_options() -> dict:
    return {"locale": BROWSER_LOCALE, "viewport": PHONE_VIEWPORT}


def write_findings(findings: list[tuple[str, str]], reached: set[str]) -> None:
    folder = os.environ.get("JEJARING_FINDINGS_DIR")
    if not folder:
        return
    grouped: dict[str, list[str]] = defaultdict(list)
    for area, text in findings:
        grouped[area].append(text)
    areas = sorted({*AREAS.values(), "E2_notifications", BASE_AREA})
    for area in areas:
        lines = sorted(set(grouped.get(area, [])))
        body = "\n".join(f"- {line}" for line in lines) or "- nothing found"
        section = f"## Every page at 360 px (tests/browser/test_every_page.py)\n\n{body}\n"
        path = Path(folder) / f"{area}.crawl.md"
        path.write_text(section, encoding="utf-8")
    (Path(folder) / "crawl-reached.txt").write_text("\n".join(sorted(reached)) + "\n")


DISTRICT_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "district.xlsx"


def build_pages_to_visit() -> None:
    """What the demo lacks for some pages to exist: the personas of tests/personas (and
    their referral), a finished import and one waiting for its columns, a pair in the
    review queue and a case conference on an overlap — all through the real actions."""
    from django.core.files import File

    from jejaring.cases import actions as case_actions
    from jejaring.cases.models import OverlapAlert
    from jejaring.cases.overlap import refresh_overlaps
    from jejaring.imports import actions as import_actions
    from jejaring.imports.models import LinkReview
    from jejaring.reference.models import PmksCategory
    from jejaring.registry.models import Person
    from tests.helpers import register_person

    build_world()
    officer = get_user_model().objects.get(username="data.pekanbaru")
    # The one waiting for its columns first: the list shows the finished one (with its
    # rows) first, and the crawl opens one import page of each kind.
    for finish in (False, True):
        with DISTRICT_FILE.open("rb") as handle:
            job = import_actions.upload_file(
                File(handle, name=DISTRICT_FILE.name),
                organisation=officer.organisation,
                acting_user=officer,
            )
        if finish:
            import_actions.start_check(job, acting_user=officer, background=False)
            import_actions.run_check(job, acting_user=officer)
            import_actions.start_import(job, acting_user=officer, background=False)
            import_actions.run_import(job, acting_user=officer)
    record, candidate = Person.objects.restrict(officer).order_by("-pk")[:2]
    LinkReview.objects.create(
        organisation=officer.organisation,
        record=record,
        candidate=candidate,
        score=4.2,
        evidence=[["prior", "prior", -11.3], ["name", "initials", 4.8]],
    )
    # Two organisations with an open case for one boy and no referral between them.
    shared = register_person("panti.riau", full_name="Dimas Tumpang Tindih")
    for username in ("panti.riau", "petugas.pekanbaru"):
        worker = get_user_model().objects.get(username=username)
        case_actions.open_case(
            shared,
            PmksCategory.objects.get(code="anak_jalanan"),
            organisation=worker.organisation,
            acting_user=worker,
            summary="asesmen awal",
        )
    refresh_overlaps()
    case_actions.start_conference(
        OverlapAlert.objects.get(person=shared), acting_user=None, title="Koordinasi Dimas"
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_every_page_reads_on_a_phone(browser: Browser, network: str, context_options: dict, media):
    build_pages_to_visit()
    findings: list[tuple[str, str]] = []
    reached: set[str] = set()
    for username in PERSONAS:
        context = browser.new_context(**context_options)
        context.set_default_timeout(TIMEOUT_MS)
        if username:
            context.add_cookies([session_cookie(username, network)])
        page = context.new_page()
        crawl = Crawl(page, network, username or "anonymous")
        crawl.run(["/"] + ([] if username else PUBLIC_STARTS))
        context.close()
        findings += crawl.findings
        reached |= crawl.reached
    write_findings(findings, reached)

    missing = sorted(named_page_patterns() - reached - set(NOT_REACHED))
    stale = sorted(set(NOT_REACHED) - named_page_patterns())
    problems = [text for _, text in findings]
    if missing:
        problems.append(
            f"no link reaches these pages (link them or list in NOT_REACHED): {missing}"
        )
    if stale:
        problems.append(f"NOT_REACHED names patterns that no longer exist: {stale}")
    assert not problems, "\n".join(problems)


def test_the_checks_see_what_is_wrong_on_a_page(page: Page, context_options: dict):
    """The crawl's checks have teeth: a page that is too wide, has text too faint to
    read, a link named unlike its text and an id used twice is reported for all four."""
    page.set_content(
        '<html lang="id"><head><title>t</title></head><body><main>'
        '<h1>Uji</h1><p style="color:#bbb;background:#fff">teks samar</p>'
        '<a href="/x" aria-label="Notifications">3 baru</a>'
        '<div id="dua"></div><div id="dua"></div>'
        '<div style="width:600px">lebar</div></main></body></html>'
    )
    crawl = Crawl(page, "http://testserver", "test")
    crawl.check("core:home", "/")
    found = "\n".join(text for _, text in crawl.findings)
    assert "scrolls sideways at 360 px" in found
    assert "color-contrast" in found
    assert "label-content-name-mismatch" in found
    assert "ids used more than once" in found and "dua" in found


def test_the_pages_left_out_as_post_only_refuse_a_get(network: str, as_user):
    """NOT_REACHED tells the truth: what it calls "POST only" answers 405 to a GET."""
    client = as_user("admin")
    patterns = patterns_by_name()
    answered = {}
    for name, reason in NOT_REACHED.items():
        if not reason.startswith("POST only"):
            continue
        converters = patterns[name].pattern.converters
        kwargs = {key: 1 if isinstance(c, IntConverter) else "x" for key, c in converters.items()}
        answered[name] = client.get(reverse(name, kwargs=kwargs)).status_code
    assert {name: code for name, code in answered.items() if code != 405} == {}
