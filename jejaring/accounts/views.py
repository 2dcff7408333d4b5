from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jejaring.core.scoping import get_scoped_or_404, scope_for

from . import actions
from .models import ApiToken, User


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
    form = SetPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.change_own_password(request.user, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form})


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
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(username__icontains=query) | users.filter(
            organisation__name__icontains=query
        )
    page_obj = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/user_list.html",
        {"page_obj": page_obj, "query": query, "query_string": f"q={query}"},
    )


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
    if person.pk == request.user.pk:
        messages.error(request, _("You cannot disable your own account."))
    else:
        active = request.POST.get("active") == "1"
        actions.set_active(person, active, acting_user=request.user)
        messages.success(request, _("Account enabled.") if active else _("Account disabled."))
    return redirect("accounts:user_detail", user_id=person.pk)
