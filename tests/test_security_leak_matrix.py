"""The leak matrix (issue 12): every GET-with-id API operation × every persona × objects
inside and outside each persona's scope, and the list, audit and export readers for
identity fields.

Nothing here is declared by hand per endpoint: the operations come from the OpenAPI
schema, the personas from the demo's user declarations, the objects from the database,
and the expected answer from the scoping layer itself (``restrict(user, action)``):
- the object is in the persona's scope for the operation's action → 200;
- it is visible, but the operation needs more (the identity behind a timeline, consents
  or relatives; the right to change a case for referral suggestions) → 403;
- otherwise → 404, exactly as for an id that does not exist: never 403, never 200.
  Private parts (contact persons, the photo) stay 404 even where the record is visible.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jejaring.accounts.models import User
from jejaring.cases import actions as case_actions
from jejaring.cases.models import Case, CaseAttachment, CaseConference, OverlapAlert, ServiceType
from jejaring.cases.overlap import refresh_overlaps
from jejaring.collaboration.models import (
    Agreement,
    AgreementDocument,
    BoardPost,
    Commitment,
    DeviceDistribution,
    Forum,
    Meeting,
    MeetingAttachment,
    Proposal,
)
from jejaring.core.api import api
from jejaring.core.demo import USERS
from jejaring.core.scoping import CHANGE, VIEW, VIEW_IDENTITY, VIEW_PRIVATE
from jejaring.imports.models import ImportJob
from jejaring.network.models import Organisation
from jejaring.public.models import Complaint, PublicReport
from jejaring.reference.models import PmksCategory
from jejaring.regions.models import Region
from jejaring.registry import actions as registry_actions
from jejaring.registry.models import Person
from jejaring.registry.presenters import identity_visible
from tests.test_collaboration_scoping import MEMBER, RUNNER
from tests.test_scoping import COLLEAGUE, OUTSIDER, PARTNER

# Every demo user is a persona; the scoping tests' owner, colleague, partner, outsider,
# forum runner and member are among them.
PERSONAS = [username for username, *_ in USERS]
assert {COLLEAGUE, OUTSIDER, PARTNER, RUNNER, MEMBER} <= set(PERSONAS)

# Which record a path parameter names (regions and SPM reports are public, see below).
PATH_MODELS = {
    "org_id": Organisation,
    "person_id": Person,
    "case_id": Case,
    "conference_id": CaseConference,
    "forum_id": Forum,
    "meeting_id": Meeting,
    "proposal_id": Proposal,
    "commitment_id": Commitment,
    "agreement_id": Agreement,
    "document_id": AgreementDocument,
    "post_id": BoardPost,
    "distribution_id": DeviceDistribution,
    "job_id": ImportJob,
    "report_id": PublicReport,
    "complaint_id": Complaint,
}
# Public by design: a report's or a complaint's status by its tracking code (no account,
# no person shown; tests/test_public_reports.py, tests/test_public_complaints.py).
PUBLIC_PATHS = ("/api/v1/regions/", "/api/v1/spm/report/", "/api/v1/public/")
ATTACHMENT_MODELS = {
    "/api/v1/attachments/{attachment_id}": CaseAttachment,
    "/api/v1/collaboration/meeting-attachments/{attachment_id}": MeetingAttachment,
}
# Sub-resources that need more than seeing the record.
ACTION_BY_SUFFIX = {
    "/contacts": VIEW_PRIVATE,
    "/timeline": VIEW_IDENTITY,
    "/consents": VIEW_IDENTITY,
    "/photo": VIEW_IDENTITY,
    "/relatives": VIEW_IDENTITY,
    # Suggestions prepare a referral: they are for those who may change the case.
    "/suggested-receivers": CHANGE,
}
# Downloads of an optional file answer 404 where the record has none.
FILE_BY_SUFFIX = {"/photo": "photo", "/evidence": "evidence_file"}
# Refused parts that stay absent (404) even where the record is visible.
ABSENT_WHEN_REFUSED = {"/contacts", "/photo"}


def get_operations() -> list[str]:
    """Paths of the GET operations that take an id, from the OpenAPI schema."""
    paths = api.get_openapi_schema()["paths"]
    return sorted(
        path for path, methods in paths.items() if "get" in methods and "{" in path.split("?")[0]
    )


def visible_ids(model, user, action, file_field: str | None = None) -> set:
    if model is CaseAttachment:
        # No policy of its own: it carries identity, so the case must be visible and the
        # person's identity too (cases.views.attachment_for).
        return set(
            CaseAttachment.objects.filter(
                case__in=Case.objects.restrict(user),
                case__person__in=Person.objects.restrict(user, VIEW_IDENTITY),
            ).values_list("pk", flat=True)
        )
    reached = model.objects.restrict(user, action)
    if file_field:
        reached = reached.exclude(**{file_field: ""})
    return set(reached.values_list("pk", flat=True))


def model_for(path: str):
    if path in ATTACHMENT_MODELS:
        return ATTACHMENT_MODELS[path]
    name = path.split("{", 1)[1].split("}", 1)[0]
    return PATH_MODELS[name]


def action_for(path: str) -> tuple[str, str | None, int]:
    tail = path.rsplit("}", 1)[1]
    refused = 404 if tail in ABSENT_WHEN_REFUSED else 403
    return ACTION_BY_SUFFIX.get(tail, VIEW), FILE_BY_SUFFIX.get(tail), refused


def expected_status(pk, allowed: set, visible: set, refused: int) -> int:
    """Seeing a record is no secret, so what needs more than seeing it answers 403 —
    except its private parts, which stay absent (404) like everything out of sight."""
    if pk in allowed:
        return 200
    return refused if pk in visible else 404


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def user(username: str) -> User:
    return User.objects.get(username=username)


def putri() -> Person:
    """The demo's protected child, handled by Dinas Sosial Kota Pekanbaru."""
    return Person.objects.get(full_name="Putri Ayu Lestari")


