from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jejaring.core.pages import form_page, listing, perform
from jejaring.core.scoping import get_scoped_or_404, scope_for

from . import actions
from .filters import UserFilter
from .models import ApiToken, User

USERS_PER_PAGE = 50


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def admin_login(request):
    """Stands in for the admin's own login page, which would show the admin to anyone.

    A visitor logs in on the site's page and comes back; a logged-in user who is not
    staff has no admin, and is told the page does not exist.
    """
    if request.user.is_authenticated:
        raise Http404
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


def _require_network_admin(user) -> None:
    scope = scope_for(user)
    if scope is None or not scope.is_network_admin:
        raise PermissionDenied(_("Only network administrators may do this."))


@login_required
def password_change(request):
    def change(data):
        actions.change_own_password(request.user, data["new_password1"])
        # The session holds a hash of the password: renew it, or this change logs out.
        update_session_auth_hash(request, request.user)

    return form_page(
        request,
        SetPasswordForm(request.user, request.POST or None),
        "accounts/password_change.html",
        change,
        success=_("Your password has been changed."),
        then=lambda _result: "core:home",
    )


@login_required
def profile(request):
    tokens = request.user.api_tokens.all()
    new_token = request.session.pop("new_token", None)
    return render(request, "accounts/profile.html", {"tokens": tokens, "new_token": new_token})


@login_required
@require_POST
def token_create(request):
    name = request.POST.get("name", "").strip()[:100]
    # Shown once, on the next page, then gone: only the hash is stored.
    request.session["new_token"] = actions.issue_token(
        request.user, name=name, acting_user=request.user
    )
    return redirect("accounts:profile")


@login_required
@require_POST
def token_revoke(request, token_id: int):
    try:
        token = request.user.api_tokens.get(pk=token_id, revoked_at__isnull=True)
    except ApiToken.DoesNotExist:
        messages.error(request, _("That token does not exist or is already revoked."))
    else:
        actions.revoke_token(token, acting_user=request.user)
        messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")


@login_required
def user_list(request):
    _require_network_admin(request.user)
    request.nav_section = "users"
    users = (
        User.objects.restrict(request.user)
        .select_related("organisation")
        .prefetch_related("roles")
        .order_by("username")
    )
    context = listing(request, users, UserFilter, per_page=USERS_PER_PAGE)
    return render(request, "accounts/user_list.html", context)


@login_required
def user_detail(request, user_id: int):
    _require_network_admin(request.user)
    request.nav_section = "users"
    person = get_scoped_or_404(
        User.objects.select_related("organisation"), request.user, pk=user_id
    )
    temporary = request.session.pop("temporary_password", None)
    return render(request, "accounts/user_detail.html", {"person": person, "temporary": temporary})


@login_required
@require_POST
def user_reset_password(request, user_id: int):
    _require_network_admin(request.user)
    person = get_scoped_or_404(User, request.user, pk=user_id)
    request.session["temporary_password"] = actions.reset_password(person, acting_user=request.user)
    messages.success(request, _("Password reset. Give the temporary password to the user."))
    return redirect("accounts:user_detail", user_id=person.pk)


@login_required
@require_POST
def user_set_active(request, user_id: int):
    _require_network_admin(request.user)
    person = get_scoped_or_404(User, request.user, pk=user_id)
    active = request.POST.get("active") == "1"
    perform(
        request,
        lambda: actions.set_active(person, active, acting_user=request.user),
        success=_("Account enabled.") if active else _("Account disabled."),
    )
    return redirect("accounts:user_detail", user_id=person.pk)
