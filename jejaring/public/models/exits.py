"""Exit (Hirschman's exit, seed 000: "diberikan kesempatan untuk memilih lembaga yang
lain"): a person served, or their family, asks to be served by another provider. The
request becomes a referral to the organisation of their choice, decided like any
referral."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.scoping import RestrictedQuerySet

from ..policies import ExitRequestPolicy, ServiceCodePolicy


class ServiceCode(models.Model):
    """The code a case's office gives the person it serves (kode layanan), with which they
    may ask for another provider without an account. It names the case; whoever holds it
    can ask, never read anything about the person."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("service code"), max_length=14, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(default=clock.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ServiceCodePolicy()
    # The code lets whoever holds it act (ask for another provider, answer the survey):
    # the audit log keeps only its tail (audit.log.masked).
    audit_masked_fields = ("code",)

    class Meta:
        verbose_name = _("service code")
        verbose_name_plural = _("service codes")

    def __str__(self) -> str:
        return f"service code #{self.pk}"


class ExitVia(models.TextChoices):
    PUBLIC = "public", _("By the person, with their service code")
    WORKER = "worker", _("Through a worker")


class ExitRequest(models.Model):
    """A request to be served by another provider, and the referral it became. Waiting
    (no referral yet) only where the chosen provider is a partner and no consent to share
    is recorded: the case's office records it, then sends the referral."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    to_organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("the provider chosen"),
        on_delete=models.PROTECT,
        related_name="exit_requests_in",
    )
    reason = models.TextField(_("why another provider"), blank=True)
    via = models.CharField(max_length=8, choices=ExitVia.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=clock.now, editable=False)
    referral = models.OneToOneField(
        "cases.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="exit"
    )
    sender_key = models.CharField(max_length=64, blank=True, editable=False)
    submitted_at = models.DateTimeField(default=clock.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ExitRequestPolicy()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("exit request")
        verbose_name_plural = _("exit requests")

    def __str__(self) -> str:
        return f"exit request #{self.pk}"