@pytest.fixture
def files_everywhere(db, settings, tmp_path):
    """Records the demo lacks, made through the real actions: attachments on a protected
    and an ordinary case in two provinces, a case conference, a device distribution,
    photos, a meeting attachment, an agreement document and an import job."""
    from django.core.files.base import ContentFile

    from jejaring.collaboration.actions.agreements import upload_agreement_document
    from jejaring.collaboration.actions.forums import attach_to_meeting
    from jejaring.collaboration.actions.resources import schedule_distribution
    from jejaring.imports import actions as import_actions

    settings.MEDIA_ROOT = tmp_path
    pekanbaru, bandung = user("petugas.pekanbaru"), user("petugas.bandung")
    for case, worker in [
        (Case.objects.get(person=putri()), pekanbaru),
        (Case.objects.filter(organisation__code="dinsos-kota-pekanbaru").first(), pekanbaru),
        (Case.objects.filter(organisation__code="dinsos-kab-bandung").first(), bandung),
    ]:
        case_actions.attach_file(case, ContentFile(PDF, name="asesmen.pdf"), acting_user=worker)
    attach_to_meeting(
        Meeting.objects.first(), ContentFile(PDF, name="notulen.pdf"), acting_user=pekanbaru
    )
    upload_agreement_document(
        Agreement.objects.first(), ContentFile(PDF, name="pks.pdf"), acting_user=pekanbaru
    )
    # Satpol PP opens its own case on a boy Dinsos already serves: an overlap, and the
    # coordination conference started on it.
    rizki = Person.objects.get(full_name="Muhammad Rizki")
    case_actions.open_case(
        rizki,
        PmksCategory.objects.get(code="anak_jalanan"),
        organisation=Organisation.objects.get(code="satpol-pp-pekanbaru"),
        acting_user=None,
    )
    refresh_overlaps()
    case_actions.start_conference(
        OverlapAlert.objects.get(person=rizki, resolved_at__isnull=True), acting_user=pekanbaru
    )
    schedule_distribution(
        Case.objects.filter(organisation__code="dinsos-kota-pekanbaru", person=rizki).get(),
        device="Kursi roda",
        method="pickup",
        scheduled_for=timezone.localdate(),
        place="Kantor",
        acting_user=pekanbaru,
    )
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    for person in [
        putri(),
        Person.objects.filter(
            is_sensitive=False, registered_by__code="dinsos-kota-pekanbaru"
        ).first(),
    ]:
        registry_actions.set_photo(person, ContentFile(png, name="foto.png"), acting_user=pekanbaru)
    csv = b"nama,nik,tanggal_lahir\nAndi,1471010101010001,2010-01-01\n"
    import_actions.upload_file(
        ContentFile(csv, name="data.csv"),
        organisation=Organisation.objects.get(code="dinsos-kota-pekanbaru"),
        acting_user=user("data.pekanbaru"),
    )


