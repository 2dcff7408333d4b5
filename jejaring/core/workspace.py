"""The home page's "my work": what waits for the signed-in user, per role (issue 14).

Pure reads through the scoping layer: every query starts from ``restrict(user)``, so a
box can never hold what the user could not open, and each item links to the page where
the action is (a referral's decision form, the case, the commitment, the review pair).
People are named once, at the end, through the registry's identity rule
(``registry.presenters.present_many``: masked where the reader may not see the
identity), so the page costs a fixed number of queries whatever the rows: two per box
(its count and its first few items) and one for all the names.

Which boxes a user gets follows the roles (domain.md §2): case work for those who do it
(case workers, partner staff, data officers, office heads), the forum work for every
member organisation, imports for those who import, approvals for office heads, the
organisations to verify for those who may verify them, SPM achievement for everyone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Case as Choose
from django.db.models import Count, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from jejaring.accounts.roles import Role
from jejaring.core import clock
from jejaring.core.scoping import scope_for

SHOWN = 5  # items per box: the top few, the rest one click away
RECENT_DAYS = 14  # "decided recently", "finished recently"
DUE_SOON_DAYS = 14  # commitments shown from this many days before they fall due
WEEK_DAYS = 7
CONFERENCE_DAYS = 30

CASE_WORK_ROLES = frozenset(
    {Role.CASE_WORKER, Role.PARTNER_STAFF, Role.DATA_OFFICER, Role.OFFICE_HEAD}
)

# What the worker usually does next with a case in each state (the states themselves
# and which may follow which are cases.models.TRANSITIONS).
NEXT_STEP = {
    "reported": lambda: _("Next: register the person"),
    "registered": lambda: _("Next: assess the needs"),
    "assessed": lambda: _("Next: deliver the services"),
    "in_service": lambda: _("Next: record services, close when done"),
}


@dataclass
class Item:
    """One thing waiting: a link straight to where it is acted on."""

    text: str
    url: str
    note: str = ""
    day: datetime.date | None = None  # shown as a date
    moment: datetime.datetime | None = None  # shown as a date and time
    when_label: str = ""  # "Respond by", "Due", "Starts"…
    urgent: bool = False  # late, declined, failed: the tag shows as a warning
    tag: str = ""
    # When set, ``text`` becomes the person's name under the identity rule, and
    # ``private_note`` (e.g. the PMKS category) is added only where the identity shows.
    person: object = None
    private_note: str = ""
    identity: bool = True


@dataclass
class Box:
    """A kind of work: how many wait, the first few, and what "clear" means."""

    key: str
    title: str
    count: int
    items: list[Item]
    clear: str  # said when nothing waits
    more_url: str = ""
    more_label: str = ""
    hint: str = ""  # a second figure ("3 assigned to you")
    # Shown beside the clear message: the next thing coming (the next meeting).
    next_item: Item | None = None
    # For an empty box: the next step and its button.
    start_url: str = ""
    start_label: str = ""
    # Whether its items wait for the user (a referral to decide) or only inform (the
    # open cases, a meeting): only the first kind is counted in "N things wait for you".
    to_act_on: bool = True


@dataclass
class SpmLine:
    name: str
    served: int
    target: int | None
    percent: float | None
    url: str

    @property
    def bar(self) -> int:
        """The percentage as a whole number 0–100 for the meter's CSS class."""
        return min(int(round(self.percent or 0)), 100)


@dataclass
class SpmSummary:
    region_name: str
    year: int
    lines: list[SpmLine]
    url: str
    targets_url: str = ""  # where to set targets, for those who may


@dataclass
class Figure:
    count: int
    label: str
    url: str  # "" when no page lists what is counted
    # The count stopped at core.paging.COUNT_LIMIT: there are more ("10000+").
    capped: bool = False

    @classmethod
    def bounded(cls, queryset, label: str, url: str) -> Figure:
        """A figure over a table that can hold millions (the registry): counted up to
        the limit, so the home page never counts a province's people one by one."""
        from . import paging

        counted = paging.bounded_count(queryset)
        limit = paging.COUNT_LIMIT
        return cls(min(counted, limit), label, url, capped=counted > limit)


