"""The demo is built only through the actions (issue 13), on the settable clock.

Every action writes its audit row with the object as it left it (``after``). So a
row the demo wrote behind an action — a ``.update(created_at=…)`` to backdate it, a
``user.save()``, a ``get_or_create`` — shows up two ways: a row with no audit row at
all, or a row that no longer matches what its last audit row says.
"""

import datetime
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone

from jejaring.accounts.models import User
from jejaring.audit import log as audit
from jejaring.audit.models import AuditAction, AuditEntry
from jejaring.cases.models import Case, LeadingSector, Service
from jejaring.collaboration.demo import FORUM_NAME
from jejaring.collaboration.health import health_for_forum
from jejaring.collaboration.models import (
    Agreement,
    AgreementParty,
    AgreementState,
    BoardPost,
    ClauseComment,
    Commitment,
    CoordinatorTerm,
    Exchange,
    Forum,
    ForumGoal,
    GroundRule,
    IntermediateOutcome,
    Meeting,
    MeetingState,
    Position,
    Proposal,
)
from jejaring.core.demo import create_demo_network
from jejaring.network.models import Organisation, OrganisationContact
from jejaring.registry.models import Person
from jejaring.spm.models import Target

# Models whose actions audit every row they create.
AUDITED_ROW_BY_ROW = [
    Organisation,
    OrganisationContact,
    User,
    Person,
    Case,
    Service,
    LeadingSector,
    Target,
    Forum,
    GroundRule,
    ForumGoal,
    Meeting,
    IntermediateOutcome,
    Proposal,
    Position,
    Commitment,
    Agreement,
    ClauseComment,
    Exchange,
    BoardPost,
]
# Created inside their parent's action (its audit row covers them); changed later by
# actions of their own, which audit them.
AUDITED_WHEN_CHANGED = [AgreementParty, CoordinatorTerm]
# Fields an action writes without an audit row of its own: expire_agreements notes
# which expiry reminders went out (the calendar's bookkeeping, not a change of terms).
UNAUDITED_FIELDS = {"collaboration.agreement": {"reminders_sent"}}

NUMBER = re.compile(r"-?\d+(\.\d+)?")


def comparable(value):
    """Audit rows hold JSON: a moment written in another zone, or a number as a
    string, is still the same value."""
    if isinstance(value, list):
        return [comparable(v) for v in value]
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items()}
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str):
        if NUMBER.fullmatch(value):
            return Decimal(value)
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.timestamp() if moment.tzinfo else value
    return value


def recorded(model) -> dict[str, dict]:
    """Per object id, each field as the latest audit row that wrote it left it."""
    state: dict[str, dict] = defaultdict(dict)
    entries = (
        AuditEntry.objects.filter(
            object_type=audit.label(model),
            action__in=[AuditAction.CREATE, AuditAction.UPDATE],
            after__isnull=False,
        )
        .order_by("id")
        .values_list("object_id", "after")
    )
    for object_id, after in entries:
        if isinstance(after, dict):
            state[object_id].update(after)
    return state


def label(model) -> str:
    return audit.label(model)


@pytest.mark.parametrize("model", AUDITED_ROW_BY_ROW, ids=label)
def test_every_demo_row_was_created_by_an_action(db, model):
    created = set(
        AuditEntry.objects.filter(
            object_type=audit.label(model), action=AuditAction.CREATE
        ).values_list("object_id", flat=True)
    )
    rows = list(model._base_manager.values_list("pk", flat=True))
    assert rows, "the demo has rows of every model listed here"
    assert [pk for pk in rows if str(pk) not in created] == []


