"""Pages for agreements (MoU / PKS) and the register of ground rules. Thin: scope,
form, action, redirect."""

import datetime
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from jejaring.core import clock
from jejaring.core.files import serve_file
from jejaring.core.pages import form_page, listing, perform, posted
from jejaring.core.scoping import CHANGE, can, get_scoped_or_404, scope_for

from .. import actions
from ..filters.agreements import AgreementPageFilter, expiring, scoped_relations
from ..forms.agreements import (
    AgreementForm,
    ClauseCommentForm,
    ClauseForm,
    DocumentForm,
    GroundRuleForm,
    MoveForm,
    ObligationsForm,
    RenewForm,
    SignForm,
    TerminateForm,
)
from ..models import (
    AGREEMENT_TRANSITIONS,
    Agreement,
    AgreementClause,
    AgreementDocument,
    AgreementState,
    Forum,
    GroundRule,
)
from ._shared import own_organisation, user_organisation

# A draft or negotiation untouched this long is "stuck": the papers' complaint about MoUs.
STALE_AFTER_DAYS = 30
EDITABLE = (AgreementState.DRAFT, AgreementState.NEGOTIATION)
PENDING = (*EDITABLE, AgreementState.AWAITING_SIGNATURES)
# The buttons that move an agreement, by the state they lead to.
MOVE_LABELS = {
    AgreementState.DRAFT: _lazy("Back to draft"),
    AgreementState.NEGOTIATION: _lazy("Open negotiation"),
    AgreementState.AWAITING_SIGNATURES: _lazy("Send for signature"),
}

# The notes the system writes on an agreement's history (actions/agreements.py) are
# stored in English; the page shows them in the reader's language. A note a person
# typed (a reason for a move or a termination) is shown as typed.
SYSTEM_NOTES = {
    "all parties signed": _lazy("all parties signed"),
    "end date passed": _lazy("end date passed"),
}
RENEWED_BY = re.compile(r"renewed by #(\d+)")


def shown_note(note: str) -> str:
    if note in SYSTEM_NOTES:
        return str(SYSTEM_NOTES[note])
    renewed = RENEWED_BY.fullmatch(note)
    if renewed:
        return _("renewed by agreement #%(n)s") % {"n": renewed[1]}
    return note


@login_required
def agreement_list(request):
    request.nav_section = "collaboration"
    visible = Agreement.objects.restrict(request.user)
    counts = dict(visible.order_by().values_list("state").annotate(n=Count("id")))
    stale_before = clock.now() - datetime.timedelta(days=STALE_AFTER_DAYS)
    queryset = (
        visible.select_related("drafted_by")
        .prefetch_related("parties__organisation")
        .annotate(since=Max("events__at"))
        .order_by("-updated_at", "-id")
    )
    context = {
        **listing(request, queryset, AgreementPageFilter),
        "state_counts": [
            (value, label, counts.get(value, 0)) for value, label in AgreementState.choices
        ],
        "expiring_count": visible.filter(expiring()).count(),
        "stale_count": visible.filter(state__in=EDITABLE)
        .annotate(since=Max("events__at"))
        .filter(since__lt=stale_before)
        .count(),
        "stale_days": STALE_AFTER_DAYS,
        "pending_states": PENDING,
        "may_create": user_organisation(request) is not None,
    }
    return render(request, "collaboration/agreement_list.html", context)


@login_required
def agreement_create(request):
    request.nav_section = "collaboration"
    organisation = own_organisation(request)
    form = AgreementForm(request.POST if request.method == "POST" else None, user=request.user)

    def draft(cleaned):
        # The drafting organisation is always a party; the form names the others.
        fields = dict(cleaned)
        others = [(o, "") for o in fields.pop("parties") if o.pk != organisation.pk]
        return actions.draft_agreement(
            drafted_by=organisation,
            parties=[(organisation, ""), *others],
            acting_user=request.user,
            **fields,
        )

    return form_page(
        request,
        form,
        "collaboration/agreement_form.html",
        draft,
        success=_("Agreement drafted. Add its clauses and each party's obligations."),
        then=lambda agreement: reverse("collaboration:agreement", args=[agreement.pk]),
    )