@dataclass
class Group:
    key: str
    title: str
    boxes: list[Box]

    @property
    def waiting(self) -> list[Box]:
        return [box for box in self.boxes if box.count]


@dataclass
class Workspace:
    groups: list[Group] = field(default_factory=list)
    spm: SpmSummary | None = None
    region_figures: list[Figure] = field(default_factory=list)
    region_name: str = ""

    @property
    def boxes(self) -> list[Box]:
        return [box for group in self.groups for box in group.boxes]

    @property
    def waiting(self) -> list[Box]:
        return [box for box in self.boxes if box.count]

    @property
    def clear(self) -> list[Box]:
        return [box for box in self.boxes if not box.count]

    @property
    def waiting_count(self) -> int:
        return sum(box.count for box in self.waiting if box.to_act_on)


def _box(key, title, queryset, make_item, clear, **extra) -> Box:
    """A box from a restricted queryset: its count, and its first items made by
    ``make_item`` (the queryset carries the ordering and the joins the items need)."""
    count = queryset.count()
    items = [make_item(row) for row in queryset[:SHOWN]] if count else []
    return Box(key, title, count, items, clear, **extra)


def build(user) -> Workspace:
    """The user's "my work", group by group; each box's queries through the scope."""
    from jejaring.imports.policies import may_import
    from jejaring.spm.policies import may_manage

    scope = scope_for(user)
    workspace = Workspace()
    if scope is None:
        return workspace
    organisation = user.organisation if scope.organisation_id else None
    today, now = clock.localdate(), clock.now()
    is_head = scope.has_any_role({Role.OFFICE_HEAD})
    spm_region = None if scope.is_network_admin else _spm_region(organisation)
    manages_spm = spm_region is not None and may_manage(user, spm_region)
    groups = workspace.groups
    if organisation is not None:
        if is_head:
            # An office head's first question: what waits for my signature or decision.
            approvals = _approval_boxes(user, organisation, spm_region, manages_spm, today)
            groups.append(Group("approvals", _("Waiting for your approval"), approvals))
        if scope.has_any_role(CASE_WORK_ROLES):
            cases = _case_boxes(user, scope, today, now)
            groups.append(Group("cases", _("Cases & Referrals"), cases))
        forums = _collaboration_boxes(user, organisation, today, now)
        groups.append(Group("collaboration", _("Collaboration"), forums))
        if may_import(scope):
            groups.append(Group("imports", _("Import"), _import_boxes(user, now)))
    verify = _verification_box(user, scope)
    if verify is not None:
        if groups and groups[0].key == "approvals":
            groups[0].boxes.append(verify)
        else:
            groups.append(Group("network", _("Network"), [verify]))
    workspace.spm = _spm_summary(spm_region, manages_spm, today.year)
    if is_head and organisation is not None and scope.jurisdiction_code:
        workspace.region_name = organisation.home_region.name
        workspace.region_figures = _region_figures(user, scope)
    _name_people(workspace, user)
    return workspace


# --- cases and referrals ----------------------------------------------------------------


