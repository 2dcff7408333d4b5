"""Organisations, accounts, the audit log, regions and notifications on the shared
skeleton (issue 13): FilterSets shared by page and API, refusals from actions shown
by core.pages, codes in a body looked up through Inputs, one action to mark read."""

import json
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from jejaring.accounts import actions as account_actions
from jejaring.accounts.models import User
from jejaring.audit.models import AuditEntry
from jejaring.core.models import Notification
from jejaring.core.notifications import Kind, mark_read, notify
from jejaring.network import actions as network_actions
from jejaring.network.models import Organisation


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- organisations -------------------------------------------------------------------------


def test_api_names_every_unknown_code_on_its_field(bearer):
    body = {
        "code": "lks-baru",
        "name": "LKS Baru",
        "type": "tidak-ada",
        "sector": "civil_society",
        "level": "kabupaten_kota",
        "home_region": "14.71",
        "service_area": ["14.71", "99.99"],
        "pmks_categories": ["anak_jalanan", "tidak_ada"],
    }
    response = Client().post(
        "/api/v1/organisations/",
        data=json.dumps(body),
        content_type="application/json",
        **bearer("admin"),
    )
    assert response.status_code == 422, response.content
    detail = {e["field"]: e["msg"] for e in response.json()["detail"]}
    assert detail == {
        "type": "Jenis lembaga tidak dikenal: tidak-ada.",
        "service_area": "Kode wilayah tidak dikenal: 99.99.",
        "pmks_categories": "Kategori PMKS tidak dikenal: tidak_ada.",
    }
    assert not Organisation.objects.filter(code="lks-baru").exists()


def test_a_refused_contact_is_a_message_not_a_500(as_user):
    org = Organisation.objects.get(code="dinsos-kota-pekanbaru")
    refusal = ValidationError({"email": "Alamat ini ditolak."})
    with mock.patch.object(network_actions, "add_contact", side_effect=refusal):
        response = as_user("admin").post(
            reverse("network:contact_add", args=[org.pk]), {"name": "Rina Marlina"}
        )
    assert response.status_code == 302
    assert _messages(response) == ["Narahubung tidak disimpan: E-mail: Alamat ini ditolak."]


def test_a_contact_with_bad_input_still_says_which_field(as_user):
    org = Organisation.objects.get(code="dinsos-kota-pekanbaru")
    response = as_user("admin").post(
        reverse("network:contact_add", args=[org.pk]), {"name": "R", "email": "bukan-email"}
    )
    assert response.status_code == 302
    (message,) = _messages(response)
    assert message.startswith("Narahubung tidak disimpan: ") and "E-mail: " in message


# --- accounts: the users list has its FilterSet, the self-disable rule is in the action ---


def test_users_list_filters_by_role_and_shows_a_bad_value(as_user):
    client = as_user("admin")
    officers = client.get(reverse("accounts:user_list"), {"role": "operator"})
    assert officers.status_code == 200
    listed = {u.username for u in officers.context["page_obj"]}
    assert "data.pekanbaru" in listed and "petugas.pekanbaru" not in listed
    found = client.get(reverse("accounts:user_list"), {"q": "pekanbaru", "role": "petugas"})
    assert {u.username for u in found.context["page_obj"]} >= {"petugas.pekanbaru"}
    assert "data.pekanbaru" not in {u.username for u in found.context["page_obj"]}
    bad = client.get(reverse("accounts:user_list"), {"role": "raja"})
    assert bad.status_code == 200
    assert "Masukkan pilihan yang valid" in bad.content.decode()
    assert bad.context["filterset"].errors


def test_nobody_disables_their_own_account_whatever_the_entry_point(as_user):
    admin = User.objects.get(username="admin")
    with pytest.raises(ValidationError):
        account_actions.set_active(admin, False, acting_user=admin)
    admin.refresh_from_db()
    assert admin.is_active
    response = as_user("admin").post(
        reverse("accounts:user_set_active", args=[admin.pk]), {"active": "0"}
    )
    assert response.status_code == 302
    assert _messages(response) == ["Anda tidak dapat menonaktifkan akun Anda sendiri."]


# --- audit log and regions: bad filter values are shown, not swallowed ---------------------


