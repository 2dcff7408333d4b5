"""Pages for agreements (MoU / PKS) and the register of ground rules. Thin: scope,
form, action, redirect."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from jejaring.audit import log as audit
from jejaring.audit.models import AuditAction
from jejaring.core.files import CONTENT_TYPES
from jejaring.core.forms import apply_validation_error
from jejaring.core.scoping import CHANGE, can, get_scoped_or_404, scope_for

from .. import actions
from ..forms.agreements import (
    EXPIRING,
    AgreementFilterForm,
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
    EXPIRY_REMINDER_DAYS,
    Agreement,
    AgreementClause,
    AgreementDocument,
    AgreementState,
    Forum,
    GroundRule,
)
from ._shared import report_errors, user_organisation

PAGE_SIZE = 25
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


def _expiring() -> Q:
    horizon = timezone.localdate() + datetime.timedelta(days=max(EXPIRY_REMINDER_DAYS))
    return Q(state=AgreementState.ACTIVE, ends_on__isnull=False, ends_on__lte=horizon)


def _own_organisation(request):
    organisation = user_organisation(request)
    if organisation is None:
        raise PermissionDenied(_("Your account belongs to no organisation."))
    return organisation


@login_required
def agreement_list(request):
    request.nav_section = "collaboration"
    visible = Agreement.objects.restrict(request.user)
    counts = dict(visible.order_by().values_list("state").annotate(n=Count("id")))
    stale_before = timezone.now() - datetime.timedelta(days=STALE_AFTER_DAYS)
    queryset = (
        visible.select_related("drafted_by")
        .prefetch_related("parties__organisation")
        .annotate(since=Max("events__at"))
        .order_by("-updated_at", "-id")
    )
    filter_form = AgreementFilterForm(request.GET or None)
    if filter_form.is_valid():
        state = filter_form.cleaned_data["state"]
        if state == EXPIRING:
            queryset = queryset.filter(_expiring())
        elif state:
            queryset = queryset.filter(state=state)
    page_obj = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "page_obj": page_obj,
        "query_string": query.urlencode(),
        "state_counts": [
            (value, label, counts.get(value, 0)) for value, label in AgreementState.choices
        ],
        "expiring_count": visible.filter(_expiring()).count(),
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
    organisation = _own_organisation(request)
    data = request.POST if request.method == "POST" else None
    form = AgreementForm(data, user=request.user)
    if data is not None and form.is_valid():
        cleaned = form.cleaned_data
        parties = [(organisation, "")] + [
            (other, "") for other in cleaned["parties"] if other.pk != organisation.pk
        ]
        try:
            agreement = actions.draft_agreement(
                kind=cleaned["kind"],
                title=cleaned["title"],
                number=cleaned["number"],
                purpose=cleaned["purpose"],
                legal_basis=cleaned["legal_basis"],
                drafted_by=organisation,
                parties=parties,
                categories=cleaned["categories"],
                service_types=cleaned["service_types"],
                regions=cleaned["regions"],
                starts_on=cleaned["starts_on"],
                ends_on=cleaned["ends_on"],
                forum=cleaned["forum"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, _("Agreement drafted. Add its clauses and each party's obligations.")
            )
            return redirect("collaboration:agreement", agreement_id=agreement.pk)
    return render(request, "collaboration/agreement_form.html", {"form": form})


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
    own_party = next((p for p in parties if p.organisation_id == org_id), None)
    editable = agreement.state in EDITABLE
    visible = Agreement.objects.restrict(request.user)
    context = {
        "agreement": agreement,
        "parties": parties,
        "own_party": own_party,
        "may_change": may_change,
        "editable": may_change and editable,
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
        "documents": AgreementDocument.objects.restrict(request.user)
        .filter(agreement=agreement)
        .select_related("uploaded_by"),
        "renews": visible.filter(pk=agreement.renews_id).first() if agreement.renews_id else None,
        "renewal": visible.filter(renews=agreement).first(),
        "clause_form": ClauseForm(auto_id="clause-%s"),
        "sign_form": SignForm(auto_id="sign-%s"),
        "terminate_form": TerminateForm(auto_id="terminate-%s"),
        "renew_form": RenewForm(auto_id="renew-%s"),
        "document_form": DocumentForm(auto_id="document-%s"),
        "today": timezone.localdate(),
    }
    context["may_renew"] = (
        may_change
        and agreement.state in (AgreementState.ACTIVE, AgreementState.EXPIRED)
        and context["renewal"] is None
    )
    return render(request, "collaboration/agreement_detail.html", context)


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
        try:
            actions.set_obligations(
                agreement,
                party.organisation,
                form.cleaned_data["obligations"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            report_errors(request, exc)
        else:
            messages.success(
                request,
                _("Obligations of %(org)s saved.") % {"org": party.organisation.name},
            )
    return redirect("collaboration:agreement", agreement_id=agreement.pk)


def _agreement_for_change(request, agreement_id):
    return get_scoped_or_404(Agreement, request.user, CHANGE, pk=agreement_id)


@login_required
@require_POST
def clause_add(request, agreement_id: int):
    agreement = _agreement_for_change(request, agreement_id)
    form = ClauseForm(request.POST)
    if form.is_valid():
        try:
            clause = actions.add_clause(
                agreement,
                heading=form.cleaned_data["heading"],
                text=form.cleaned_data["text"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            report_errors(request, exc)
        else:
            messages.success(request, _("Clause %(n)s added.") % {"n": clause.number})
    else:
        messages.error(request, _("Write the clause's text."))
    return redirect("collaboration:agreement", agreement_id=agreement.pk)


@login_required
@require_POST
def clause_comment(request, clause_id: int):
    clause = get_object_or_404(
        AgreementClause.objects.filter(agreement__in=Agreement.objects.restrict(request.user)),
        pk=clause_id,
    )
    agreement = _agreement_for_change(request, clause.agreement_id)
    form = ClauseCommentForm(request.POST)
    if form.is_valid():
        try:
            actions.comment_on_clause(clause, form.cleaned_data["text"], acting_user=request.user)
        except ValidationError as exc:
            report_errors(request, exc)
        else:
            messages.success(request, _("Comment added."))
    else:
        messages.error(request, _("The comment is empty."))
    return redirect(f"{reverse('collaboration:agreement', args=[agreement.pk])}#clause-{clause.pk}")


@login_required
@require_POST
def agreement_move(request, agreement_id: int):
    agreement = _agreement_for_change(request, agreement_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            agreement = actions.move_agreement(
                agreement,
                form.cleaned_data["state"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            report_errors(request, exc)
        else:
            messages.success(
                request,
                _("The agreement is now: %(state)s.")
                % {"state": agreement.get_state_display().lower()},
            )
    else:
        messages.error(request, _("Choose the state to move to."))
    return redirect("collaboration:agreement", agreement_id=agreement.pk)


@login_required
@require_POST
def agreement_sign(request, agreement_id: int):
    agreement = _agreement_for_change(request, agreement_id)
    organisation = _own_organisation(request)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            agreement = actions.sign_agreement(
                agreement,
                organisation,
                signatory_name=form.cleaned_data["signatory_name"],
                signatory_position=form.cleaned_data["signatory_position"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            report_errors(request, exc)
        else:
            if agreement.state == AgreementState.ACTIVE:
                messages.success(
                    request, _("Signed. Every party has signed: the agreement is active.")
                )
            else:
                messages.success(request, _("Signed. Waiting for the other parties."))
    else:
        messages.error(request, _("Give the signatory's name and position."))
    return redirect("collaboration:agreement", agreement_id=agreement.pk)


@login_required
@require_POST
def agreement_terminate(request, agreement_id: int):
    agreement = _agreement_for_change(request, agreement_id)
    form = TerminateForm(request.POST)
    if form.is_valid():
        try:
            actions.terminate_agreement(
                agreement, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        except ValidationError as exc:
            report_errors(request, exc)
        else:
            messages.success(request, _("Agreement terminated."))
    else:
        messages.error(request, _("Say why the agreement is terminated."))
    return redirect("collaboration:agreement", agreement_id=agreement.pk)


@login_required
@require_POST
def agreement_renew(request, agreement_id: int):
    agreement = _agreement_for_change(request, agreement_id)
    form = RenewForm(request.POST)
    if form.is_valid():
        try:
            renewal = actions.renew_agreement(
                agreement,
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            report_errors(request, exc)
        else:
            messages.success(
                request,
                _(
                    "Renewal drafted with the same parties and clauses. "
                    "Review it, then send it for signature."
                ),
            )
            return redirect("collaboration:agreement", agreement_id=renewal.pk)
    else:
        messages.error(request, _("Give the new period of validity."))
    return redirect("collaboration:agreement", agreement_id=agreement.pk)


@login_required
@require_POST
def document_upload(request, agreement_id: int):
    agreement = _agreement_for_change(request, agreement_id)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = actions.upload_agreement_document(
                agreement,
                form.cleaned_data["file"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            report_errors(request, exc)
        else:
            messages.success(
                request, _("Document uploaded as version %(n)s.") % {"n": document.version}
            )
    else:
        messages.error(request, _("Choose a file to upload."))
    return redirect("collaboration:agreement", agreement_id=agreement.pk)


@login_required
def document_download(request, document_id: int):
    """A version of the document, through the agreement's scope; the read is audited."""
    document = get_scoped_or_404(
        AgreementDocument.objects.select_related("agreement"), request.user, pk=document_id
    )
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    audit.record(AuditAction.READ, document, acting_user=request.user, parent=document.agreement)
    name = document.original_name or f"{document.agreement.title}-v{document.version}"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )


@login_required
def rule_register(request):
    """Every ground rule and SOP in force: the network's, and those of the forums the
    user can see. Network administrators record the network-wide ones here."""
    request.nav_section = "collaboration"
    scope = scope_for(request.user)
    is_admin = bool(scope and scope.is_network_admin)
    form = None
    if is_admin:
        data = request.POST if request.method == "POST" else None
        form = GroundRuleForm(data)
        if data is not None and form.is_valid():
            try:
                actions.add_ground_rule(
                    None,
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    text=form.cleaned_data["text"],
                    adopted_on=form.cleaned_data["adopted_on"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Rule recorded for the whole network."))
                return redirect("collaboration:rules")
    elif request.method == "POST":
        raise PermissionDenied(_("Only network administrators record network-wide rules."))
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