@login_required
def agreement_detail(request, agreement_id: int):
    """The agreement, clause by clause. A POST here saves one party's obligations."""
    request.nav_section = "collaboration"
    agreement = get_scoped_or_404(
        Agreement.objects.select_related("drafted_by", "forum").prefetch_related(
            "parties__organisation",
            "parties__signed_by",
            "clauses__comments__author",
            "clauses__comments__organisation",
            "events__by",
            "categories",
            "service_types",
            "regions",
            *scoped_relations(request.user),
        ),
        request.user,
        pk=agreement_id,
    )
    may_change = can(request.user, CHANGE, agreement)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied(_("You may not change this record."))
        return _save_obligations(request, agreement)
    org_id = scope_for(request.user).organisation_id
    parties = list(agreement.parties.all())
    events = list(agreement.events.all())
    for event in events:
        event.shown_note = shown_note(event.note)
    own_party = next((p for p in parties if p.organisation_id == org_id), None)
    context = {
        "agreement": agreement,
        "parties": parties,
        "events": events,
        "own_party": own_party,
        "may_change": may_change,
        "editable": may_change and agreement.state in EDITABLE,
        "transitions": [
            (state.value, MOVE_LABELS[state])
            for state in AgreementState
            if state in MOVE_LABELS and state in AGREEMENT_TRANSITIONS.get(agreement.state, ())
        ]
        if may_change
        else [],
        "may_sign": may_change
        and agreement.state == AgreementState.AWAITING_SIGNATURES
        and own_party is not None
        and own_party.signed_at is None,
        "may_terminate": may_change and agreement.state == AgreementState.ACTIVE,
        "may_renew": may_change
        and agreement.state in (AgreementState.ACTIVE, AgreementState.EXPIRED)
        and agreement.visible_renewal is None,
        "documents": agreement.documents.all(),
        "renews": agreement.visible_renews,
        "renewal": agreement.visible_renewal,
        "clause_form": ClauseForm(auto_id="clause-%s"),
        "sign_form": SignForm(auto_id="sign-%s"),
        "terminate_form": TerminateForm(auto_id="terminate-%s"),
        "renew_form": RenewForm(auto_id="renew-%s"),
        "document_form": DocumentForm(auto_id="document-%s"),
        "today": clock.localdate(),
    }
    return render(request, "collaboration/agreement_detail.html", context)


def _back_to(agreement, anchor: str = ""):
    return redirect(reverse("collaboration:agreement", args=[agreement.pk]) + anchor)


def _save_obligations(request, agreement):
    form = ObligationsForm(request.POST)
    party = None
    if form.is_valid():
        party = (
            agreement.parties.filter(organisation_id=form.cleaned_data["organisation"])
            .select_related("organisation")
            .first()
        )
    if party is None:
        messages.error(request, _("Choose a party of this agreement."))
    else:
        perform(
            request,
            lambda: actions.set_obligations(
                agreement,
                party.organisation,
                form.cleaned_data["obligations"],
                acting_user=request.user,
            ),
            success=_("Obligations of %(org)s saved.") % {"org": party.organisation.name},
        )
    return _back_to(agreement)


def _agreement_for_change(request, agreement_id):
    return get_scoped_or_404(Agreement, request.user, CHANGE, pk=agreement_id)


def _posted_to_agreement(form_class, invalid, run, *, success, to_result: bool = False):
    """A view for a small form posted from the agreement's page (a clause, a move, a
    signature…): the agreement through the scope for change, the form, the action
    ``run(request, agreement, cleaned_data)``, and back to the agreement's page — or,
    with ``to_result``, to the agreement the action returned (a renewal)."""

    @login_required
    @require_POST
    def view(request, agreement_id: int):
        agreement = _agreement_for_change(request, agreement_id)
        outcome = posted(
            request,
            form_class(request.POST, request.FILES),
            invalid,
            lambda data: run(request, agreement, data),
            success=success,
        )
        return _back_to(outcome.result if outcome and to_result else agreement)

    return view


def _signed(agreement) -> str:
    if agreement.state == AgreementState.ACTIVE:
        return _("Signed. Every party has signed: the agreement is active.")
    return _("Signed. Waiting for the other parties.")