def test_every_operation_is_declared_and_has_records(files_everywhere):
    # A new GET-with-id operation names its record here, or the matrix cannot check it.
    for path in get_operations():
        if not path.startswith(PUBLIC_PATHS):
            model = model_for(path)
            assert model.objects.exists(), f"no {model.__name__} to check {path} with"


def object_ids(model) -> list:
    """Every record of the model (the demo's are few), and one that does not exist."""
    if model is Region:
        return ["14", "14.71", "32.04", "99.99"]
    ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
    return [*ids, (ids[-1] if ids else 0) + 1000]


def fill(path: str, pk) -> str:
    name = path.split("{", 1)[1].split("}", 1)[0]
    return path.replace("{" + name + "}", str(pk), 1)


@pytest.mark.slow  # 5-11 s a persona: every GET operation with every id
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_get_with_an_id_answers_by_scope(files_everywhere, bearer, persona):
    viewer = user(persona)
    client = Client(**bearer(persona))
    wrong, checked, seen_in_scope = [], 0, False
    for path in get_operations():
        if path.startswith("/api/v1/public/"):
            continue
        if path.startswith(("/api/v1/regions/", "/api/v1/spm/report/")):
            # Regions and their SPM reports are public (aggregates, no one named): every
            # code answers the same to everyone; an unknown one is a 404 or a 422.
            unknown = 404 if path.startswith("/api/v1/regions/") else 422
            for code in object_ids(Region):
                url = fill(path, code).replace("{year}", str(timezone.localdate().year))
                status = client.get(url).status_code
                expected = 200 if Region.objects.filter(code=code).exists() else unknown
                checked += 1
                if status != expected:
                    wrong.append((path, code, status, expected))
            continue
        model, (action, file_field, refused) = model_for(path), action_for(path)
        allowed = visible_ids(model, viewer, action, file_field)
        visible = visible_ids(model, viewer, VIEW) if action != VIEW else allowed
        for pk in object_ids(model):
            url = fill(path, pk)
            if url.count("{"):
                url = fill(url, 1)  # a second id: no GET operation takes one today
            status = client.get(url).status_code
            expected = expected_status(pk, allowed, visible, refused)
            checked += 1
            seen_in_scope = seen_in_scope or status == 200
            if status != expected:
                wrong.append((path, pk, status, expected))
    assert checked > 100 and seen_in_scope
    assert not wrong, f"{persona} (operation, id, got, expected):\n" + "\n".join(map(str, wrong))


PROTECTED = {
    "full_name": "Sari Wulandari Kusuma",
    "nik": "1471014904130002",
    "sex": "F",
    "birth_date": datetime.date(2013, 4, 9),
    "mother_name": "Rosnani Harahap",
}
IDENTITY_FIELDS = [PROTECTED[f] for f in ("full_name", "nik", "mother_name")]
GAP_LIST_TYPE = "kab_anak_terlantar_luar_panti"


