"""Shared model skeleton: editable reference data, the "last changed" stamp, notifications."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.scoping import RestrictedQuerySet, ScopePolicy


class StampedOnSave:
    """For a model whose ``updated_at`` says when it last changed: what ``auto_now=True``
    did, on the settable clock (``jejaring.core.clock``), which auto_now ignores.

    Declare ``updated_at = models.DateTimeField(default=clock.now, editable=False)`` and
    put this mixin before ``models.Model``. As with auto_now, a save limited by
    ``update_fields`` moves the stamp only when "updated_at" is among them, and neither
    ``QuerySet.update()`` nor ``bulk_update()`` moves it.
    """

    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        if fields is None or "updated_at" in fields:
            self.updated_at = clock.now()
        super().save(*args, **kwargs)


class ReferenceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class ReferenceManager(models.Manager.from_queryset(ReferenceQuerySet)):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class ReferenceData(models.Model):
    """A row of reference data an administrator maintains (categories, types, services).

    Regulations change and regions differ, so these live in tables seeded from
    fixtures, never as constants in code. Rows are retired (``is_active``) rather than
    deleted, so history keeps pointing at them; every edit is in the audit log.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    legal_basis = models.CharField(
        _("legal basis"), max_length=200, blank=True, help_text=_("e.g. Permensos 8/2012")
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ReferenceManager()

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.code,)


class NotificationPolicy(ScopePolicy):
    """Each user reads their own notifications only — network administrators too."""

    def filter(self, scope, action):
        from django.db.models import Q

        # A notification its user turned off in the app (kept only to be e-mailed) is
        # not theirs to read here.
        return Q(user_id=scope.user_id, in_app=True)

    filter_for_admin = filter


class Notification(models.Model):
    """Something a person should know or do: a meeting invitation, a commitment coming
    due, an agreement about to expire, a referral waiting for an answer.

    Stored as a kind and parameters, not as text, so it reads in the language of
    whoever opens it. Parameters never hold a served person's name or NIK.
    """

    class Kind(models.TextChoices):
        MEETING_INVITATION = "meeting_invitation", _("Meeting invitation")
        COMMITMENT_DUE = "commitment_due", _("Commitment due")
        COMMITMENT_OVERDUE = "commitment_overdue", _("Commitment overdue")
        AGREEMENT_EXPIRING = "agreement_expiring", _("Agreement expiring")
        AGREEMENT_SIGNATURE = "agreement_signature", _("Agreement awaiting signature")
        REFERRAL_WAITING = "referral_waiting", _("Referral waiting")
        PROPOSAL_OPEN = "proposal_open", _("Proposal awaiting your position")
        REGISTRATION_MATCH = "registration_match", _("Matching registration elsewhere")
        REFERRAL_ACCEPTED = "referral_accepted", _("Referral accepted")
        REFERRAL_DECLINED = "referral_declined", _("Referral declined")
        OVERLAP_FOUND = "overlap_found", _("Overlapping handling found")
        CASE_ASSIGNED = "case_assigned", _("Case assigned to you")
        IMPORT_FINISHED = "import_finished", _("Import finished")
        IMPORT_FAILED = "import_failed", _("Import stopped")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        PUBLIC_REPORT_ROUTED = "public_report_routed", _("Public report received")
        PUBLIC_REPORT_ESCALATED = "public_report_escalated", _("Public report escalated")
        COMPLAINT_RECEIVED = "complaint_received", _("Complaint received")
        COMPLAINT_OVERDUE = "complaint_overdue", _("Complaint past its deadline")
        COMPLAINT_ANSWERED = "complaint_answered", _("Your complaint answered")
        EXIT_WAITING = "exit_waiting", _("Request for another provider waiting")

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=255, blank=True)
    # Stops a reminder going out twice (e.g. "agreement 7, 30 days"); empty = no check.
    dedupe_key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)
    # What the user chose for this kind when it was sent (NotificationPreference): a row
    # with in_app off exists only to be e-mailed, and one with by_email off is never mailed.
    in_app = models.BooleanField(default=True)
    by_email = models.BooleanField(default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = NotificationPolicy()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="core_notification_once_per_key",
            )
        ]

    def __str__(self) -> str:
        return self.kind


class NotificationPreferencePolicy(ScopePolicy):
    """Each user reads and changes their own choices only."""

    def filter(self, scope, action):
        from django.db.models import Q

        return Q(user_id=scope.user_id)

    filter_for_admin = filter


class NotificationPreference(models.Model):
    """How a person wants to hear of one kind of notification: in the app, by e-mail,
    both or neither. Only choices that differ from the defaults
    (``core.notifications.DEFAULTS``) need a row."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Notification.Kind.choices)
    in_app = models.BooleanField(_("in the app"), default=True)
    by_email = models.BooleanField(_("by e-mail"), default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = NotificationPreferencePolicy()

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="core_notification_pref_once")
        ]

    def __str__(self) -> str:
        return self.kind


class WorkerHeartbeat(models.Model):
    """A background worker process (`jejaring worker`) saying it is alive: written when it
    starts and every HEARTBEAT_SECONDS after, one row per worker updated in place. /readyz
    reads the newest; rows of workers gone for a day are pruned by the live ones.

    Operational data only: a host name and a process id, nothing about people. Real
    time (``timezone.now``), not ``clock``: it says when the process last ran."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"
