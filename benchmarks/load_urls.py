"""The product's URLs plus `bench/anchor`, the load benchmark's anchor: a plain Django JSON
view that reads nothing, served by the same server through the same middleware (session,
user, locale, CSRF, security headers), so what the product adds on top shows."""

from django.http import JsonResponse
from django.urls import path

from jejaring.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def anchor(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/anchor", anchor, name="bench_anchor"), *urlpatterns]
