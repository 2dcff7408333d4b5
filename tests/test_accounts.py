"""Sign-in, throttling, admin-driven password reset and personal API tokens."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from jejaring.accounts import actions
from jejaring.accounts.models import ApiToken, User
from jejaring.audit.models import AuditEntry


def post_login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_demo_users_log_in_and_out(password):
    client = Client()
    response = post_login(client, "petugas.pekanbaru", password)
    assert response.status_code == 302
    home = client.get(reverse("core:home"))
    assert "Dinas Sosial Kota Pekanbaru" in home.content.decode()
    assert AuditEntry.objects.filter(action="login", actor_name="petugas.pekanbaru").exists()
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("core:home")).status_code == 302  # back to the login page


def test_signed_in_users_come_with_roles_and_organisation_in_one_query(
    password, django_assert_num_queries
):
    """The session's user, its roles and its organisation's type: one query with the
    session's (accounts.backends), where they were three."""
    from jejaring.accounts.backends import ModelBackendWithOrganisation
    from jejaring.core.scoping import scope_for

    user_id = User.objects.get(username="pimpinan.jabar").pk
    with django_assert_num_queries(1):
        user = ModelBackendWithOrganisation().get_user(user_id)
        scope = scope_for(user)
    assert scope.jurisdiction_code == user.organisation.home_region_id == "32"
    assert sorted(user.role_codes()) == sorted(
        User.objects.get(pk=user_id).roles.values_list("role", flat=True)
    )
    assert user.role_codes() == ["pimpinan"]


def test_a_session_from_before_the_backend_changed_stays_signed_in(db):
    """Sessions name the backend that signed them in; Django's own ModelBackend, which
    signed in every session before issue 18, is still listed for them."""
    client = Client()
    user = User.objects.get(username="petugas.pekanbaru")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    home = client.get(reverse("core:home"))
    assert home.status_code == 200
    assert "Dinas Sosial Kota Pekanbaru" in home.content.decode()


def test_a_wrong_password_is_checked_once_and_counted_once(password, monkeypatch):
    checked = []
    original = User.check_password
    monkeypatch.setattr(
        User, "check_password", lambda self, raw: checked.append(raw) or original(self, raw)
    )
    failures = []
    from django.contrib.auth.signals import user_login_failed

    def count(**kwargs):
        failures.append(kwargs["credentials"]["username"])

    user_login_failed.connect(count)
    try:
        response = post_login(Client(), "petugas.pekanbaru", "salah")
    finally:
        user_login_failed.disconnect(count)
    assert response.status_code == 200
    assert checked == ["salah"], "hashed by one backend only"
    assert failures == ["petugas.pekanbaru"]
    checked.clear()
    assert post_login(Client(), "petugas.pekanbaru", password).status_code == 302
    assert checked == [password]


def test_wrong_password_is_explained_in_indonesian(password):
    response = post_login(Client(), "petugas.pekanbaru", "salah")
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in response.content.decode()
    entry = AuditEntry.objects.filter(action="login_failed").latest("id")
    assert entry.object_repr == "petugas.pekanbaru"
    assert "salah" not in str(entry.before) + str(entry.after) + entry.message


def test_repeated_failures_lock_the_username_from_that_address(password, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "mitra.lksa", "tebak-tebakan")
    locked = post_login(client, "mitra.lksa", password)  # even the right password now waits
    assert locked.status_code == 429
    assert "Terlalu banyak percobaan" in locked.content.decode()
    # Another user from the same address is not locked out.
    assert post_login(Client(), "petugas.bandung", password).status_code == 302


def test_admin_reset_forces_a_new_password(as_user, password):
    person = User.objects.get(username="dukcapil.pekanbaru")
    admin = as_user("admin")
    admin.post(reverse("accounts:user_reset_password", args=[person.pk]))
    detail = admin.get(reverse("accounts:user_detail", args=[person.pk]))
    temporary = detail.context["temporary"]
    assert temporary
    assert post_login(Client(), "dukcapil.pekanbaru", password).status_code == 200  # old: no
    client = Client()
    assert post_login(client, "dukcapil.pekanbaru", temporary).status_code == 302
    # Every page sends the user to choose a new password first.
    assert client.get(reverse("network:list")).url == reverse("accounts:password_change")
    new = "Rahasia-Baru-2026!"
    client.post(reverse("accounts:password_change"), {"new_password1": new, "new_password2": new})
    assert client.get(reverse("network:list")).status_code == 200
    assert AuditEntry.objects.filter(action="password_reset", object_id=str(person.pk)).exists()


def test_only_network_admins_reset_passwords(as_user):
    person = User.objects.get(username="mitra.lksa")
    response = as_user("pimpinan.jabar").post(
        reverse("accounts:user_reset_password", args=[person.pk])
    )
    assert response.status_code == 403


def test_token_command_prints_a_working_token(db, capsys):
    call_command("token", "petugas.bandung")
    token = capsys.readouterr().out.strip()
    assert token.startswith("jjr_")
    response = Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["username"] == "petugas.bandung"
    assert response.json()["roles"] == ["petugas"]
    # Only the hash is stored.
    assert not ApiToken.objects.filter(key_hash=token).exists()


def test_token_of_disabled_user_is_refused_with_a_message(bearer):
    headers = bearer("mitra.lksa")
    user = User.objects.get(username="mitra.lksa")
    actions.set_active(user, False, acting_user=None)
    response = Client().get("/api/v1/accounts/me", **headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "Token ini milik pengguna yang dinonaktifkan."


@pytest.mark.parametrize("header", ["Bearer jjr_not-a-real-token", "Bearer abc", "Basic eA=="])
def test_bad_tokens_get_401(db, header):
    response = Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_revoked_token_stops_working(bearer):
    headers = bearer("petugas.bandung")
    token = ApiToken.objects.filter(user__username="petugas.bandung").latest("id")
    actions.revoke_token(token, acting_user=None)
    assert Client().get("/api/v1/accounts/me", **headers).status_code == 401


def test_profile_page_issues_token_once(as_user):
    client = as_user("petugas.bandung")
    client.post(reverse("accounts:token_create"), {"name": "skrip impor"})
    first = client.get(reverse("accounts:profile")).context["new_token"]
    assert first.startswith("jjr_")
    assert client.get(reverse("accounts:profile")).context["new_token"] is None


def test_api_requires_authentication_with_a_clear_message(db):
    response = Client().get("/api/v1/organisations/")
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]


def test_session_api_write_without_csrf_is_refused(password):
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="admin"))
    assert client.get("/api/v1/accounts/me").status_code == 200  # reads need no token
    response = client.post("/api/v1/organisations/", data="{}", content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_page_form_without_csrf_is_explained(password):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "admin", "password": password})
    assert response.status_code == 403
    assert "token keamanan" in response.content.decode()