def test_audit_page_shows_a_bad_filter_value_and_the_api_answers_422(as_user, bearer):
    page = as_user("admin").get(reverse("audit:list"), {"action": "menghapus-semua"})
    assert page.status_code == 200
    assert "Masukkan pilihan yang valid" in page.content.decode()
    api = Client().get("/api/v1/audit/", {"action": "menghapus-semua"}, **bearer("admin"))
    assert api.status_code == 422
    assert [e["field"] for e in api.json()["detail"]] == ["action"]
    created = Client().get("/api/v1/audit/", {"action": "create"}, **bearer("admin")).json()
    assert created["count"] == AuditEntry.objects.filter(action="create").count()


def test_region_search_shows_a_bad_level_and_still_searches(db):
    response = Client().get(reverse("regions:index"), {"q": "Pekanbaru", "level": "benua"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Masukkan pilihan yang valid" in html
    assert "Kota Pekanbaru" in html
    # The page links keep the search.
    assert "q=Pekanbaru" in response.context["query_string"]


# --- notifications: one action marks read, page and API share the filter ------------------


@pytest.fixture
def notes(db):
    """Two unread notifications for the data officer, one for a colleague."""
    officer, colleague = (
        User.objects.get(username=name) for name in ("data.pekanbaru", "petugas.pekanbaru")
    )
    for user in (officer, colleague):
        mark_read(acting_user=user)  # what the demo left unread
    params = {"referral": 1, "organisation": "Dinas Sosial", "sender": "Dukcapil"}
    mine = [
        *notify([officer], Kind.REFERRAL_WAITING, params, key="skeleton:1"),
        *notify([officer], Kind.REFERRAL_WAITING, params, key="skeleton:2"),
    ]
    theirs = notify([colleague], Kind.REFERRAL_WAITING, params, key="skeleton:3")
    return officer, mine, theirs


def test_mark_read_touches_only_ones_own_and_writes_no_audit_row(notes):
    officer, mine, theirs = notes
    unread = Notification.objects.filter(user=officer, read_at__isnull=True).count()
    audit_rows = AuditEntry.objects.count()
    # Someone else's notification among the ones named is left alone.
    assert mark_read([mine[0], theirs[0]], acting_user=officer) == 1
    assert Notification.objects.get(pk=mine[0].pk).read_at is not None
    assert Notification.objects.get(pk=mine[1].pk).read_at is None
    # Then all the rest of one's own, and again nothing of anyone else's.
    assert mark_read(acting_user=officer) == unread - 1
    assert not Notification.objects.filter(user=officer, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs[0].pk).read_at is None
    assert AuditEntry.objects.count() == audit_rows


def test_page_and_api_mark_read_through_the_action(notes, as_user, bearer):
    officer, mine, theirs = notes
    client = as_user("data.pekanbaru")
    with mock.patch("jejaring.core.notification_views.mark_read", wraps=mark_read) as page_action:
        client.get(reverse("core:notification_open", args=[mine[0].pk]))
        client.post(reverse("core:notifications_read"))
    assert page_action.call_count == 2
    assert not Notification.objects.filter(user=officer, read_at__isnull=True).exists()
    api = Client()
    headers = bearer("petugas.pekanbaru")
    read = api.post(f"/api/v1/notifications/{theirs[0].pk}/read", **headers).json()
    assert read["read"] is True
    # The colleague's only unread one was just read: nothing is left to mark.
    assert api.post("/api/v1/notifications/read-all", **headers).json() == {"marked": 0}
    assert not Notification.objects.filter(
        user__username="petugas.pekanbaru", read_at__isnull=True
    ).exists()


def test_unread_filter_on_the_page_and_in_the_api(notes, as_user, bearer):
    officer, mine, _theirs = notes
    mark_read([mine[0]], acting_user=officer)
    page = as_user("data.pekanbaru").get(reverse("core:notifications"), {"unread": "true"})
    assert [n.pk for n in page.context["page_obj"]] == [mine[1].pk]
    every = as_user("data.pekanbaru").get(reverse("core:notifications"))
    assert {mine[0].pk, mine[1].pk} <= {n.pk for n in every.context["page_obj"]}
    headers = bearer("data.pekanbaru")
    unread = Client().get("/api/v1/notifications/", {"unread": "true"}, **headers).json()
    assert [n["id"] for n in unread["items"]] == [mine[1].pk]
    everything = Client().get("/api/v1/notifications/", {"unread": "false"}, **headers).json()
    assert everything["count"] == Notification.objects.filter(user=officer).count()
    bad = Client().get("/api/v1/notifications/", {"unread": "mungkin"}, **headers)
    assert bad.status_code == 422
