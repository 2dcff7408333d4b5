"""Exact query counts for every list page and API list (issue 13, item 5), after Zulip's
``assert_database_query_count``: a fixed-cost regression (three more queries on every
page) fails, not only an N+1.

``PINS`` is the one table to update when a view's queries change on purpose: run
``pytest tests/test_query_pins.py`` and the failure names the list and the count measured.
Each count is measured for one persona after a warm-up request (the session and the
token's first use are not the list's cost), on the persona world of
``tests/personas`` (the demo plus one record per declared model).

That a count does not grow with rows is checked separately: ``GROW`` adds four more rows
the persona sees, through the real actions, and the count must stay the same; an API list
without a grower is asked for 2 and then for 6 rows instead.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jejaring.core.testing import assert_database_query_count
from tests.personas import api_items, build_world
from tests.personas.declarations import DECLARATIONS


@dataclass(frozen=True)
class Pin:
    url: str  # URL name of a page, or an API path
    persona: str
    queries: int  # as measured on PostgreSQL
    params: tuple = ()
    # Writes a read row in the audit log: one statement on PostgreSQL (the entry and its
    # subjects, audit.log), two elsewhere.
    audited: bool = False

    @property
    def expected(self) -> int:
        return self.queries + (self.audited and connection.vendor != "postgresql")

    @property
    def path(self) -> str:
        return self.url if self.url.startswith("/") else reverse(self.url)


# The table. Measured on PostgreSQL; SQLite's counts are the same but for the audit row
# (``audited``).
PINS = [
    # -2 on every page and API list in issue 18: the signed-in user's roles and
    # organisation are loaded with the user (accounts.backends), not by two queries more.
    # -1 on every audited list, later in issue 18: on PostgreSQL the read row and its
    # subjects are one statement (audit.log).
    # pages
    Pin("network:list", "owner", 8),
    # -2 in issue 18: a person's categories and their category in one prefetch query; a
    # first page shorter than a page is its own count.
    # +1 in issue 18: the page's ids come with the count (LateJoined.counted_slice), then
    # its rows; a name search matches once instead of twice. -1: whose identity the page
    # shows comes with its rows (with_permissions).
    Pin("registry:list", "owner", 8, audited=True),
    Pin("cases:board", "owner", 9),
    Pin("cases:overlaps", "owner", 8),
    Pin("collaboration:forums", "owner", 5),
    Pin("collaboration:commitments", "owner", 6),
    Pin("collaboration:agreements", "owner", 10),
    Pin("collaboration:exchanges", "owner", 6),
    Pin("collaboration:board", "owner", 6),
    Pin("collaboration:distributions", "owner", 8),
    Pin("collaboration:rules", "owner", 4),
    Pin("imports:list", "owner", 6),
    Pin("imports:reviews", "owner", 7, audited=True),
    # +1 with #15: the persona world's exit request sent a referral, so the first page
    # holds a referral row, whose person is looked up once (one query per kind of row).
    Pin("audit:list", "admin", 8),
    # +3 since issue 14: the page's referrals, then its people named by the identity rule.
    Pin("core:notifications", "owner", 8),
    Pin("accounts:user_list", "admin", 6),
    Pin("spm:targets", "owner", 6, (("region", "14.71"),)),
    # API. -1 each in issue 18: a short page (the last one) is its own count, so the
    # COUNT query runs only for lists longer than a page.
    Pin("/api/v1/organisations/", "owner", 4),
    Pin("/api/v1/persons/", "owner", 6, audited=True),  # and -1 as registry:list (categories)
    Pin("/api/v1/cases/", "owner", 5, audited=True),
    Pin("/api/v1/referrals/", "owner", 3),
    Pin("/api/v1/overlaps/", "owner", 3),
    Pin("/api/v1/leading-sectors/", "owner", 2),
    Pin("/api/v1/collaboration/forums/", "owner", 3),
    Pin("/api/v1/collaboration/meetings/", "owner", 2),
    Pin("/api/v1/collaboration/proposals/", "owner", 2),
    Pin("/api/v1/collaboration/commitments/", "owner", 2),
    Pin("/api/v1/collaboration/agreements/", "owner", 6),
    Pin("/api/v1/collaboration/exchanges/", "owner", 2),
    Pin("/api/v1/collaboration/board/", "owner", 2),
    Pin("/api/v1/collaboration/distributions/", "owner", 3),
    Pin("/api/v1/collaboration/ground-rules/", "owner", 2),
    Pin("/api/v1/imports/", "owner", 3),
    Pin("/api/v1/imports/reviews", "owner", 4, audited=True),
    Pin("/api/v1/audit/", "admin", 6),  # +1 with #15, as audit:list
    Pin("/api/v1/notifications/", "owner", 5),
    Pin("/api/v1/spm/targets", "owner", 3, (("year", 2026), ("region", "14.71"))),
    Pin("/api/v1/spm/service-types", "owner", 2),
    Pin("/api/v1/regions/", "owner", 2, (("parent", "14"),)),
    Pin("/api/v1/reference/pmks-categories", "owner", 2),
    Pin("/api/v1/reference/organisation-types", "owner", 2),
    Pin("/api/v1/reference/psks-types", "owner", 2),
    Pin("/api/v1/reference/spm-groups", "owner", 2),
    Pin("/api/v1/services/", "owner", 4, audited=True),
    Pin("reports:queue", "owner", 6),
    Pin("/api/v1/reports/", "owner", 2),
    Pin("/api/v1/public/report-topics", "owner", 1),
    Pin("complaints:desk", "owner", 6),
    Pin("/api/v1/complaints/", "owner", 2),
    Pin("/api/v1/public/complaint-categories", "owner", 1),
    Pin("/api/v1/exit-requests/", "owner", 2),
]

# Lists whose count grows with rows today (an N+1): pinned as measured, run as
# xfail(strict=True) in the growth test until fixed. url → what repeats.
KNOWN_N_PLUS_ONE: dict[str, str] = {}

# The row counts an API list without a grower is compared at. The audit list looks up
# the identity rule once per kind of record among its rows (cases, then people): its
# first rows hold fewer kinds than the next (the persona world's public reports and
# complaint, which name no person, come first), so it is compared at 12 and 24.
LIMITS = {"/api/v1/audit/": (12, 24)}

# API lists answered whole, without paging: reference data of fixed size, or one
# region's targets; their growth is not asked by limit.
UNPAGED = {
    "/api/v1/public/report-topics",
    "/api/v1/public/complaint-categories",
    "/api/v1/collaboration/ground-rules/",
    "/api/v1/spm/targets",
    "/api/v1/spm/service-types",
    "/api/v1/reference/pmks-categories",
    "/api/v1/reference/organisation-types",
    "/api/v1/reference/psks-types",
    "/api/v1/reference/spm-groups",
}


# --- growers: four more rows the pin's persona sees, through the real actions -------------


def _user(username):
    from jejaring.accounts.models import User

    return User.objects.get(username=username)


def _org(code):
    from jejaring.network.models import Organisation

    return Organisation.objects.get(code=code)


def more_people(n):
    from tests.helpers import register_person

    return [
        register_person(
            "petugas.pekanbaru",
            full_name=f"Tambahan Persona {chr(65 + i)}",
            birth_date=datetime.date(2011, 1 + i, 7),
        )
        for i in range(n)
    ]


def more_cases(n):
    from jejaring.cases import actions as case_actions
    from jejaring.reference.models import PmksCategory

    worker = _user("petugas.pekanbaru")
    category = PmksCategory.objects.get(code="anak_jalanan")
    return [
        case_actions.open_case(
            person, category, organisation=worker.organisation, acting_user=worker
        )
        for person in more_people(n)
    ]


def more_referrals(n):
    from jejaring.cases import actions as case_actions

    worker = _user("petugas.pekanbaru")
    for case in more_cases(n):
        case_actions.send_referral(
            case, _org("dp3a-pekanbaru"), acting_user=worker, reason="pendampingan"
        )


def more_distributions(n):
    from jejaring.collaboration.actions.resources import schedule_distribution

    for case in more_cases(n):
        schedule_distribution(
            case,
            device="Tongkat",
            method="pickup",
            scheduled_for=datetime.date(2026, 12, 21),
            place="Kantor Dinas Sosial",
            acting_user=_user("petugas.pekanbaru"),
        )


def more_posts(n):
    from jejaring.collaboration.actions.resources import post_to_board

    owner = _user("data.pekanbaru")
    for i in range(n):
        post_to_board(
            organisation=owner.organisation,
            kind="request",
            category="training",
            title=f"Pelatihan tambahan {i}",
            region=owner.organisation.home_region,
            acting_user=owner,
        )


def more_exchanges(n):
    from jejaring.collaboration.actions.resources import record_exchange

    for i in range(n):
        record_exchange(
            kind="training",
            giver=_org("fpsi-umr"),
            receiver=_org("dinsos-kota-pekanbaru"),
            description=f"Pelatihan tambahan {i}",
            acting_user=_user("data.pekanbaru"),
        )


def more_notifications(n):
    from jejaring.core.notifications import notify

    for i in range(n):
        notify(
            [_user("data.pekanbaru")],
            "referral_waiting",
            {"referral": i, "organisation": "Dinas Sosial", "sender": "Persona"},
            key=f"pins-{i}",
        )


def more_imports(n):
    from django.core.files.base import ContentFile

    from jejaring.imports import actions as import_actions

    owner = _user("data.pekanbaru")
    for i in range(n):
        import_actions.upload_file(
            ContentFile(b"nama,tanggal_lahir\nAndi,2010-01-01\n", name=f"tambahan-{i}.csv"),
            organisation=owner.organisation,
            acting_user=owner,
        )


def more_users(n):
    from jejaring.accounts.actions import create_user
    from jejaring.accounts.roles import Role

    for i in range(n):
        create_user(
            username=f"tambahan.{i}",
            organisation=_org("dinsos-kota-pekanbaru"),
            roles=[Role.CASE_WORKER],
            password=None,
            acting_user=None,
        )


def _forum():
    from jejaring.collaboration.demo import FORUM_NAME
    from jejaring.collaboration.models import Forum

    return Forum.objects.get(name=FORUM_NAME)


def more_organisations(n):
    from jejaring.network import actions as network_actions
    from jejaring.network.models import OrganisationType
    from jejaring.regions.models import Region

    kind = OrganisationType.objects.get(code="lksa")
    for i in range(n):
        network_actions.create_organisation(
            {
                "code": f"lksa-tambahan-{i}",
                "name": f"LKSA Tambahan {i}",
                "type": kind,
                "sector": kind.default_sector,
                "level": "kabupaten_kota",
                "home_region": Region.objects.get(code="14.71"),
                "service_area": [],
                "pmks_categories": [],
                "status": "active",
            },
            acting_user=None,
        )


def more_forums(n):
    from jejaring.collaboration import actions
    from jejaring.regions.models import Region

    for i in range(n):
        actions.create_forum(
            name=f"Forum Tambahan {i}",
            region=Region.objects.get(code="14.71"),
            convened_by=_org("dinsos-kota-pekanbaru"),
            members=[_org("dp3a-pekanbaru"), _org("lksa-harapan-bunda")],
            acting_user=_user("petugas.pekanbaru"),
        )


def more_meetings(n):
    from django.utils import timezone

    from jejaring.collaboration import actions

    start = timezone.now() + datetime.timedelta(days=10)
    for i in range(n):
        actions.schedule_meeting(
            _forum(),
            title=f"Rapat tambahan {i}",
            mode="in_person",
            starts_at=start + datetime.timedelta(days=i),
            ends_at=start + datetime.timedelta(days=i, hours=2),
            location="Aula",
            acting_user=_user("petugas.pekanbaru"),
        )


def more_proposals(n):
    from jejaring.collaboration import actions

    for i in range(n):
        actions.open_proposal(
            _forum(),
            title=f"Usulan tambahan {i}",
            text="Kita sepakati jadwal bersama.",
            deadline=datetime.date(2026, 12, 30),
            proposed_by=_org("dinsos-kota-pekanbaru"),
            acting_user=_user("petugas.pekanbaru"),
        )


def more_commitments(n):
    from jejaring.collaboration import actions

    for i in range(n):
        actions.create_commitment(
            _forum(),
            title=f"Komitmen tambahan {i}",
            owner=_org("dp3a-pekanbaru"),
            due_on=datetime.date(2026, 12, 30),
            acting_user=_user("petugas.pekanbaru"),
        )


def more_agreements(n):
    from jejaring.collaboration import actions

    for i in range(n):
        actions.draft_agreement(
            kind="mou",
            title=f"MoU tambahan {i}",
            drafted_by=_org("dinsos-kota-pekanbaru"),
            parties=[(_org("dinsos-kota-pekanbaru"), ""), (_org("dp3a-pekanbaru"), "")],
            acting_user=_user("petugas.pekanbaru"),
        )


def more_rules(n):
    from jejaring.collaboration import actions

    for i in range(n):
        actions.add_ground_rule(
            _forum(),
            title=f"Aturan tambahan {i}",
            text="Rapat dimulai tepat waktu.",
            kind="rule",
            acting_user=_user("petugas.pekanbaru"),
        )


def more_overlaps(n):
    """Satpol PP opens its own case on people the owner's office serves."""
    from jejaring.cases import actions as case_actions
    from jejaring.cases.overlap import refresh_overlaps

    for case in more_cases(n):
        case_actions.open_case(
            case.person,
            case.category,
            organisation=_org("satpol-pp-pekanbaru"),
            acting_user=None,
        )
    refresh_overlaps()


