"""The registry on the shared skeleton (issue 13): its writes are whole transactions,
its photo is served by core.files.serve_file, its API names things through Inputs."""

import datetime
import json
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from jejaring.accounts.models import User
from jejaring.audit import log as audit_log
from jejaring.audit.models import AuditEntry
from jejaring.registry import actions
from jejaring.registry.models import Person, PersonAlias
from tests.helpers import register_person

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def child(db):
    return register_person()


@pytest.fixture
def victim(db):
    return register_person(
        full_name="Putri Ayu Lestari",
        sex="F",
        birth_date=datetime.date(2014, 5, 2),
        categories=("anak_korban_tindak_kekerasan",),
    )


def _worker():
    return User.objects.get(username="petugas.pekanbaru")


# --- add_alias: one transaction ------------------------------------------------------------


def test_add_alias_leaves_nothing_when_its_audit_row_fails(child):
    search_key = Person.objects.get(pk=child.pk).search_key
    # The audit write is the last of the alias's three rows: if it fails, the alias and
    # the person's new search key must go with it.
    with (
        mock.patch.object(audit_log, "record", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        actions.add_alias(child, "Iki Terminal", PersonAlias.Kind.STREET, acting_user=_worker())
    assert not PersonAlias.objects.filter(person=child).exists()
    assert Person.objects.get(pk=child.pk).search_key == search_key


def test_add_alias_refuses_a_blank_name_in_the_action(child):
    with pytest.raises(ValidationError) as refused:
        actions.add_alias(child, "   ", PersonAlias.Kind.ALIAS, acting_user=_worker())
    assert refused.value.message_dict == {"name": ["Ketik nama lainnya."]}
    with pytest.raises(ValidationError):
        actions.add_alias(child, "Iki", "nickname", acting_user=_worker())
    assert not PersonAlias.objects.filter(person=child).exists()


def test_alias_page_shows_the_actions_refusal(child, as_user):
    client = as_user("petugas.pekanbaru")
    response = client.post(reverse("registry:alias_add", args=[child.pk]), {"name": " "})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Ketik nama lainnya."]
    response = client.post(
        reverse("registry:alias_add", args=[child.pk]), {"name": " Iki ", "kind": "street"}
    )
    assert [a.name for a in child.aliases.all()] == ["Iki"]
    entry = AuditEntry.objects.filter(object_type="registry.personalias").latest("id")
    assert entry.parent_id == str(child.pk)


# --- the photo through serve_file ----------------------------------------------------------


@pytest.fixture
def photo_of(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def upload(person):
        actions.set_photo(person, ContentFile(PNG, name="foto.png"), acting_user=_worker())
        return Person.objects.get(pk=person.pk).photo

    return upload


def test_photo_lost_by_the_storage_is_404_not_500(child, photo_of, as_user, bearer):
    photo = photo_of(child)
    photo.storage.delete(photo.name)
    page = as_user("petugas.pekanbaru").get(reverse("registry:photo", args=[child.pk]))
    assert page.status_code == 404
    api = Client().get(f"/api/v1/persons/{child.pk}/photo", **bearer("petugas.pekanbaru"))
    assert api.status_code == 404
    # Nothing was shown, so nothing is recorded as read.
    assert not AuditEntry.objects.filter(
        object_id=str(child.pk), action="read", message="photo"
    ).exists()


def test_photo_is_shown_inline_and_its_read_audited(child, photo_of, as_user):
    photo_of(child)
    response = as_user("petugas.pekanbaru").get(reverse("registry:photo", args=[child.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    read = AuditEntry.objects.filter(object_id=str(child.pk), action="read").latest("id")
    assert read.message == "photo"


def test_masked_persons_photo_is_absent_on_the_page_too(child, victim, photo_of, as_user):
    photo_of(child)
    photo_of(victim)
    governing = as_user("dukcapil.pekanbaru")
    assert governing.get(reverse("registry:photo", args=[child.pk])).status_code == 200
    # The office sees the protected girl's record, masked: her photo is 404, not 403.
    assert governing.get(reverse("registry:detail", args=[victim.pk])).status_code == 200
    assert governing.get(reverse("registry:photo", args=[victim.pk])).status_code == 404
    outsider = as_user("petugas.bandung")
    assert outsider.get(reverse("registry:photo", args=[child.pk])).status_code == 404


# --- the API names things through Inputs ---------------------------------------------------


def test_api_registration_reports_every_unknown_code_at_once(bearer):
    body = {
        "full_name": "Budi Santoso",
        "sex": "M",
        "region": "99.99.99.9999",
        "categories": ["anak_jalanan", "tidak_ada"],
    }
    response = Client().post(
        "/api/v1/persons/",
        data=json.dumps(body),
        content_type="application/json",
        **bearer("petugas.pekanbaru"),
    )
    assert response.status_code == 422
    detail = {e["field"]: e["msg"] for e in response.json()["detail"]}
    assert detail == {
        "region": "Kode wilayah tidak dikenal: 99.99.99.9999.",
        "categories": "Kategori PMKS tidak dikenal: tidak_ada.",
    }
    assert not Person.objects.filter(full_name="Budi Santoso").exists()


def test_api_edit_with_an_unknown_village_is_422_on_its_field(child, bearer):
    response = Client().patch(
        f"/api/v1/persons/{child.pk}",
        data=json.dumps({"version": child.version, "region": "14.71.99.9999"}),
        content_type="application/json",
        **bearer("petugas.pekanbaru"),
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["region"]