def _case_boxes(user, scope, today, now) -> list[Box]:
    from jejaring.cases.models import (
        Case,
        CaseConference,
        OverlapAlert,
        Referral,
        ReferralState,
    )
    from jejaring.collaboration.reminders import REFERRAL_WAITING_DAYS

    org = scope.organisation_id
    referrals = Referral.objects.restrict(user)
    board = reverse("cases:board")

    def referral_url(referral) -> str:
        return reverse("cases:referral", args=[referral.pk])

    incoming = _box(
        "incoming",
        _("Referrals waiting for your decision"),
        referrals.filter(to_organisation_id=org, state=ReferralState.SENT)
        .select_related("person", "from_organisation")
        .order_by(
            Choose(When(deadline__isnull=True, then=Value(1)), default=Value(0)),
            "deadline",
            "sent_at",
        ),
        lambda r: Item(
            "",
            referral_url(r),
            note=_("from %(organisation)s") % {"organisation": r.from_organisation.name},
            day=r.deadline,
            when_label=_("Respond by") if r.deadline else "",
            urgent=bool(r.deadline and r.deadline < today),
            tag=_("Decide"),
            person=r.person,
        ),
        _("No referral is waiting for your organisation's decision."),
        more_url=board,
        more_label=_("All incoming referrals"),
    )
    decided = _box(
        "decided",
        _("Your referrals, decided recently"),
        referrals.filter(
            from_organisation_id=org,
            state__in=[ReferralState.ACCEPTED, ReferralState.DECLINED],
            decided_at__gte=now - datetime.timedelta(days=RECENT_DAYS),
        )
        .select_related("person", "to_organisation")
        .order_by("-decided_at"),
        lambda r: Item(
            "",
            referral_url(r),
            note=(
                _("accepted by %(organisation)s")
                if r.state == ReferralState.ACCEPTED
                else _("declined by %(organisation)s")
            )
            % {"organisation": r.to_organisation.name},
            moment=r.decided_at,
            tag=r.get_state_display(),
            urgent=r.state == ReferralState.DECLINED,
            person=r.person,
        ),
        _("None of your referrals was decided in the last %(days)s days.") % {"days": RECENT_DAYS},
        to_act_on=False,
    )
    waiting_since = today - datetime.timedelta(days=REFERRAL_WAITING_DAYS)
    follow_up = _box(
        "follow_up",
        _("Follow-ups due: referrals still unanswered"),
        referrals.filter(from_organisation_id=org, state=ReferralState.SENT)
        .filter(Q(deadline__lt=today) | Q(deadline__isnull=True, sent_at__date__lte=waiting_since))
        .select_related("person", "to_organisation")
        .order_by("sent_at"),
        lambda r: Item(
            "",
            referral_url(r),
            note=_("no answer yet from %(organisation)s")
            % {"organisation": r.to_organisation.name},
            day=r.deadline or timezone.localdate(r.sent_at),
            when_label=_("Respond by") if r.deadline else _("Sent"),
            urgent=True,
            person=r.person,
        ),
        _("Every referral you sent has been answered in time."),
    )

    open_cases = Case.objects.restrict(user).filter(organisation_id=org).exclude(state="closed")
    counts = open_cases.aggregate(
        total=Count("pk"), mine=Count("pk", filter=Q(assigned_worker=user))
    )
    cases = Box(
        "cases",
        _("Open cases"),
        counts["total"],
        [
            Item(
                "",
                reverse("cases:detail", args=[c.pk]),
                note=NEXT_STEP.get(c.state, lambda: "")(),
                tag=c.get_state_display(),
                person=c.person,
                private_note=c.category.name,
            )
            for c in open_cases.select_related("person", "category")
            .annotate(
                not_mine=Choose(
                    When(assigned_worker_id=user.pk, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                ),
                # Cases early in their life first: their next step is the worker's.
                stage=Choose(
                    *(When(state=state, then=Value(rank)) for rank, state in enumerate(NEXT_STEP)),
                    default=Value(len(NEXT_STEP)),
                    output_field=IntegerField(),
                ),
            )
            .order_by("not_mine", "stage", "opened_at")[:SHOWN]
        ]
        if counts["total"]
        else [],
        _("Your organisation has no open case."),
        more_url=f"{board}#open-cases",
        more_label=_("All open cases"),
        hint=_("%(n)s assigned to you") % {"n": counts["mine"]} if counts["mine"] else "",
        start_url=reverse("registry:list"),
        start_label=_("Find or register a person"),
        to_act_on=False,
    )

    involved = OverlapAlert.organisations.through.objects.filter(organisation_id=org).values(
        "overlapalert_id"
    )
    overlaps = _box(
        "overlaps",
        _("Overlaps involving your organisation"),
        OverlapAlert.objects.restrict(user)
        .filter(resolved_at__isnull=True, pk__in=involved)
        .select_related("person")
        .prefetch_related("organisations")
        .order_by("-detected_at"),
        lambda a: Item(
            "",
            reverse("cases:conference", args=[a.conference_id])
            if a.conference_id
            else f"{reverse('cases:overlaps')}?{urlencode({'person': a.person_id})}",
            note=_("also handled by %(organisations)s")
            % {"organisations": ", ".join(o.name for o in a.organisations.all() if o.pk != org)},
            moment=a.detected_at,
            when_label=_("Found"),
            tag=_("Coordinate") if not a.conference_id else _("Case conference"),
            urgent=not a.conference_id,
            person=a.person,
        ),
        _("No other organisation handles your people without a referral."),
        more_url=reverse("cases:overlaps"),
        more_label=_("All overlaps"),
    )
    conferences = _box(
        "conferences",
        _("Case conferences"),
        CaseConference.objects.restrict(user)
        .filter(started_at__gte=now - datetime.timedelta(days=CONFERENCE_DAYS))
        .select_related("person")
        .order_by("-started_at"),
        lambda c: Item(
            "",
            reverse("cases:conference", args=[c.pk]),
            note=c.title,
            moment=c.started_at,
            when_label=_("Started"),
            person=c.person,
        ),
        _("No case conference was started in the last %(days)s days.") % {"days": CONFERENCE_DAYS},
        to_act_on=False,
    )
    return [incoming, follow_up, decided, cases, overlaps, conferences]


# --- forums, commitments, meetings, decisions ------------------------------------------


def _my_forums(organisation_id):
    from jejaring.collaboration.models import CoordinatorTerm, Forum, ForumMembership

    return Forum.objects.filter(
        Q(convened_by_id=organisation_id)
        | Q(
            pk__in=ForumMembership.objects.filter(
                organisation_id=organisation_id, left_on__isnull=True
            ).values("forum_id")
        )
        | Q(
            pk__in=CoordinatorTerm.objects.filter(
                organisation_id=organisation_id, ends_on__isnull=True
            ).values("forum_id")
        )
    ).values("pk")


def _collaboration_boxes(user, organisation, today, now) -> list[Box]:
    from jejaring.collaboration.models import (
        Commitment,
        CommitmentState,
        Meeting,
        MeetingState,
        Proposal,
        ProposalState,
    )

    org = organisation.pk
    forums = _my_forums(org)
    commitments = _box(
        "commitments",
        _("Commitments of your organisation due"),
        Commitment.objects.restrict(user)
        .filter(
            owner_id=org,
            state=CommitmentState.OPEN,
            due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("forum")
        .order_by("due_on"),
        lambda c: Item(
            c.title,
            reverse("collaboration:commitment", args=[c.pk]),
            note=c.forum.name,
            day=c.due_on,
            when_label=_("Overdue since") if c.due_on < today else _("Due"),
            urgent=c.due_on < today,
            tag=_("Overdue") if c.due_on < today else "",
        ),
        _("No commitment of your organisation falls due in the next %(days)s days.")
        % {"days": DUE_SOON_DAYS},
        more_url=reverse("collaboration:commitments"),
        more_label=_("All commitments"),
    )
    upcoming = (
        Meeting.objects.restrict(user)
        .filter(state=MeetingState.PLANNED, starts_at__gte=now, forum_id__in=forums)
        .select_related("forum")
        .order_by("starts_at")
    )

    def meeting_item(m) -> Item:
        return Item(
            m.title,
            reverse("collaboration:meeting", args=[m.pk]),
            note=m.forum.name,
            moment=m.starts_at,
            when_label=_("Starts"),
        )

    meetings = _box(
        "meetings",
        _("Meetings of your forums this week"),
        upcoming.filter(starts_at__lt=now + datetime.timedelta(days=WEEK_DAYS)),
        meeting_item,
        _("No meeting of your forums this week."),
        to_act_on=False,
    )
    if not meetings.count:
        following = upcoming.first()
        meetings.next_item = meeting_item(following) if following else None
    proposals = _box(
        "proposals",
        _("Proposals waiting for your organisation's position"),
        Proposal.objects.restrict(user)
        .filter(state=ProposalState.OPEN, deadline__gte=today, forum_id__in=forums)
        .exclude(positions__organisation_id=org)
        .select_related("forum")
        .order_by("deadline"),
        lambda p: Item(
            p.title,
            reverse("collaboration:proposal", args=[p.pk]),
            note=p.forum.name,
            day=p.deadline,
            when_label=_("Positions due by"),
            tag=_("State your position"),
        ),
        _("Your organisation has stated its position on every open proposal."),
    )
    return [commitments, meetings, proposals]


# --- imports ----------------------------------------------------------------------------


def _import_boxes(user, now) -> list[Box]:
    from jejaring.imports.models import ImportJob, JobStatus, LinkReview, ReviewStatus

    jobs = _box(
        "imports",
        _("Your imports"),
        ImportJob.objects.restrict(user)
        .filter(created_by=user)
        .filter(
            Q(status__in=[JobStatus.MAPPING, JobStatus.CHECKED])
            | Q(
                status__in=[JobStatus.DONE, JobStatus.FAILED],
                finished_at__gte=now - datetime.timedelta(days=RECENT_DAYS),
            )
        )
        .order_by("-created_at"),
        lambda j: Item(
            j.original_name,
            reverse("imports:detail", args=[j.pk]),
            note=_("%(n)s rows") % {"n": j.total_rows} if j.total_rows else "",
            moment=j.finished_at or j.created_at,
            tag=j.get_status_display(),
            urgent=j.status == JobStatus.FAILED,
        ),
        _("No import is waiting for you, and none finished in the last %(days)s days.")
        % {"days": RECENT_DAYS},
        more_url=reverse("imports:list"),
        more_label=_("All imports"),
        start_url=reverse("imports:list"),
        start_label=_("Import a spreadsheet"),
    )
    reviews = _box(
        "reviews",
        _("Possible duplicates to review"),
        LinkReview.objects.restrict(user)
        .filter(status=ReviewStatus.PENDING)
        .select_related("record", "candidate")
        .order_by("-score"),
        lambda r: Item(
            "",
            reverse("imports:review", args=[r.pk]),
            note=_("may be the same person as an earlier record"),
            tag=_("Review"),
            person=r.record,
        ),
        _("No pair of records is waiting for review."),
        more_url=reverse("imports:reviews"),
        more_label=_("The review queue"),
    )
    return [jobs, reviews]


# --- office heads: approvals and the region ---------------------------------------------


def _approval_boxes(user, organisation, spm_region, manages_spm, today) -> list[Box]:
    from jejaring.collaboration.models import Agreement, AgreementParty, AgreementState

    org = organisation.pk
    unsigned = AgreementParty.objects.filter(organisation_id=org, signed_at__isnull=True).values(
        "agreement_id"
    )
    boxes = [
        _box(
            "signatures",
            _("Agreements waiting for your signature"),
            Agreement.objects.restrict(user)
            .filter(state=AgreementState.AWAITING_SIGNATURES, pk__in=unsigned)
            .order_by("updated_at"),
            lambda a: Item(
                a.title,
                reverse("collaboration:agreement", args=[a.pk]),
                note=a.get_kind_display(),
                tag=_("Sign"),
            ),
            _("No agreement is waiting for your organisation's signature."),
            more_url=reverse("collaboration:agreements"),
            more_label=_("All agreements"),
        )
    ]
    if manages_spm and spm_region.level in ("province", "regency"):
        boxes.append(_missing_targets(spm_region, today.year))
    return boxes


def _missing_targets(region, year) -> Box:
    """SPM service types of the office's own level with no target for this year: the
    target is the office's to set (spm.policies), and achievement needs it."""
    from jejaring.spm.figures import spm_level
    from jejaring.spm.models import SpmServiceType, Target

    missing = (
        SpmServiceType.objects.filter(is_active=True, level=spm_level(region))
        .exclude(pk__in=Target.objects.filter(region=region, year=year).values("service_type_id"))
        .order_by("sort_order", "name")
    )
    url = f"{reverse('spm:targets')}?{urlencode({'region': region.code})}"
    return _box(
        "targets",
        _("SPM targets to set for %(year)s") % {"year": year},
        missing,
        lambda t: Item(t.name, url, tag=_("Set the target")),
        _("Every SPM service type of %(region)s has its target for %(year)s.")
        % {"region": region.name, "year": year},
        more_url=url,
        more_label=_("Set SPM targets"),
    )


def _verification_box(user, scope) -> Box | None:
    from jejaring.network import actions as network_actions
    from jejaring.network.models import Organisation, OrganisationStatus

    if not network_actions.may_register_organisations(user):
        return None
    pending = Organisation.objects.restrict(user).filter(status=OrganisationStatus.PENDING)
    if not scope.is_network_admin:
        from jejaring.core.scoping import region_subtree

        if not scope.jurisdiction_code:
            return None
        pending = pending.filter(region_subtree("home_region__code", scope.jurisdiction_code))
    return _box(
        "verify",
        _("Organisations awaiting verification"),
        pending.select_related("type", "home_region").order_by("name"),
        lambda o: Item(
            o.name,
            reverse("network:detail", args=[o.pk]),
            note=f"{o.type.name} · {o.home_region.name}",
            tag=_("Verify"),
        ),
        _("No organisation is waiting for verification."),
        more_url=f"{reverse('network:list')}?status=pending",
        more_label=_("All organisations awaiting verification"),
    )


def _region_figures(user, scope) -> list[Figure]:
    from jejaring.cases.models import Case, OverlapAlert
    from jejaring.collaboration.models import Forum
    from jejaring.core.scoping import region_subtree
    from jejaring.network.models import Organisation, OrganisationStatus
    from jejaring.registry.models import Person

    code = scope.jurisdiction_code
    return [
        Figure.bounded(
            Person.objects.restrict(user),
            _("people registered in the region"),
            reverse("registry:list"),
        ),
        # No page lists the whole region's cases (the board is the office's own): a count.
        Figure(
            Case.objects.restrict(user).exclude(state="closed").count(),
            _("open cases in the region"),
            "",
        ),
        Figure(
            OverlapAlert.objects.restrict(user).filter(resolved_at__isnull=True).count(),
            _("unresolved overlaps"),
            reverse("cases:overlaps"),
        ),
        Figure(
            Organisation.objects.restrict(user)
            .filter(region_subtree("home_region__code", code), status=OrganisationStatus.ACTIVE)
            .count(),
            _("active organisations in the region"),
            f"{reverse('network:list')}?{urlencode({'region': code})}",
        ),
        Figure(
            Forum.objects.restrict(user).filter(is_active=True).count(),
            _("active forums"),
            reverse("collaboration:forums"),
        ),
    ]


# --- SPM --------------------------------------------------------------------------------


def _spm_region(organisation):
    """The region whose SPM achievement the user's office answers for: its home
    region, or the regency above a district or village office."""
    from jejaring.regions.models import Region

    if organisation is None:
        return None
    region = organisation.home_region
    if region.level in ("district", "village"):
        regency = ".".join(region.code.split(".")[:2])
        return Region.objects.filter(code=regency).first() or region
    return region


def _spm_summary(region, manages: bool, year) -> SpmSummary:
    """This year's achievement against target for the region's own level of service
    types (a regency answers for the services outside institutions, a province for
    those inside), through the SPM figures: computed from the recorded services."""
    from jejaring.spm import figures

    lines = []
    for service_type, cell in figures.region_summary(region, year, own_level=True):
        if not cell.target and not cell.served:
            continue
        query = {"year": year, "type": service_type.code}
        if region is not None:
            query["region"] = region.code
        lines.append(
            SpmLine(
                service_type.name,
                cell.served,
                cell.target,
                cell.percent,
                f"{reverse('spm:dashboard')}?{urlencode(query)}",
            )
        )
    dashboard = reverse("spm:dashboard")
    if region is not None:
        dashboard = f"{dashboard}?{urlencode({'region': region.code, 'year': year})}"
    targets_url = ""
    if region is not None and manages:
        targets_url = f"{reverse('spm:targets')}?{urlencode({'region': region.code})}"
    return SpmSummary(
        region.name if region is not None else "Indonesia", year, lines, dashboard, targets_url
    )


# --- names ------------------------------------------------------------------------------


def _name_people(workspace: Workspace, user) -> None:
    """Every person in every box named in one query, under the identity rule."""
    from jejaring.registry.presenters import present_many

    items = [
        item
        for box in workspace.boxes
        for item in [*box.items, *([box.next_item] if box.next_item else [])]
        if item.person is not None
    ]
    if not items:
        return
    people = {item.person.pk: item.person for item in items}
    views = {view.pk: view for view in present_many(people.values(), user)}
    for item in items:
        view = views[item.person.pk]
        item.text = view.name
        item.identity = view.identity
        if not view.identity:
            item.private_note = ""
