"""The satisfaction survey (Survei Kepuasan Masyarakat, PermenPANRB 14/2017): nine
elements rated 1 to 4, computed into an index (IKM, 25-100). Answers carry the office,
the kind of service and the day, nothing that leads back to a person."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.models import ReferenceData
from jejaring.core.scoping import RestrictedQuerySet

from ..policies import SurveyInvitationPolicy, SurveyResponsePolicy


class SurveyElement(ReferenceData):
    """One element (unsur) of the survey, its question and its four answers in the
    regulation's words. ``code`` is how answers store it, never its position: the
    regulation's sample questionnaire asks two of them in another order than its list."""

    question = models.CharField(_("question"), max_length=300)
    answer_1 = models.CharField(_("answer worth 1"), max_length=80)
    answer_2 = models.CharField(_("answer worth 2"), max_length=80)
    answer_3 = models.CharField(_("answer worth 3"), max_length=80)
    answer_4 = models.CharField(_("answer worth 4"), max_length=80)

    class Meta(ReferenceData.Meta):
        verbose_name = _("survey element")
        verbose_name_plural = _("survey elements")

    def answers(self) -> list[tuple[int, str]]:
        return [(4, self.answer_4), (3, self.answer_3), (2, self.answer_2), (1, self.answer_1)]


class SurveyInvitation(models.Model):
    """A short code handed to a person after a service or a closed case, printed or sent
    by link, with which they answer once. It names the office and the kind of service
    only: neither the person nor the case, so an answer cannot lead back to them."""

    code = models.CharField(_("survey code"), max_length=14, unique=True)
    organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    service_type = models.ForeignKey(
        "cases.ServiceType", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField(default=clock.localdate, editable=False)
    # Whether it was used, never when: a time would tie it to its answer.
    used = models.BooleanField(default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = SurveyInvitationPolicy()
    # The code lets whoever holds it act (ask for another provider, answer the survey):
    # the audit log keeps only its tail (audit.log.masked).
    audit_masked_fields = ("code",)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")

    def __str__(self) -> str:
        return f"survey invitation #{self.pk}"


class SurveyResponse(models.Model):
    """One person's answers, kept apart from the invitation they came with: the office,
    the kind of service, the day, the scores per element and a suggestion."""

    organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="survey_responses"
    )
    service_type = models.ForeignKey(
        "cases.ServiceType", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_on = models.DateField(default=clock.localdate, editable=False)
    # element code → 1..4; an element left out is absent (the regulation divides each
    # element's sum by the respondents who answered it).
    scores = models.JSONField(default=dict)
    suggestion = models.TextField(_("suggestion"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = SurveyResponsePolicy()

    class Meta:
        ordering = ["-answered_on", "-id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [
            models.Index(fields=["organisation", "answered_on"], name="public_survey_office")
        ]

    def __str__(self) -> str:
        return f"survey response #{self.pk}"
