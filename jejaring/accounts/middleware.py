from django.shortcuts import redirect
from django.urls import reverse

ALLOWED_PREFIXES = ("/static/", "/i18n/", "/healthz", "/readyz", "/api/")


class PasswordChangeRequiredMiddleware:
    """After an administrator's reset, the user must choose a new password first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse("accounts:password_change"), reverse("accounts:logout")}
            if request.path not in allowed and not request.path.startswith(ALLOWED_PREFIXES):
                return redirect("accounts:password_change")
        return self.get_response(request)
