"""The server's memory of every draft a phone sent: its idempotency key, and what came
of it. A retry with the same key (the phone never saw the answer: the signal dropped
mid-request) gets the same outcome and changes nothing."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.scoping import RestrictedQuerySet

from .policies import SyncedDraftPolicy


class DraftKind(models.TextChoices):
    REGISTER_PERSON = "register_person", _("Register a person")
    RECORD_SERVICE = "record_service", _("Record a service")
    UPDATE_PERSON = "update_person", _("Change a person's record")
    ATTENDANCE = "attendance", _("Attendance at a meeting")


class DraftState(models.TextChoices):
    APPLIED = "applied", _("Sent")
    # The duplicate guard found a likely match (same person / new), or the record changed
    # on the server since the phone read it (keep mine / keep theirs): the worker chooses.
    NEEDS_CHOICE = "needs_choice", _("Needs review")
    REFUSED = "refused", _("Refused")


# An applied or refused draft is final: a retry answers what it answered.
FINAL_STATES = (DraftState.APPLIED, DraftState.REFUSED)


class SyncedDraft(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Made on the phone (crypto.randomUUID) when the draft is saved, sent with every try.
    key = models.UUIDField()
    kind = models.CharField(max_length=20, choices=DraftKind.choices)
    state = models.CharField(max_length=20, choices=DraftState.choices)
    # What the phone is told: ids, messages, candidates (masked as the user sees them).
    outcome = models.JSONField(default=dict)
    attempts = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = SyncedDraftPolicy()

    class Meta:
        verbose_name = _("synced draft")
        verbose_name_plural = _("synced drafts")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="field_synced_draft_once")
        ]

    def __str__(self) -> str:
        return f"draft {self.key}"
