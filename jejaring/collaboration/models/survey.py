"""The optional anonymous member survey of the health check."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock

from .forums import Forum


class SurveyResponse(models.Model):
    """One anonymous answer set: Likert 1–5 per health dimension. It keeps no user and
    no organisation — only a keyed hash that stops the same person answering twice in
    the same period, and that cannot be turned back into who answered."""

    forum = models.ForeignKey(
        Forum, null=True, blank=True, on_delete=models.CASCADE, related_name="survey_responses"
    )
    period = models.CharField(_("period"), max_length=7)  # "2026-11": one answer a month
    respondent_hash = models.CharField(max_length=64)
    answers = models.JSONField(default=dict)  # {dimension code: 1..5}
    submitted_on = models.DateField(default=clock.localdate, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "period", "respondent_hash"],
                name="collaboration_one_survey_answer",
            ),
            # The network-wide survey has no forum, and NULLs never collide above.
            models.UniqueConstraint(
                fields=["period", "respondent_hash"],
                condition=models.Q(forum__isnull=True),
                name="collaboration_one_network_survey_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"survey {self.period} #{self.pk}"
