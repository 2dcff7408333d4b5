"""Persona tests generated from declarations (issue 13, item 5), after NetBox's
``ViewTestCases``: a model declares where it is listed and shown (page and API) and what
each persona should get there; ``tests/test_persona_matrix.py`` turns every declaration
into one test per persona × surface, and ``tests/test_query_pins.py`` pins the list
surfaces' query counts.

The six personas are demo users (``jejaring.core.demo.USERS``) or, where the demo has
none, users made by :func:`build_world` through ``accounts.actions.create_user``:

=============  ========================  ==================================================
persona        user                      who they are
=============  ========================  ==================================================
owner          data.pekanbaru            data officer at Dinas Sosial Kota Pekanbaru, the
                                         organisation that owns the declared records
colleague      fasilitator.pekanbaru     a forum facilitator there: reads the office's
                                         records, holds no role that unmasks, imports or
                                         manages (the read-only colleague)
partner        mitra.lksa                staff of LKSA Harapan Bunda, which received a
                                         referral of the owner's case (built here)
outsider       petugas.bandung           case worker in another province (Jawa Barat)
office_head    pimpinan.riau             head of Dinas Sosial Provinsi Riau, which governs
                                         Pekanbaru without handling anyone
admin          admin                     the network administrator
=============  ========================  ==================================================

What a persona gets on a surface is one of:

- ``SEES``: 200; a list holds the record; a declared identity text is shown;
- ``MASKED``: 200 and the record is there, but its identity text is not;
- ``HIDDEN``: a detail answers 404 (as for an id that does not exist), a list answers
  200 without the record;
- ``FORBIDDEN``: 403 (the persona may use the page at all only with another role).

Declaring a model (see ``tests/personas/declarations.py``): give it a ``make(world)``
that returns one record made through the real actions (or found in the demo), the URL
names and API paths it has, ``expect`` for the six personas and, where one surface
differs (a list narrower than the detail's scope), an ``overrides`` entry. A wrong answer
found today is declared as it should be and named in ``known_wrong``: that one case runs
as ``xfail(strict=True)``, so fixing the code turns it into a failure until the entry is
removed.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django.urls import reverse

SEES = "sees"
MASKED = "masked"
HIDDEN = "hidden"
FORBIDDEN = "forbidden"

PAGE_LIST = "page list"
PAGE_DETAIL = "page detail"
API_LIST = "api list"
API_DETAIL = "api detail"
SURFACES = (PAGE_LIST, PAGE_DETAIL, API_LIST, API_DETAIL)
LISTS = (PAGE_LIST, API_LIST)

PERSONAS = {
    "owner": "data.pekanbaru",
    "colleague": "fasilitator.pekanbaru",
    "partner": "mitra.lksa",
    "outsider": "petugas.bandung",
    "office_head": "pimpinan.riau",
    "admin": "admin",
}

OWNER_ORG = "dinsos-kota-pekanbaru"
PARTNER_ORG = "lksa-harapan-bunda"
# The person whose case the owner referred to the partner (non-sensitive).
REFERRED_NAME = "Bagas Persona Rujukan"


def everyone(expectation: str) -> dict[str, str]:
    return dict.fromkeys(PERSONAS, expectation)


def only(*personas: str, otherwise: str = HIDDEN, **expectations: str) -> dict[str, str]:
    """``only("owner", "admin")`` → SEES for those, ``otherwise`` for the rest;
    keyword arguments set single personas (``colleague=MASKED``)."""
    result = {p: (SEES if p in personas else otherwise) for p in PERSONAS}
    result.update(expectations)
    return result


@dataclass(frozen=True)
class Declaration:
    """Where one model is listed and shown, and what each persona gets there."""

    name: str
    make: Callable[[World], Any]
    expect: Mapping[str, str]
    page_list: str | None = None  # URL name, no arguments
    page_detail: str | None = None  # URL name, the record's key as its one argument
    api_list: str | None = None  # path; "{obj.forum_id}" names a parent record
    api_detail: str | None = None  # path with "{pk}"
    # Query parameters that bring the record onto the list's first page.
    query: Callable[[Any], dict] = lambda obj: {}
    # Text a page list shows for the record (default: a link to its detail page).
    page_marker: Callable[[Any], str] | None = None
    # Whether an API list item is the record (default: its "id" is the record's pk).
    api_match: Callable[[dict, Any], bool] = lambda item, obj: item.get("id") == obj.pk
    # The record's key in URLs (default: pk); a tuple for a URL with several parts.
    key: Callable[[Any], Any] = lambda obj: obj.pk
    # Text shown only with the record's identity (for MASKED), on pages and, unless
    # ``api_identity`` says otherwise, in the API (an API list is judged by its item).
    identity: Callable[[Any], str] | None = None
    api_identity: Callable[[Any], str] | None = None
    # (persona, surface) → expectation, where a surface differs from ``expect``.
    overrides: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # (persona, surface) → why today's answer is wrong (run as xfail strict).
    known_wrong: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def __post_init__(self):
        assert set(self.expect) == set(PERSONAS), f"{self.name}: declare all six personas"
        for persona, surface in [*self.overrides, *self.known_wrong]:
            assert persona in PERSONAS and surface in self.surfaces(), (self.name, persona)

    def surfaces(self) -> list[str]:
        given = {
            PAGE_LIST: self.page_list,
            PAGE_DETAIL: self.page_detail,
            API_LIST: self.api_list,
            API_DETAIL: self.api_detail,
        }
        return [surface for surface in SURFACES if given[surface]]

    def expected(self, persona: str, surface: str) -> str:
        return self.overrides.get((persona, surface), self.expect[persona])

    def request(self, surface: str, obj) -> tuple[str, dict]:
        """The URL and query parameters of one surface for the record."""
        if surface == PAGE_LIST:
            return reverse(self.page_list), self.query(obj)
        if surface == PAGE_DETAIL:
            return reverse(self.page_detail, args=self.key_parts(obj)), {}
        if surface == API_LIST:
            return self.api_list.format(obj=obj), {"limit": 500, **self.query(obj)}
        return self.api_detail.format(pk=self.key(obj)), {}

    def key_parts(self, obj) -> list:
        key = self.key(obj)
        return list(key) if isinstance(key, tuple) else [key]

    def marker(self, obj) -> str:
        if self.page_marker:
            return self.page_marker(obj)
        return f'href="{reverse(self.page_detail, args=self.key_parts(obj))}"'


class World:
    """The personas' clients and one record per declaration, made once per module."""

    def __init__(self):
        from jejaring.accounts.actions import issue_token
        from jejaring.accounts.models import User
        from tests.conftest import login_client

        self.users = {p: User.objects.get(username=u) for p, u in PERSONAS.items()}
        self.pages = {p: login_client(u) for p, u in PERSONAS.items()}
        self.apis = {
            p: Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, acting_user=None)}")
            for p, user in self.users.items()
        }
        self._records: dict[str, Any] = {}

    def make(self, declarations) -> World:
        """Make every declaration's record now, inside the module's transaction (a
        record made inside one test would vanish with that test's savepoint)."""
        for declaration in declarations:
            self.record(declaration)
        return self

    def record(self, declaration: Declaration):
        if declaration.name not in self._records:
            self._records[declaration.name] = declaration.make(self)
        return self._records[declaration.name]

    def client(self, persona: str, surface: str) -> Client:
        return self.pages[persona] if surface.startswith("page") else self.apis[persona]