clause_add = _posted_to_agreement(
    ClauseForm,
    _lazy("Write the clause's text."),
    lambda request, agreement, data: actions.add_clause(
        agreement, **data, acting_user=request.user
    ),
    success=lambda clause: _("Clause %(n)s added.") % {"n": clause.number},
)
agreement_move = _posted_to_agreement(
    MoveForm,
    _lazy("Choose the state to move to."),
    lambda request, agreement, data: actions.move_agreement(
        agreement, data["state"], note=data["note"], acting_user=request.user
    ),
    success=lambda moved: (
        _("The agreement is now: %(state)s.") % {"state": moved.get_state_display().lower()}
    ),
)
agreement_sign = _posted_to_agreement(
    SignForm,
    _lazy("Give the signatory's name and position."),
    lambda request, agreement, data: actions.sign_agreement(
        agreement, own_organisation(request), **data, acting_user=request.user
    ),
    success=_signed,
)
agreement_terminate = _posted_to_agreement(
    TerminateForm,
    _lazy("Say why the agreement is terminated."),
    lambda request, agreement, data: actions.terminate_agreement(
        agreement, **data, acting_user=request.user
    ),
    success=_lazy("Agreement terminated."),
)
agreement_renew = _posted_to_agreement(
    RenewForm,
    _lazy("Give the new period of validity."),
    lambda request, agreement, data: actions.renew_agreement(
        agreement, **data, acting_user=request.user
    ),
    success=_lazy(
        "Renewal drafted with the same parties and clauses. Review it, then send it for signature."
    ),
    to_result=True,
)
document_upload = _posted_to_agreement(
    DocumentForm,
    _lazy("Choose a file to upload."),
    lambda request, agreement, data: actions.upload_agreement_document(
        agreement, data["file"], note=data["note"], acting_user=request.user
    ),
    success=lambda document: _("Document uploaded as version %(n)s.") % {"n": document.version},
)


@login_required
@require_POST
def clause_comment(request, clause_id: int):
    clause = get_object_or_404(
        AgreementClause.objects.filter(agreement__in=Agreement.objects.restrict(request.user)),
        pk=clause_id,
    )
    agreement = _agreement_for_change(request, clause.agreement_id)
    posted(
        request,
        ClauseCommentForm(request.POST),
        _("The comment is empty."),
        lambda data: actions.comment_on_clause(clause, data["text"], acting_user=request.user),
        success=_("Comment added."),
    )
    return _back_to(agreement, f"#clause-{clause.pk}")


@login_required
def document_download(request, document_id: int):
    """A version of the document, through the agreement's scope; the read is audited."""
    document = get_scoped_or_404(
        AgreementDocument.objects.select_related("agreement"), request.user, pk=document_id
    )
    return serve_file(
        request.user, document, document.file, document.original_name, parent=document.agreement
    )


@login_required
def rule_register(request):
    """Every ground rule and SOP in force: the network's, and those of the forums the
    user can see. Network administrators record the network-wide ones here."""
    request.nav_section = "collaboration"
    scope = scope_for(request.user)
    is_admin = bool(scope and scope.is_network_admin)
    if request.method == "POST" and not is_admin:
        raise PermissionDenied(_("Only network administrators record network-wide rules."))
    form = GroundRuleForm(request.POST if request.method == "POST" else None) if is_admin else None
    if form is not None and form.is_bound and form.is_valid():
        recorded = perform(
            request,
            lambda: actions.add_ground_rule(None, **form.cleaned_data, acting_user=request.user),
            success=_("Rule recorded for the whole network."),
            form=form,
        )
        if recorded:
            return redirect("collaboration:rules")
    rules = (
        GroundRule.objects.filter(in_force=True)
        .filter(Q(forum__isnull=True) | Q(forum__in=Forum.objects.restrict(request.user)))
        .select_related("forum")
        .order_by("forum__name", "forum_id", "kind", "title")
    )
    network_rules = [r for r in rules if r.forum_id is None]
    by_forum: dict = {}
    for rule in rules:
        if rule.forum_id is not None:
            by_forum.setdefault(rule.forum, []).append(rule)
    context = {
        "network_rules": network_rules,
        "forum_rules": list(by_forum.items()),
        "form": form,
    }
    return render(request, "collaboration/rules.html", context)
