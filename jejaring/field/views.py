"""The field page (/lapangan/), its service worker and its web-app manifest.

The page is the app shell: forms and lists drawn by field.js from what the phone keeps
(drafts, reference data, the area's people — the last two encrypted). It holds no
person, so the service worker may keep it for offline use."""

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from jejaring.registry.models import BirthDatePrecision, Sex

FIELD_DIR = Path(__file__).parent


def texts() -> dict:
    """What field.js says, in the reader's language (it runs offline: no catalogue to fetch)."""
    return {
        "online": _("Online. Drafts are sent automatically."),
        "offline": _("No signal. What you save stays on this phone and is sent later."),
        "sending": _("Sending %(done)s of %(total)s…"),
        "sent_all": _("Everything was sent."),
        "send_failed": _("Could not send: no signal. It will be tried again automatically."),
        "server_refused": _(
            "The server could not take the drafts now (%(status)s). They stay on this phone."
        ),
        "waiting": _("waiting for signal"),
        "applied": _("sent"),
        "needs_choice": _("needs review"),
        "refused": _("refused"),
        "same_person": _("Same person"),
        "new_person": _("A new person"),
        "maybe_registered": _("May already be registered:"),
        "saved": _("Saved on this phone."),
        "need_name": _("Write the full name."),
        "need_sex": _("Choose the sex."),
        "need_person": _("Choose the person."),
        "need_service": _("Choose the service."),
        "need_date": _("Give the date."),
        "service_for": _("Service for %(name)s"),
        "locked": _("Your drafts are locked: sign in again when there is signal to open them."),
        "people_kept": _("%(count)s people of your area kept on this phone."),
        "remove": _("Remove"),
        "nothing_changed": _("Nothing was changed."),
        "update_for": _("Change to %(name)s"),
        "need_meeting": _("Choose the meeting."),
        "attendance_for": _("Attendance: %(meeting)s"),
        "who_came": _("Who came from %(organisation)s"),
        "changed_meanwhile": _("Changed on the server since your phone read it:"),
        "on_phone": _("on this phone"),
        "on_server": _("on the server"),
        "keep_mine": _("Keep mine"),
        "keep_theirs": _("Keep the server's"),
        "in_a_draft": _("%(name)s (in a draft on this phone)"),
        "waiting_for_person": _("waiting until the person's registration is settled"),
        "some_waiting": _("Sent. Some drafts wait until a person's registration is settled."),
    }


@login_required
def page(request):
    request.nav_section = "field"
    context = {
        "sexes": Sex.choices,
        "precisions": BirthDatePrecision.choices,
        "api": {
            name: reverse(f"api:field-{name}") for name in ("key", "reference", "people", "sync")
        },
        "texts": texts(),
    }
    response = render(request, "field/field.html", context)
    # The service worker keeps its own copy; the browser's cache must not add another.
    response["Cache-Control"] = "no-cache"
    return response


@cache
def _version() -> str:
    """Changes whenever the shell does (script, page, styles): a new service worker
    then replaces every cached file, so a phone never keeps a stale form."""
    digest = hashlib.sha256()
    for path in (
        FIELD_DIR / "static" / "field" / "field.js",
        FIELD_DIR / "static" / "field" / "sw.js",
        Path(settings.BASE_DIR) / "templates" / "field" / "field.html",
        Path(settings.BASE_DIR) / "core" / "static" / "jejaring" / "jejaring.css",
    ):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@never_cache
def service_worker(request):
    """The service worker, served from /lapangan/ so that it controls the field page;
    the files it keeps are named here (their hashed names in production)."""
    shell = [
        reverse("field:page"),
        static("jejaring/jejaring.css"),
        static("jejaring/jejaring.js"),
        static("vendor/htmx/htmx.min.js"),
        static("field/field.js"),
        static("field/icon.svg"),
        reverse("api:field-reference"),
    ]
    head = (
        f"const VERSION = {_version()!r};\n"
        f"const SHELL = {shell!r};\n"
        f"const PAGE = {reverse('field:page')!r};\n"
    )
    body = (FIELD_DIR / "static" / "field" / "sw.js").read_text()
    response = HttpResponse(head + body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("field:page")
    return response


def manifest(request):
    """The web-app manifest: installable on the home screen, opening the field page."""
    body = {
        "name": _("Jejaring — field work"),
        "short_name": "Jejaring",
        "description": _(
            "Register people and record services without signal; they are sent when it returns."
        ),
        "lang": "id",
        "start_url": reverse("field:page"),
        "scope": reverse("field:page"),
        "display": "standalone",
        "background_color": "#f6f8fa",
        "theme_color": "#0b5cad",
        "icons": [
            {"src": static("field/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("field/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("field/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return JsonResponse(
        body, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