def more_targets(n):
    from jejaring.regions.models import Region
    from jejaring.spm import actions as spm_actions
    from jejaring.spm.models import SpmServiceType, Target

    region = Region.objects.get(code="14.71")
    taken = Target.objects.filter(region=region, year=2026).values("service_type")
    for kind in SpmServiceType.objects.exclude(pk__in=taken).filter(level="regency")[:n]:
        spm_actions.set_target(region, 2026, kind, 7, acting_user=None, source_note="tambahan")


def more_reports(n):
    from jejaring.public.actions import reports as public_actions
    from jejaring.public.models import ReportTopic
    from jejaring.regions.models import Region

    topic = ReportTopic.objects.select_related("category").get(code="lansia_terlantar")
    village = Region.objects.get(code="14.71.01.1004")
    for i in range(n):
        public_actions.submit_report(
            {"topic": topic, "region": village, "place": f"Gang {i}", "description": "Sendiri."},
            sender_address=f"grow-{i}",
        )


def more_complaints(n):
    from jejaring.network.models import Organisation
    from jejaring.public.actions import complaints as complaint_actions
    from jejaring.public.models import ComplaintCategory

    category = ComplaintCategory.objects.get(code="informasi")
    office = Organisation.objects.select_related("type").get(code="dinsos-kota-pekanbaru")
    for i in range(n):
        complaint_actions.submit_complaint(
            {
                "category": category,
                "concerned_organisation": office,
                "subject": f"Informasi {i}",
                "description": "Tidak jelas syaratnya.",
            },
            sender_address=f"grow-complaint-{i}",
        )


