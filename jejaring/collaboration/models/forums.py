"""Forums, their members and coordinators, meetings, goals and small wins."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.scoping import RestrictedQuerySet

from ..policies import ForumChildPolicy, ForumPolicy, MeetingChildPolicy


class Forum(models.Model):
    """A standing, consensus-oriented forum of the network (Ansell & Gash), e.g.
    "Forum Perlindungan Anak Kota Pekanbaru": member organisations deliberate,
    decide and commit together. Its rules (quorum, fallback vote) are its own."""

    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    convened_by = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("convened by"),
        on_delete=models.PROTECT,
        related_name="convened_forums",
    )
    mission = models.TextField(_("mission"), blank=True)
    problem_statement = models.TextField(
        _("common problem definition"),
        blank=True,
        help_text=_("The problem the members agree they are solving together."),
    )
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (% of member organisations)"), default=50
    )
    allows_fallback_vote = models.BooleanField(
        _("a vote may decide when consensus is not reached"), default=False
    )
    fallback_vote_percent = models.PositiveSmallIntegerField(
        _("majority needed in a fallback vote (%)"), default=67
    )
    meets_every_days = models.PositiveSmallIntegerField(
        _("planned meeting interval (days)"), default=30
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ForumPolicy()

    class Meta:
        ordering = ["name"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")

    def __str__(self) -> str:
        return self.name

    def current_members(self):
        return self.memberships.filter(left_on__isnull=True)

    def current_coordinator(self):
        return self.coordinator_terms.filter(ends_on__isnull=True).first()


class ForumMembership(models.Model):
    """An organisation's seat in a forum and who represents it."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="forum_memberships",
    )
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("representative"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    joined_on = models.DateField(_("joined"), default=clock.localdate)
    left_on = models.DateField(_("left"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ForumChildPolicy()

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("forum member")
        verbose_name_plural = _("forum members")
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "organisation"],
                condition=models.Q(left_on__isnull=True),
                name="collaboration_one_current_seat",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} @ {self.forum}"


class CoordinatorTerm(models.Model):
    """Seed 003: collective leadership with a coordinator whose role rotates."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="coordinator_terms")
    organisation = models.ForeignKey(
        "network.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["forum"],
                condition=models.Q(ends_on__isnull=True),
                name="collaboration_one_current_coordinator",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.starts_on})"


class GroundRuleKind(models.TextChoices):
    RULE = "rule", _("Ground rule")
    SOP = "sop", _("Standard operating procedure (SOP)")


class GroundRule(models.Model):
    """Institutional design: a ground rule or SOP the forum (or the whole network) has
    adopted — how decisions are taken, how cases are handed over, who speaks."""

    forum = models.ForeignKey(
        Forum,
        verbose_name=_("forum"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="ground_rules",
        help_text=_("Empty for rules of the whole network."),
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=GroundRuleKind.choices, default=GroundRuleKind.RULE
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    adopted_on = models.DateField(_("adopted on"), default=clock.localdate)
    in_force = models.BooleanField(_("in force"), default=True)
    document = models.FileField(
        _("document"), upload_to="collaboration/rules/%Y/", blank=True, max_length=255
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("ground rule")
        verbose_name_plural = _("ground rules")

    def __str__(self) -> str:
        return self.title


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    """A meeting of a forum: face-to-face dialogue, increasingly online (seed 001)."""

    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.PROTECT, related_name="meetings"
    )
    title = models.CharField(_("title"), max_length=200)
    mode = models.CharField(_("mode"), max_length=10, choices=MeetingMode.choices)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("place"), max_length=255, blank=True)
    online_link = models.URLField(_("online meeting link"), blank=True, max_length=500)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=MeetingState.choices, default=MeetingState.PLANNED
    )
    invitations_sent_at = models.DateTimeField(_("invitations sent"), null=True, blank=True)
    # Bumped on every change so calendar clients replace the event (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ForumChildPolicy()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.title


class MeetingParticipant(models.Model):
    """An organisation invited to (or attending) a meeting; attendance is recorded
    after the meeting and shows which sectors were at the table."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    organisation = models.ForeignKey(
        "network.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT
    )
    invited_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True)
    attendee_names = models.CharField(_("attended by"), max_length=255, blank=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organisation"], name="collaboration_one_participant_row"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} @ {self.meeting}"


class MeetingAttachment(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="collaboration/meetings/%Y/", max_length=255)
    original_name = models.CharField(max_length=255)
    description = models.CharField(_("description"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=clock.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = MeetingChildPolicy()

    def __str__(self) -> str:
        return self.original_name


class ForumGoal(models.Model):
    """A goal the forum set itself; intermediate outcomes are recorded against it."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class OutcomeKind(models.TextChoices):
    SMALL_WIN = "small_win", _("Small win")
    STRATEGIC_PLAN = "strategic_plan", _("Strategic plan")
    JOINT_FACT_FINDING = "joint_fact_finding", _("Joint fact finding")


class IntermediateOutcome(models.Model):
    """A small win on the way to a goal (Ansell & Gash): it builds trust and keeps
    members committed."""

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="outcomes")
    goal = models.ForeignKey(
        ForumGoal,
        verbose_name=_("goal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outcomes",
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=OutcomeKind.choices, default=OutcomeKind.SMALL_WIN
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    achieved_on = models.DateField(_("achieved on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ForumChildPolicy()

    class Meta:
        ordering = ["-achieved_on", "-id"]
        verbose_name = _("intermediate outcome")
        verbose_name_plural = _("intermediate outcomes")

    def __str__(self) -> str:
        return self.title
