"""Page forms for forums, meetings, decisions and commitments. They check the shape of
the input; the rules (quorum, members only, a block needs a reason…) are the actions'."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jejaring.accounts.models import User
from jejaring.core.forms import NativeDateInput
from jejaring.core.widgets import FastSelect
from jejaring.network.models import Organisation
from jejaring.regions.fields import RegionCodeField

from ..models import (
    GroundRuleKind,
    MeetingMode,
    OutcomeKind,
    Stance,
)


class NativeDateTimeInput(forms.DateTimeInput):
    """The browser's own date-and-time picker; like dates, it only takes ISO values."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _text(label, *, rows=3, required=False, max_length=None, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _organisation_label(organisation) -> str:
    return organisation.name


def _offer(field: forms.ModelChoiceField, rows) -> None:
    """Show ``rows`` (model instances the page already fetched, in the field's order) as
    the field's options, sparing the field its own query. Display only: a posted form
    still validates against the field's queryset."""
    choices = field.iterator(field)
    field.choices = [
        *([("", field.empty_label)] if field.empty_label is not None else []),
        *(choices.choice(row) for row in rows),
    ]


# "Not given": the form looks it up itself (None is a real answer: no coordinator).
UNKNOWN = object()


# Forums ---------------------------------------------------------------------------------


class ForumForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    region = RegionCodeField(label=_("Region"))
    members = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Member organisations"),
        help_text=_(
            "Your organisation convenes the forum: it is its first member and coordinator."
        ),
    )
    mission = _text(_("Mission"))
    problem_statement = _text(
        _("Common problem definition"),
        help_text=_("The problem the members agree they are solving together."),
    )
    quorum_percent = forms.IntegerField(
        label=_("Quorum (% of member organisations)"), min_value=1, max_value=100, initial=50
    )
    allows_fallback_vote = forms.BooleanField(
        label=_("A vote may decide when consensus is not reached"), required=False
    )
    fallback_vote_percent = forms.IntegerField(
        label=_("Majority needed in a fallback vote (%)"),
        min_value=51,
        max_value=100,
        initial=67,
    )
    meets_every_days = forms.IntegerField(
        label=_("Planned meeting interval (days)"), min_value=1, max_value=365, initial=30
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        members = self.fields["members"]
        members.queryset = (
            Organisation.objects.restrict(user)
            .filter(status="active")
            .exclude(pk=user.organisation_id)
            .order_by("name")
        )
        members.label_from_instance = _organisation_label


class MemberAddForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation"), widget=FastSelect
    )
    representative = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Representative"),
        widget=FastSelect,
        help_text=_("Someone who works for the member organisation; leave empty if unknown."),
    )

    def __init__(self, *args, forum, user, **kwargs):
        super().__init__(*args, **kwargs)
        candidates = (
            Organisation.objects.restrict(user)
            .filter(status="active")
            .exclude(
                pk__in=forum.current_members().values("organisation_id"),
            )
            .order_by("name")
        )
        self.fields["organisation"].queryset = candidates
        self.fields["organisation"].label_from_instance = _organisation_label
        representative = self.fields["representative"]
        representative.queryset = (
            User.objects.restrict(user)
            .filter(is_active=True, organisation__in=candidates)
            .select_related("organisation")
            .order_by("organisation__name", "first_name", "username")
        )
        representative.label_from_instance = lambda u: f"{u.display_name} — {u.organisation.name}"


class CoordinatorForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Next coordinator"), widget=FastSelect
    )

    def __init__(self, *args, forum, current=UNKNOWN, seats=None, **kwargs):
        """``current`` (the coordinator term, or None) and ``seats`` (the current
        memberships with their organisations, as the forum page lists them) may come
        from the page, which has them already."""
        super().__init__(*args, **kwargs)
        if current is UNKNOWN:
            current = forum.current_coordinator()
        members = Organisation.objects.filter(
            pk__in=forum.current_members().values("organisation_id")
        ).order_by("name")
        if current is not None:
            members = members.exclude(pk=current.organisation_id)
        field = self.fields["organisation"]
        field.queryset = members
        field.label_from_instance = _organisation_label
        if seats is not None:
            skip = current.organisation_id if current is not None else None
            # The seats come ordered by their organisation's name, as the database sorts.
            _offer(field, [s.organisation for s in seats if s.organisation_id != skip])


class GroundRuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=GroundRuleKind.choices, widget=FastSelect)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = _text(_("Text"), rows=4, required=True)
    adopted_on = forms.DateField(
        label=_("Adopted on"), initial=timezone.localdate, widget=NativeDateInput()
    )


class GoalForm(forms.Form):
    title = forms.CharField(label=_("Goal"), max_length=200)
    description = _text(_("Description"), rows=2)


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OutcomeKind.choices, widget=FastSelect)
    title = forms.CharField(label=_("What was achieved"), max_length=200)
    goal = forms.ModelChoiceField(queryset=None, required=False, label=_("Goal"), widget=FastSelect)
    description = _text(_("Description"), rows=2)
    achieved_on = forms.DateField(
        label=_("Achieved on"), initial=timezone.localdate, widget=NativeDateInput()
    )

    def __init__(self, *args, forum, goals=None, **kwargs):
        """``goals``: the forum's goals in their order, when the page has them already."""
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = forum.goals.all()
        if goals is not None:
            _offer(self.fields["goal"], goals)