@pytest.mark.parametrize("model", AUDITED_ROW_BY_ROW + AUDITED_WHEN_CHANGED, ids=label)
def test_every_demo_row_is_as_its_last_audit_row_left_it(db, model):
    state = recorded(model)
    ignored = UNAUDITED_FIELDS.get(audit.label(model), set())
    changed_behind = {}
    for row in model._base_manager.all():
        written = state.get(str(row.pk))
        if written is None:
            continue  # a child covered by its parent's audit row
        now = audit.snapshot(row)
        fields = {
            name: (written[name], value)
            for name, value in now.items()
            if name in written
            and name not in ignored
            and comparable(written[name]) != comparable(value)
        }
        if fields:
            changed_behind[row.pk] = fields
    assert changed_behind == {}


def test_running_the_demo_again_writes_nothing(db):
    entries = AuditEntry.objects.count()
    sectors = list(LeadingSector.objects.values_list("pk", "role"))
    assert create_demo_network() == {"organisations": 0, "users": 0, "people": 0}
    assert AuditEntry.objects.count() == entries
    assert list(LeadingSector.objects.values_list("pk", "role")) == sectors


def test_the_network_administrator_is_made_superuser_by_an_audited_action(db):
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    change = AuditEntry.objects.get(
        object_type="accounts.user", object_id=str(admin.pk), action=AuditAction.UPDATE
    )
    assert (change.before["is_superuser"], change.after["is_superuser"]) == (False, True)


def days_ago(value) -> int:
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return (timezone.localdate() - value).days


def test_the_story_happened_over_the_past_year_stamped_by_the_actions(db):
    forum = Forum.objects.get(name=FORUM_NAME)
    assert days_ago(forum.created_at) == 330
    assert {days_ago(m.joined_on) for m in forum.memberships.all()} == {330}
    # Past meetings were announced five days ahead, through send_invitations.
    for meeting in forum.meetings.filter(state=MeetingState.HELD):
        ahead = meeting.starts_at - meeting.invitations_sent_at
        assert abs(ahead - datetime.timedelta(days=5)) < datetime.timedelta(minutes=1)
        assert {p.invited_at for p in meeting.participants.all()} == {meeting.invitations_sent_at}
        assert AuditEntry.objects.filter(
            object_type="collaboration.meeting",
            object_id=str(meeting.pk),
            message="invitations sent",
        ).exists()
    # Decisions: opened a week before they were closed, positions stated in between.
    for proposal in forum.proposals.exclude(closed_at=None):
        assert days_ago(proposal.opened_at) - days_ago(proposal.closed_at) == 7
        assert all(
            proposal.opened_at < p.stated_at < proposal.closed_at for p in proposal.positions.all()
        )
    # Agreements: their history in order, last touched when their last event happened.
    for agreement in Agreement.objects.all():
        events = list(agreement.events.order_by("at", "id"))
        assert agreement.created_at <= events[0].at
        assert abs(agreement.updated_at - events[-1].at) < datetime.timedelta(seconds=5)
        assert events[-1].at < timezone.now() - datetime.timedelta(days=1)
    old = Agreement.objects.get(title__endswith="2024")
    expired = old.events.get(to_state=AgreementState.EXPIRED)
    assert timezone.localdate(expired.at) == old.ends_on + datetime.timedelta(days=1)
    signed = AgreementParty.objects.filter(agreement__state=AgreementState.ACTIVE)
    assert all(days_ago(p.signed_at) > 300 for p in signed)


def test_the_demo_forums_health_figures_stay_those_of_the_backdated_demo(db):
    # The figures the demo showed when it still moved stamps back after the actions.
    report = health_for_forum(Forum.objects.get(name=FORUM_NAME))
    assert {d.code: d.score for d in report.dimensions} == {
        "face_to_face": 91,
        "trust": 100,
        "commitment": 77,
        "understanding": 80,
        "outcomes": 72,
        "design": 73,
        "leadership": 93,
    }
    assert report.overall == 84
    assert report.facts == {
        "members": 9,
        "meetings_held": 6,
        "commitments_due": 5,
        "commitments_fulfilled": 4,
        "decisions": 3,
        "consensus": 2,
        "exchanges": 11,
        "referrals_decided": 0,
        "agreements_active": 2,
        "agreements": 6,
        "outcomes": 3,
    }