def build_world(declarations=()) -> World:
    """The personas the demo lacks and the referral that makes the partner one, all
    through the real actions."""
    from jejaring.accounts.actions import create_user
    from jejaring.accounts.models import User
    from jejaring.accounts.roles import Role
    from jejaring.cases import actions as case_actions
    from jejaring.cases.models import Case, Consent
    from jejaring.network.models import Organisation
    from jejaring.reference.models import PmksCategory
    from tests.helpers import register_person

    create_user(
        username=PERSONAS["colleague"],
        organisation=Organisation.objects.get(code=OWNER_ORG),
        roles=[Role.FORUM_FACILITATOR],
        password=None,
        acting_user=None,
    )
    create_user(
        username=PERSONAS["office_head"],
        organisation=Organisation.objects.get(code="dinsos-prov-riau"),
        roles=[Role.OFFICE_HEAD],
        password=None,
        acting_user=None,
    )
    worker = User.objects.get(username="petugas.pekanbaru")
    person = register_person(
        "petugas.pekanbaru",
        categories=("anak_terlantar",),
        full_name=REFERRED_NAME,
        birth_date=datetime.date(2013, 2, 3),
    )
    case = case_actions.open_case(
        person,
        PmksCategory.objects.get(code="anak_terlantar"),
        organisation=worker.organisation,
        acting_user=worker,
        summary="asesmen awal",
    )
    case_actions.record_consent(
        person,
        given_by_name="Sri Wahyuni",
        given_by=Consent.Giver.PARENT,
        scope="rujukan ke LKSA",
        given_on=datetime.date(2026, 1, 5),
        acting_user=worker,
    )
    case_actions.send_referral(
        case,
        Organisation.objects.get(code=PARTNER_ORG),
        acting_user=worker,
        reason="pengasuhan sementara",
    )
    assert Case.objects.filter(person=person).count() == 1
    return World().make(declarations)


def response_text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8", "replace")


def api_items(response) -> list:
    data = response.json()
    return data["items"] if isinstance(data, dict) else data


def check(declaration: Declaration, persona: str, surface: str, world: World) -> None:
    """Ask one surface as one persona and compare with the declaration."""
    obj = world.record(declaration)
    expected = declaration.expected(persona, surface)
    url, params = declaration.request(surface, obj)
    response = world.client(persona, surface).get(url, params)
    text = response_text(response)
    where = f"{declaration.name} {surface} as {persona} ({url} {params}): {response.status_code}"
    if expected == FORBIDDEN:
        assert response.status_code == 403, f"{where}, expected 403\n{text[:300]}"
        return
    if surface not in LISTS and expected == HIDDEN:
        assert response.status_code == 404, f"{where}, expected 404\n{text[:300]}"
        return
    if surface == API_LIST and expected == HIDDEN and "{" in declaration.api_list:
        # A list under a parent record (a forum's rules) is absent with its parent.
        assert response.status_code == 404, f"{where}, expected 404\n{text[:300]}"
        return
    assert response.status_code == 200, f"{where}, expected 200\n{text[:300]}"
    if surface == API_LIST:
        matching = [item for item in api_items(response) if declaration.api_match(item, obj)]
        present = bool(matching)
        text = json.dumps(matching, ensure_ascii=False)
    elif surface == PAGE_LIST:
        present = declaration.marker(obj) in text
    else:
        present = True
    if expected == HIDDEN:
        assert not present, f"{where}: the list shows a record it should hide"
        return
    assert present, f"{where}: the record is missing from the list"
    telling = declaration.identity
    if surface.startswith("api") and declaration.api_identity:
        telling = declaration.api_identity
    if telling:
        identity = telling(obj)
        shown = identity in text
        if expected == MASKED:
            assert not shown, f"{where}: the identity {identity!r} is shown, it should be masked"
        else:
            assert shown, f"{where}: the identity {identity!r} is missing"