@pytest.fixture
def protected_person(db):
    """A child victim of violence registered, opened as a case, served once (so she is in
    the SPM gap list) and referred by Dinas Sosial Kota Pekanbaru, all through the actions."""
    worker = user("petugas.pekanbaru")
    office = Organisation.objects.get(code="dinsos-kota-pekanbaru")
    neglected = PmksCategory.objects.get(code="anak_terlantar")
    person = registry_actions.create_person(
        {**PROTECTED, "region": Region.objects.get(code="14.71.01.1004")},
        organisation=office,
        acting_user=worker,
        categories=[PmksCategory.objects.get(code="anak_korban_tindak_kekerasan"), neglected],
        confirmed_new=True,
    )
    assert person.is_sensitive
    case = case_actions.open_case(
        person, neglected, organisation=office, acting_user=worker, summary="asesmen awal"
    )
    case_actions.record_service(
        case, ServiceType.objects.get(code="permakanan"), timezone.localdate(), acting_user=worker
    )
    case_actions.send_referral(
        case,
        Organisation.objects.get(code="dp3a-pekanbaru"),
        acting_user=worker,
        reason="pendampingan psikologis",
    )
    return person


def identity_readers(person) -> dict:
    """Every list, search, audit and export reader, API and page, that could show her."""
    year = timezone.localdate().year
    audit_filter = f"object_type=registry.person&object_id={person.pk}"
    return {
        "api persons": "/api/v1/persons/?limit=500",
        "api person search": f"/api/v1/persons/?q={PROTECTED['full_name']}",
        "api nik search": f"/api/v1/persons/?q={PROTECTED['nik']}",
        "api person": f"/api/v1/persons/{person.pk}",
        "api cases": "/api/v1/cases/?limit=500",
        "api referrals out": "/api/v1/referrals/?box=outgoing",
        "api referrals in": "/api/v1/referrals/?box=incoming",
        "api audit of her": f"/api/v1/audit/?{audit_filter}&limit=500",
        "api audit": "/api/v1/audit/?limit=500",
        "page list": reverse("registry:list") + "?q=Sari",
        "page export": reverse("registry:export"),
        "page audit": reverse("audit:list") + f"?{audit_filter}",
        "page spm gap list": reverse("spm:dashboard") + f"?type={GAP_LIST_TYPE}&year={year}",
    }


# Where a reader who may see her identity must find her name (so the check is not vacuous).
SHOWN_TO_HANDLERS = {"api persons", "page list", "page export", "page spm gap list"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_protected_identity_only_in_the_readers_that_may_show_it(
    protected_person, bearer, as_user, persona
):
    viewer = user(persona)
    may_see = identity_visible(viewer, protected_person.pk)
    api_client, page_client = Client(**bearer(persona)), as_user(persona)
    leaks, missing = [], []
    for reader, url in identity_readers(protected_person).items():
        client = api_client if url.startswith("/api/") else page_client
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        shown = [v for v in IDENTITY_FIELDS if v in text]
        if shown and not may_see:
            leaks.append(f"{reader} ({response.status_code}): {', '.join(shown)}")
        if may_see and reader in SHOWN_TO_HANDLERS and PROTECTED["full_name"] not in text:
            missing.append(f"{reader} ({response.status_code})")
    assert not leaks, f"{persona} may not see her identity, yet: {leaks}"
    assert not missing, f"{persona} handles her, yet her name is missing from: {missing}"


def test_the_handling_case_worker_sees_her_and_the_others_do_not(protected_person):
    # The matrix above decides by the scoping layer; pin that decision for the personas.
    seeing = {p for p in PERSONAS if identity_visible(user(p), protected_person.pk)}
    # The handling office's working roles: its case worker, data officer and head.
    assert seeing == {"petugas.pekanbaru", "data.pekanbaru", "kadis.pekanbaru"}