# Meetings -------------------------------------------------------------------------------


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    mode = forms.ChoiceField(label=_("Mode"), choices=MeetingMode.choices)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=NativeDateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=NativeDateTimeInput())
    location = forms.CharField(
        label=_("Place"),
        max_length=255,
        required=False,
        help_text=_("For an in-person or hybrid meeting."),
    )
    online_link = forms.URLField(
        label=_("Online meeting link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("For an online or hybrid meeting."),
    )
    agenda = _text(_("Agenda"), rows=5)


class AttendanceForm(forms.Form):
    """One row per participant organisation: did it come, and who came."""

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = list(participants)
        for p in self.participants:
            self.fields[f"attended_{p.organisation_id}"] = forms.BooleanField(
                label=p.organisation.name, required=False, initial=bool(p.attended)
            )
            self.fields[f"names_{p.organisation_id}"] = forms.CharField(
                label=_("Attended by"),
                required=False,
                max_length=255,
                initial=p.attendee_names,
            )

    def rows(self):
        for p in self.participants:
            yield p, self[f"attended_{p.organisation_id}"], self[f"names_{p.organisation_id}"]

    def clean(self):
        cleaned = super().clean()
        for p in self.participants:
            names = (cleaned.get(f"names_{p.organisation_id}") or "").strip()
            if cleaned.get(f"attended_{p.organisation_id}") and not names:
                self.add_error(
                    f"names_{p.organisation_id}",
                    _("Write who came from %(org)s.") % {"org": p.organisation.name},
                )
        # What the action takes, read from the rows (not a field of its own).
        cleaned["attendance"] = self.attendance()
        return cleaned

    def attendance(self) -> dict:
        """Organisation id → names of who came ("" for an organisation that did not)."""
        result = {}
        for p in self.participants:
            names = (self.cleaned_data.get(f"names_{p.organisation_id}") or "").strip()
            came = self.cleaned_data.get(f"attended_{p.organisation_id}") or bool(names)
            result[p.organisation_id] = names if came else ""
        return result


class MinutesForm(forms.Form):
    minutes = _text(_("Minutes"), rows=8, required=True)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File (PDF, JPG or PNG, up to 10 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    description = forms.CharField(label=_("Description"), max_length=255, required=False)


# Decisions ------------------------------------------------------------------------------


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = _text(_("Proposal"), rows=6, required=True)
    deadline = forms.DateField(label=_("Positions due by"), widget=NativeDateInput())
    meeting = forms.ModelChoiceField(queryset=None, required=False, label=_("Raised at meeting"))

    def __init__(self, *args, forum, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = forum.meetings.exclude(state="cancelled")


class PositionForm(forms.Form):
    stance = forms.ChoiceField(
        label=_("Your organisation's position"), choices=Stance.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        help_text=_("Needed for a block or reservations: say what would have to change."),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


class CommentForm(forms.Form):
    text = _text(_("Comment"), rows=3, required=True)


class CloseProposalForm(forms.Form):
    note = _text(_("Outcome note"), rows=2)


class VoteForm(forms.Form):
    votes_for = forms.IntegerField(label=_("For"), min_value=0, max_value=1000, initial=0)
    votes_against = forms.IntegerField(label=_("Against"), min_value=0, max_value=1000, initial=0)
    abstentions = forms.IntegerField(label=_("Abstentions"), min_value=0, max_value=1000, initial=0)


# Commitments ----------------------------------------------------------------------------


class CommitmentForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=200)
    description = _text(_("Description"), rows=2)
    # Not required here: the action says why a commitment needs an owner and a due date.
    owner = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Owner"),
        help_text=_("The member organisation that will do it."),
    )
    due_on = forms.DateField(label=_("Due"), required=False, widget=NativeDateInput())
    meeting = forms.ModelChoiceField(queryset=None, required=False, label=_("Meeting"))
    proposal = forms.ModelChoiceField(queryset=None, required=False, label=_("Decision"))

    def __init__(self, *args, forum, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.filter(
            pk__in=forum.current_members().values("organisation_id")
        ).order_by("name")
        self.fields["owner"].label_from_instance = _organisation_label
        self.fields["meeting"].queryset = forum.meetings.exclude(state="cancelled")
        self.fields["proposal"].queryset = forum.proposals.exclude(state="withdrawn")


class FulfilForm(forms.Form):
    evidence = _text(
        _("Evidence of fulfilment"),
        help_text=_("What was done, with references (letter number, report, photos)."),
    )
    evidence_file = forms.FileField(
        label=_("Evidence file (PDF, JPG or PNG, up to 10 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    fulfilled_on = forms.DateField(
        label=_("Fulfilled on"), initial=timezone.localdate, widget=NativeDateInput()
    )


class CancelCommitmentForm(forms.Form):
    reason = _text(_("Why is it dropped?"), rows=2, required=True)
