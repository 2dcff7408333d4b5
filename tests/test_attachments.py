"""Case attachments: real files through Django storage, checked by type and size."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jejaring.audit.models import AuditEntry
from jejaring.cases.models import Case, CaseAttachment

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def rizki_case():
    return Case.objects.get(person__full_name="Muhammad Rizki")


def test_upload_and_download_through_the_page(as_user, media):
    client = as_user("petugas.pekanbaru")
    case = rizki_case()
    client.post(
        reverse("cases:attach", args=[case.pk]),
        {"file": SimpleUploadedFile("asesmen.pdf", PDF), "description": "form asesmen"},
    )
    attachment = CaseAttachment.objects.get(case=case)
    assert (media / attachment.file.name).read_bytes() == PDF
    response = client.get(reverse("cases:attachment", args=[attachment.pk]))
    assert b"".join(response.streaming_content) == PDF
    assert AuditEntry.objects.filter(action="read", object_type="cases.caseattachment").exists()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("virus.exe", b"MZ....", "PDF, JPG, JPEG, PNG"),
        ("palsu.pdf", b"<html>not a pdf</html>", "bukan berkas PDF"),
        ("besar.pdf", b"%PDF" + b"0" * (6 * 1024 * 1024), "batasnya"),
    ],
)
def test_bad_files_are_refused_with_a_reason(bearer, name, content, reason):
    case = rizki_case()
    response = Client().post(
        f"/api/v1/cases/{case.pk}/attachments",
        {"file": SimpleUploadedFile(name, content)},
        **bearer("petugas.pekanbaru"),
    )
    assert response.status_code == 422
    assert reason in response.json()["detail"][0]["msg"]
    assert not CaseAttachment.objects.exists()


def test_attachments_need_the_persons_identity(bearer):
    case = rizki_case()
    Client().post(
        f"/api/v1/cases/{case.pk}/attachments",
        {"file": SimpleUploadedFile("a.pdf", PDF)},
        **bearer("petugas.pekanbaru"),
    )
    attachment = CaseAttachment.objects.get()
    assert (
        Client()
        .get(f"/api/v1/attachments/{attachment.pk}", **bearer("petugas.bandung"))
        .status_code
        == 404
    )
    assert (
        Client()
        .get(f"/api/v1/attachments/{attachment.pk}", **bearer("dukcapil.pekanbaru"))
        .status_code
        == 200
    )
