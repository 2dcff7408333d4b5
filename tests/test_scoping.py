"""The scoping layer, proved through pages and API alike (issue #2).

Each row declares a persona, a request and the expected status; a new scoped record
only adds rows. The records are private to Riau: an organisation awaiting verification
in Kota Pekanbaru, and the contact persons of Dinas Sosial Kota Pekanbaru.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse

from jejaring.accounts.actions import create_user
from jejaring.accounts.roles import Role
from jejaring.network.models import Organisation

PENDING = "lks-cahaya-madani"  # awaiting verification, Kota Pekanbaru
ACTIVE_RIAU = "dinsos-kota-pekanbaru"

# Personas: an owner who manages, a read-only colleague, a partner, an outsider.
OWNER = "operator.pekanbaru"  # data officer at Dinas Sosial Kota Pekanbaru (governs 14.71)
COLLEAGUE = "petugas.pekanbaru"  # case worker there: sees, does not manage profiles
PARTNER = "mitra.lksa"  # partner LKSA in Pekanbaru: sees only its own records
OUTSIDER = "petugas.bandung"  # another province

REQUESTS = {
    "page detail": lambda pk: ("get", reverse("network:detail", args=[pk]), None),
    "page edit": lambda pk: ("get", reverse("network:edit", args=[pk]), None),
    "page edit post": lambda pk: ("post", reverse("network:edit", args=[pk]), {}),
    "api detail": lambda pk: ("get", f"/api/v1/organisations/{pk}", None),
    "api patch": lambda pk: (
        "patch",
        f"/api/v1/organisations/{pk}",
        {"volunteers": 7, "version": Organisation.objects.get(pk=pk).version},
    ),
    "api contacts": lambda pk: ("get", f"/api/v1/organisations/{pk}/contacts", None),
    "api add contact": lambda pk: (
        "post",
        f"/api/v1/organisations/{pk}/contacts",
        {"name": "Nama Baru"},
    ),
}

CASES = [
    (OWNER, "page detail", PENDING, 200),
    (OWNER, "page edit", PENDING, 200),
    (OWNER, "api detail", PENDING, 200),
    (OWNER, "api patch", PENDING, 200),
    (OWNER, "api contacts", ACTIVE_RIAU, 200),
    (OWNER, "api add contact", ACTIVE_RIAU, 201),
    (COLLEAGUE, "page detail", PENDING, 200),
    (COLLEAGUE, "page edit", PENDING, 403),
    (COLLEAGUE, "api patch", PENDING, 403),
    (COLLEAGUE, "api contacts", ACTIVE_RIAU, 200),
    (COLLEAGUE, "api add contact", ACTIVE_RIAU, 403),
    (PARTNER, "page detail", PENDING, 404),
    (PARTNER, "api detail", PENDING, 404),
    (PARTNER, "api patch", PENDING, 404),
    (PARTNER, "api contacts", ACTIVE_RIAU, 404),
    (OUTSIDER, "page detail", PENDING, 404),
    (OUTSIDER, "page edit", PENDING, 404),
    (OUTSIDER, "page edit post", PENDING, 404),
    (OUTSIDER, "api detail", PENDING, 404),
    (OUTSIDER, "api patch", PENDING, 404),
    (OUTSIDER, "api contacts", ACTIVE_RIAU, 404),
    (OUTSIDER, "api add contact", ACTIVE_RIAU, 403),
    (OUTSIDER, "page edit", ACTIVE_RIAU, 403),
    (OUTSIDER, "api patch", ACTIVE_RIAU, 403),
]


@pytest.fixture
def personas(db):
    create_user(
        username=OWNER,
        organisation=Organisation.objects.get(code=ACTIVE_RIAU),
        roles=[Role.DATA_OFFICER],
        password=None,
        acting_user=None,
    )


@pytest.mark.parametrize(
    ("persona", "request_kind", "target", "expected"),
    CASES,
    ids=[f"{p}-{k}-{t}" for p, k, t, _ in CASES],
)
def test_scope_matrix(personas, as_user, bearer, persona, request_kind, target, expected):
    pk = Organisation.objects.get(code=target).pk
    method, url, body = REQUESTS[request_kind](pk)
    if url.startswith("/api/"):
        client, kwargs = Client(), bearer(persona)
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
    else:
        client, kwargs = as_user(persona), {}
        if body is not None:
            kwargs["data"] = body
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == expected, response.content[:300]


def test_outsider_list_hides_private_records(as_user, bearer):
    pending = Organisation.objects.get(code=PENDING)
    page = as_user(OUTSIDER).get(reverse("network:list"), {"q": "Cahaya"})
    assert pending.name not in page.content.decode()
    api = Client().get("/api/v1/organisations/", {"q": "Cahaya"}, **bearer(OUTSIDER))
    assert api.json() == {"items": [], "count": 0}
    # The governing office does see it in the same list.
    inside = Client().get("/api/v1/organisations/", {"q": "Cahaya"}, **bearer(COLLEAGUE))
    assert [o["code"] for o in inside.json()["items"]] == [PENDING]


def test_outsider_cannot_change_riau_records_through_the_form(as_user):
    target = Organisation.objects.get(code=ACTIVE_RIAU)
    response = as_user(OUTSIDER).post(
        reverse("network:edit", args=[target.pk]), {"name": "Diretas"}
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.name == "Dinas Sosial Kota Pekanbaru"


def test_private_sections_hidden_on_directory_profile(as_user):
    target = Organisation.objects.get(code=ACTIVE_RIAU)
    outsider_page = as_user(OUTSIDER).get(reverse("network:detail", args=[target.pk]))
    assert outsider_page.status_code == 200  # the directory profile is network-wide
    assert "Dewi Lestari" not in outsider_page.content.decode()  # the contact person is not
    colleague_page = as_user(COLLEAGUE).get(reverse("network:detail", args=[target.pk]))
    assert "Dewi Lestari" in colleague_page.content.decode()


def test_users_are_scoped(bearer, as_user):
    # The user list is for network administrators; others are refused.
    assert as_user(OUTSIDER).get(reverse("accounts:user_list")).status_code == 403
    admin_page = as_user("admin").get(reverse("accounts:user_list"))
    assert "petugas.pekanbaru" in admin_page.content.decode()