GROW = {
    "complaints:desk": more_complaints,
    "/api/v1/complaints/": more_complaints,
    "reports:queue": more_reports,
    "/api/v1/reports/": more_reports,
    "network:list": more_organisations,
    "/api/v1/organisations/": more_organisations,
    "cases:overlaps": more_overlaps,
    "/api/v1/overlaps/": more_overlaps,
    "collaboration:forums": more_forums,
    "/api/v1/collaboration/forums/": more_forums,
    "/api/v1/collaboration/meetings/": more_meetings,
    "/api/v1/collaboration/proposals/": more_proposals,
    "collaboration:commitments": more_commitments,
    "/api/v1/collaboration/commitments/": more_commitments,
    "collaboration:agreements": more_agreements,
    "/api/v1/collaboration/agreements/": more_agreements,
    "collaboration:rules": more_rules,
    "spm:targets": more_targets,
    "/api/v1/spm/targets": more_targets,
    "registry:list": more_people,
    "/api/v1/persons/": more_people,
    "cases:board": more_cases,
    "/api/v1/cases/": more_cases,
    "/api/v1/referrals/": more_referrals,
    "collaboration:distributions": more_distributions,
    "/api/v1/collaboration/distributions/": more_distributions,
    "collaboration:board": more_posts,
    "/api/v1/collaboration/board/": more_posts,
    "collaboration:exchanges": more_exchanges,
    "/api/v1/collaboration/exchanges/": more_exchanges,
    "core:notifications": more_notifications,
    "/api/v1/notifications/": more_notifications,
    "imports:list": more_imports,
    "/api/v1/imports/": more_imports,
    "accounts:user_list": more_users,
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world(DECLARATIONS)
        transaction.set_rollback(True)


def count_queries(world, pin: Pin, params=None) -> tuple[int, object]:
    client = world.client(pin.persona, "api" if pin.url.startswith("/") else "page")
    params = dict(pin.params) if params is None else params
    warm = client.get(pin.path, params)
    assert warm.status_code == 200, (pin.url, warm.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(pin.path, params)
    assert response.status_code == 200
    return len(queries), response


def test_every_list_is_pinned():
    # Each declared list surface has its pin (the persona world's lists).
    pinned = {pin.url for pin in PINS}
    for declaration in DECLARATIONS:
        if declaration.page_list:
            assert declaration.page_list in pinned, declaration.name
        if declaration.api_list and "{" not in declaration.api_list:
            assert declaration.api_list in pinned, declaration.name


@pytest.mark.parametrize("pin", PINS, ids=[p.url for p in PINS])
def test_list_query_count_is_pinned(world, db, pin):
    client = world.client(pin.persona, "api" if pin.url.startswith("/") else "page")
    assert client.get(pin.path, dict(pin.params)).status_code == 200  # warm-up
    try:
        with assert_database_query_count(pin.expected):
            response = client.get(pin.path, dict(pin.params))
    except AssertionError as exc:
        raise AssertionError(f"Pin({pin.url!r}, {pin.persona!r}): {exc}") from None
    assert response.status_code == 200


def test_the_query_count_assertion_fails_on_another_count(db):
    from jejaring.accounts.models import User

    with assert_database_query_count(1):
        User.objects.count()
    refused = pytest.raises(AssertionError, match="1 queries, expected 2:\n1. SELECT COUNT")
    with refused, assert_database_query_count(2):
        User.objects.count()


def growth_cases():
    for pin in PINS:
        marks = []
        if pin.url in KNOWN_N_PLUS_ONE:
            marks = [pytest.mark.xfail(strict=True, reason=KNOWN_N_PLUS_ONE[pin.url])]
        if pin.url in GROW or (pin.url.startswith("/") and pin.url not in UNPAGED):
            yield pytest.param(pin, id=pin.url, marks=marks)


@pytest.mark.parametrize("pin", list(growth_cases()))
def test_list_queries_do_not_grow_with_rows(world, db, pin):
    if pin.url in GROW:
        before, first = count_queries(world, pin)
        GROW[pin.url](4)
        after, second = count_queries(world, pin)
        if pin.url.startswith("/"):
            assert len(api_items(second)) >= len(api_items(first)) + 4
    else:
        params = dict(pin.params)
        few, more = LIMITS.get(pin.url, (2, 6))
        before, first = count_queries(world, pin, {**params, "limit": few})
        after, second = count_queries(world, pin, {**params, "limit": more})
        rows = len(api_items(second))
        assert rows > len(api_items(first)) or rows < 2, f"{pin.url}: too few rows to compare"
    assert after == before, f"{pin.url}: {before} queries, then {after} with more rows"


def _api_lists() -> set[str]:
    """Every API operation that lists (a GET answering an array, or a page of items)
    without naming an object in its path, read from the OpenAPI schema: a new list
    endpoint is found here whether or not anyone declared it."""
    from jejaring.core.api import api

    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    found = set()
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path:
            continue
        ok = get["responses"].get(200) or get["responses"].get("200", {})
        body = ok.get("content", {}).get("application/json", {})
        answer = body.get("schema", {})
        if "$ref" in answer:
            answer = components.get(answer["$ref"].rsplit("/", 1)[-1], {})
        if answer.get("type") == "array" or "items" in answer.get("properties", {}):
            found.add(path)
    return found


# Lists of the API that are not a list of records: what a column can be mapped to,
# and figures computed per request over what the user sees (each with its own tests).
NOT_RECORD_LISTS = {
    "/api/v1/imports/fields",
    "/api/v1/spm/achievement",
    "/api/v1/collaboration/commitments/fulfilment-rates",
    "/api/v1/collaboration/integration",
    "/api/v1/complaints/dashboard",
    "/api/v1/public/skm-results",
    "/api/v1/skm/results",
    "/api/v1/public/open/complaints",
    "/api/v1/public/open/skm",
}


def test_every_api_list_has_a_pin():
    pinned = {pin.url for pin in PINS}
    missing = sorted(_api_lists() - pinned - NOT_RECORD_LISTS)
    assert not missing, f"API lists without a query pin: {missing}"
