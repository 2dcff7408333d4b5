"""Pages for cases and referrals, and the worker's board. Thin: scope, form, action."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jejaring.accounts.models import USER_NAME_FIELDS, User
from jejaring.core import clock
from jejaring.core.files import serve_file
from jejaring.core.filtering import filtered, is_htmx
from jejaring.core.pages import Fold, folded_form, listing, perform, refusal_text, show_refusal
from jejaring.core.scoping import CHANGE, VIEW_IDENTITY, can, get_scoped_or_404, scope_for
from jejaring.network.models import Organisation, Sector
from jejaring.registry import actions as registry_actions
from jejaring.registry.models import Person
from jejaring.registry.presenters import present, present_many

from . import actions
from .filters import CaseFilter, OverlapFilter, ReferralFilter
from .forms import (
    ConsentForm,
    NeedsForm,
    OpenCaseForm,
    ReferralForm,
    ServiceForm,
    TransitionForm,
)
from .models import (
    Case,
    CaseAttachment,
    CaseConference,
    CaseNote,
    CaseTransition,
    OverlapAlert,
    Referral,
    Service,
    next_states,
)
from .overlap import request_refresh
from .routing import suggest_receivers


@login_required
def board(request):
    """The worker's board: referrals waiting for my organisation, my cases, the
    referrals we sent, and our open cases as a list to filter and page through."""
    request.nav_section = "cases"
    org = scope_for(request.user).organisation_id
    referrals = Referral.objects.restrict(request.user)
    # The boxes are fixed filters of the referral list, the API's ?box=&state=&open=.
    waiting = filtered(
        ReferralFilter,
        {"box": "incoming", "state": "sent"},
        referrals.select_related("person", "from_organisation"),
        request=request,
    )
    sent = filtered(
        ReferralFilter,
        {"box": "outgoing", "open": True},
        referrals.select_related("person", "to_organisation"),
        request=request,
    )
    open_cases = (
        Case.objects.restrict(request.user)
        .filter(organisation_id=org)
        .exclude(state="closed")
        .select_related("person", "category", "assigned_worker")
    )
    mine = filtered(CaseFilter, {"mine": True}, open_cases, request=request)
    context = listing(request, open_cases, CaseFilter, open_only=True)
    people = {
        p.pk: p
        for p in [
            *(c.person for c in mine),
            *(c.person for c in context["page_obj"]),
            *(r.person for r in waiting),
            *(r.person for r in sent),
        ]
    }
    views = present_many(people.values(), request.user)
    # A case's category is the person's PMKS category: shown only with the identity
    # (within the handling organisation, a forum facilitator sees protected cases masked).
    context.update(
        {
            "cases": context["page_obj"],
            "mine": mine,
            "waiting": waiting,
            "sent": sent,
            "names": {v.pk: v.name for v in views},
            "identity_shown": {v.pk for v in views if v.identity},
            "today": clock.localdate(),
            # On a phone three empty boxes would push the list off the first screen:
            # an empty box is one short line instead.
            "quiet": [
                text
                for shown, text in (
                    (waiting, _("No referral is waiting for us.")),
                    (mine, _("No case is assigned to you.")),
                    (sent, _("No referral we sent is open.")),
                )
                if not shown
            ],
        }
    )
    return render(request, "cases/board.html", context)


@login_required
@require_POST
def case_open(request, person_id: int):
    person = get_scoped_or_404(Person, request.user, VIEW_IDENTITY, pk=person_id)
    form = OpenCaseForm(request.POST)
    if not scope_for(request.user).organisation_id:
        raise PermissionDenied(_("Your account belongs to no organisation."))
    if form.is_valid():
        opened = perform(
            request,
            lambda: actions.open_case(
                person,
                form.cleaned_data["category"],
                organisation=request.user.organisation,
                acting_user=request.user,
                state=form.cleaned_data["state"],
                summary=form.cleaned_data["summary"],
            ),
            success=_("Case opened."),
        )
        if opened:
            return redirect("cases:detail", case_id=opened.result.pk)
    return redirect("registry:detail", person_id=person.pk)


@login_required
def case_detail(request, case_id: int):
    return case_page(request, _case_for_page(request, case_id))


def _case_for_page(request, case_id):
    return get_scoped_or_404(
        # One query per list, each joined to what it shows (a prefetch "a__b" costs a
        # second query and per-row querysets); person__region for the suggestions.
        Case.objects.select_related(
            "person__region", "organisation", "category", "assigned_worker"
        ).prefetch_related(
            "needs",
            Prefetch("transitions", CaseTransition.objects.select_related("by")),
            Prefetch("services", Service.objects.select_related("service_type")),
            Prefetch("referrals_out", Referral.objects.select_related("to_organisation")),
            Prefetch("notes", CaseNote.objects.select_related("author")),
        ),
        request.user,
        # Asked with the fetch: what the page shows depends on both.
        may=(CHANGE, ("person", VIEW_IDENTITY)),
        pk=case_id,
    )


def case_page(request, case, *, transition_form=None, referral_form=None, consent_missing=False):
    """The case page; a form refused by its action comes back bound, with what the
    worker typed and the refusal beside it."""
    request.nav_section = "cases"
    may_change = can(request.user, CHANGE, case)
    view = present(case.person, request.user)
    registry_actions.record_read(case.person, acting_user=request.user, masked=not view.identity)
    context = {
        "case": case,
        "view": view,
        "may_change": may_change,
        "transition_form": transition_form or TransitionForm(case=case),
        # Not through case.organisation.staff: the related manager would set each user's
        # organisation and read the deferred key back, a query a row.
        "staff": User.objects.filter(organisation_id=case.organisation_id, is_active=True).only(
            *USER_NAME_FIELDS
        )
        if may_change
        else [],
        # Attachments carry identity: their policy shows them only with it.
        "attachments": CaseAttachment.objects.restrict(request.user).filter(case=case),
        # The folded forms load when opened (case_fold); a refused referral comes back
        # filled in, inside the page.
        "referral_form": referral_form,
        "folds": FOLDS,
    }
    if referral_form is not None:
        context.update(
            _fold_context(request, case, "referral", view.identity, referral_form, consent_missing)
        )
    return render(request, "cases/detail.html", context)


# The case page's folded forms, each fetched when opened (core.pages.Fold).
FOLDS = {
    "needs": Fold(gettext_lazy("Record the assessment"), "cases/_fold_needs.html"),
    "service": Fold(gettext_lazy("Record a service"), "cases/_fold_service.html"),
    "referral": Fold(gettext_lazy("Refer this person"), "cases/_fold_referral.html"),
}


@login_required
def case_fold(request, case_id: int, fold: str):
    """One folded form of the case page, for those who may change an open case."""
    if fold not in FOLDS:
        raise Http404
    case = get_scoped_or_404(
        Case.objects.select_related("person__region", "organisation", "category"),
        request.user,
        CHANGE,
        may=(("person", VIEW_IDENTITY),),
        pk=case_id,
    )
    if not case.is_open:
        raise Http404
    view = present(case.person, request.user)
    if not is_htmx(request):  # its page of its own is headed by the person: a read
        registry_actions.record_read(
            case.person, acting_user=request.user, masked=not view.identity
        )
    return folded_form(
        request,
        FOLDS[fold],
        {"case": case, **_fold_context(request, case, fold, view.identity)},
        back_url=reverse("cases:detail", args=[case.pk]),
        back_label=view.name,
    )


def _fold_context(request, case, fold, identity, referral_form=None, consent_missing=False):
    context = {"identity": identity}
    if fold == "needs":
        context["needs_form"] = NeedsForm(initial={"needs": case.needs.all()})
    elif fold == "service":
        context["service_form"] = ServiceForm()
    else:
        posted = referral_form.data if referral_form is not None else {}
        context.update(
            referral_form=referral_form or ReferralForm(),
            # Which receiver the refused referral named, to check it again.
            chosen_suggested=posted.get("to_organisation_suggested", ""),
            chosen_other=posted.get("to_organisation_other", ""),
            # A referral refused for want of consent links to where consent is recorded.
            consent_missing=consent_missing,
            suggestions=suggest_receivers(case),
            organisations=Organisation.objects.restrict(request.user)
            .filter(status="active")
            .exclude(pk=case.organisation_id)
            .only("pk", "name"),
        )
    return context


def _case_for_change(request, case_id):
    return get_scoped_or_404(Case, request.user, CHANGE, pk=case_id)


@login_required
@require_POST
def case_transition(request, case_id: int):
    case = _case_for_change(request, case_id)
    form = TransitionForm(request.POST, case=case)
    if form.is_valid():
        try:
            outcome = perform(
                request,
                lambda: actions.transition_case(
                    case,
                    form.cleaned_data["state"],
                    acting_user=request.user,
                    expected_version=form.cleaned_data["version"],
                    closing_reason=form.cleaned_data["closing_reason"],
                    note=form.cleaned_data["note"],
                ),
                success=_("Case updated."),
                form=form,
            )
        except actions.CaseConflict:
            messages.error(
                request,
                _(
                    "Someone else changed this case while you were looking. "
                    "Nothing was saved; check the case and try again."
                ),
            )
            # The case as it is now, with what the worker typed offered again.
            current = _case_for_page(request, case.pk)
            typed = {k: form.cleaned_data[k] for k in ("note", "closing_reason")}
            if form.cleaned_data["state"] in next_states(current.state):
                typed["state"] = form.cleaned_data["state"]
            return case_page(
                request, current, transition_form=TransitionForm(case=current, initial=typed)
            )
        if outcome:
            return redirect("cases:detail", case_id=case.pk)
    return case_page(request, _case_for_page(request, case.pk), transition_form=form)


@login_required
@require_POST
def case_needs(request, case_id: int):
    case = _case_for_change(request, case_id)
    form = NeedsForm(request.POST)
    if form.is_valid():
        perform(
            request,
            lambda: actions.set_needs(
                case, list(form.cleaned_data["needs"]), acting_user=request.user
            ),
            success=_("Assessment saved."),
        )
    else:
        messages.error(request, _("Choose at least one service."))
    return redirect("cases:detail", case_id=case.pk)


@login_required
@require_POST
def case_service(request, case_id: int):
    case = _case_for_change(request, case_id)
    form = ServiceForm(request.POST)
    if form.is_valid():
        perform(
            request,
            lambda: actions.record_service(
                case,
                form.cleaned_data["service_type"],
                form.cleaned_data["delivered_on"],
                acting_user=request.user,
                quantity=form.cleaned_data["quantity"],
                met_standard=form.cleaned_data["met_standard"],
                evidence=form.cleaned_data["evidence"],
            ),
            success=_("Service recorded."),
        )
    else:
        messages.error(request, _("The service was not saved: check the date and quantity."))
    return redirect("cases:detail", case_id=case.pk)


@login_required
@require_POST
def case_refer(request, case_id: int):
    case = _case_for_change(request, case_id)
    data = request.POST.copy()
    # A suggested receiver (radio) or any other organisation (select) name one field.
    data["to_organisation_suggested"] = data.get("to_organisation", "")
    data["to_organisation"] = data.get("to_organisation") or data.get("to_organisation_other")
    form = ReferralForm(data)
    consent_missing = False
    if form.is_valid():
        receiver = (
            Organisation.objects.restrict(request.user)
            .filter(pk=form.cleaned_data["to_organisation"])
            .first()
        )
        if receiver is None:
            form.add_error("to_organisation", _("Choose an organisation to refer to."))
        else:
            sent = perform(
                request,
                lambda: actions.send_referral(
                    case,
                    receiver,
                    acting_user=request.user,
                    reason=form.cleaned_data["reason"],
                    services=list(form.cleaned_data["services"]),
                    deadline=form.cleaned_data["deadline"],
                ),
                success=_("Referral sent."),
                form=form,
            )
            if sent:
                for warning in sent.result.warning_messages():
                    messages.warning(request, warning)
                return redirect("cases:detail", case_id=case.pk)
            if receiver.sector != Sector.GOVERNMENT and actions.active_consent(case.person) is None:
                consent_missing = True
    # Refused or incomplete: the page again, with what the worker typed and why not.
    return case_page(
        request,
        _case_for_page(request, case.pk),
        referral_form=form,
        consent_missing=consent_missing,
    )


@login_required
@require_POST
def case_note(request, case_id: int):
    case = _case_for_change(request, case_id)
    perform(
        request,
        lambda: actions.add_note(case, request.POST.get("text", ""), acting_user=request.user),
    )
    return redirect("cases:detail", case_id=case.pk)


@login_required
def referral_detail(request, referral_id: int):
    return referral_page(request, _referral_for_page(request, referral_id))


def _referral_for_page(request, referral_id):
    return get_scoped_or_404(
        Referral.objects.select_related(
            "person",
            "from_organisation",
            "to_organisation",
            "from_case__category",
            "sent_by",
            "decided_by",
            "completed_by",
        ),
        request.user,
        pk=referral_id,
    )


def referral_page(request, referral, *, decline_reason: str = "", decline_error: str = ""):
    """The referral; a refused decline comes back with the reason typed and why not."""
    request.nav_section = "cases"
    org = scope_for(request.user).organisation_id
    view = present(referral.person, request.user)
    registry_actions.record_read(
        referral.person, acting_user=request.user, masked=not view.identity
    )
    context = {
        "referral": referral,
        "view": view,
        "is_receiver": referral.to_organisation_id == org,
        "is_sender": referral.from_organisation_id == org,
        "decline_reason": decline_reason,
        "decline_error": decline_error,
    }
    return render(request, "cases/referral.html", context)


@login_required
@require_POST
def referral_decide(request, referral_id: int, decision: str):
    # Only the receiver decides: the actions refuse anyone else (403).
    referral = get_scoped_or_404(Referral, request.user, CHANGE, pk=referral_id)
    if decision == "accept":
        accepted = perform(
            request,
            lambda: actions.accept_referral(referral, acting_user=request.user),
            success=_("Referral accepted: a case was opened."),
        )
        if accepted:
            return redirect("cases:detail", case_id=accepted.result.receiver_case_id)
    elif decision == "decline":
        reason = request.POST.get("reason", "")
        try:
            actions.decline_referral(referral, reason, acting_user=request.user)
        except ValidationError as exc:
            if "decline_reason" not in getattr(exc, "error_dict", {}):
                # Decided meanwhile: the page shows how, the message says why not.
                show_refusal(request, exc)
                return redirect("cases:referral", referral_id=referral.pk)
            return referral_page(
                request,
                _referral_for_page(request, referral.pk),
                decline_reason=reason,
                decline_error=refusal_text(exc),
            )
        messages.success(request, _("Referral declined."))
    elif decision == "complete":
        perform(
            request,
            lambda: actions.complete_referral(referral, acting_user=request.user),
            success=_("Referral completed."),
        )
    return redirect("cases:referral", referral_id=referral.pk)


@login_required
@require_POST
def consent_add(request, person_id: int):
    person = get_scoped_or_404(Person, request.user, CHANGE, pk=person_id)
    form = ConsentForm(request.POST)
    if form.is_valid():
        perform(
            request,
            lambda: actions.record_consent(person, acting_user=request.user, **form.cleaned_data),
            success=_("Consent recorded."),
        )
    else:
        messages.error(request, _("Fill in who gave consent, the scope and the date."))
    return redirect("registry:detail", person_id=person.pk)


@login_required
def overlap_list(request):
    """People handled by several organisations that no referral connects."""
    request.nav_section = "cases"
    alerts = (
        OverlapAlert.objects.restrict(request.user)
        .filter(resolved_at__isnull=True)
        # What the reader may do with each alert, asked of the same scope inside the one
        # query: a governing office sees the alert but neither coordinates it nor reads
        # the conference of the organisations involved (their buttons would answer 404).
        .annotate(
            may_coordinate=Exists(
                OverlapAlert.objects.restrict(request.user, CHANGE).filter(pk=OuterRef("pk"))
            ),
            conference_shown=Exists(
                CaseConference.objects.restrict(request.user).filter(pk=OuterRef("conference_id"))
            ),
        )
        .select_related("person", "conference")
        .prefetch_related("organisations")
        .distinct()
    )
    context = listing(request, alerts, OverlapFilter)
    context["alerts"] = context["page_obj"]
    shown = present_many([a.person for a in context["alerts"]], request.user)
    context["names"] = {v.pk: v.name for v in shown}
    return render(request, "cases/overlaps.html", context)


@login_required
@require_POST
def overlap_refresh(request):
    request_refresh(request.user)
    messages.success(request, _("A refresh was requested; the list updates in a moment."))
    return redirect("cases:overlaps")


@login_required
@require_POST
def overlap_coordinate(request, alert_id: int):
    alert = get_scoped_or_404(OverlapAlert.objects.distinct(), request.user, CHANGE, pk=alert_id)
    conference = actions.start_conference(alert, acting_user=request.user)
    return redirect("cases:conference", conference_id=conference.pk)


@login_required
def conference_detail(request, conference_id: int):
    request.nav_section = "cases"
    conference = get_scoped_or_404(
        CaseConference.objects.distinct()
        .select_related("person", "started_by")
        .prefetch_related("organisations", "notes__author", "notes__organisation"),
        request.user,
        pk=conference_id,
    )
    if request.method == "POST":
        perform(
            request,
            lambda: actions.add_conference_note(
                conference, request.POST.get("text", ""), acting_user=request.user
            ),
        )
        return redirect("cases:conference", conference_id=conference.pk)
    return render(
        request,
        "cases/conference.html",
        {"conference": conference, "view": present(conference.person, request.user)},
    )


@login_required
@require_POST
def case_attach(request, case_id: int):
    case = _case_for_change(request, case_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
    else:
        perform(
            request,
            lambda: actions.attach_file(
                case,
                upload,
                acting_user=request.user,
                description=request.POST.get("description", ""),
            ),
            success=_("File attached."),
        )
    return redirect("cases:detail", case_id=case.pk)


@login_required
def attachment_download(request, attachment_id: int):
    return serve_attachment(request.user, attachment_id)


def serve_attachment(user, attachment_id: int):
    """An attachment's file, for the page and the API: its policy asks for the case and
    the person's identity; the read is audited under the case; a file the storage has
    lost answers 404 like one out of sight."""
    attachment = CaseAttachment.objects.select_related("case").filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return serve_file(
        user, attachment, attachment.file, attachment.original_name, parent=attachment.case
    )


@login_required
@require_POST
def case_assign(request, case_id: int):
    case = _case_for_change(request, case_id)
    worker_id = request.POST.get("worker", "")
    worker = None
    if worker_id:
        # The same wording as the API for anyone not an active colleague of the case's
        # organisation, instead of unassigning quietly.
        worker = (
            case.organisation.staff.filter(pk=worker_id, is_active=True).first()
            if worker_id.isascii() and worker_id.isdigit()
            else None
        )
        if worker is None:
            messages.error(request, _("Unknown user."))
            return redirect("cases:detail", case_id=case.pk)
    perform(
        request,
        lambda: actions.assign_worker(case, worker, acting_user=request.user),
        success=_("Case worker assigned.") if worker else _("Case unassigned."),
    )
    return redirect("cases:detail", case_id=case.pk)


@login_required
@require_POST
def consent_withdraw(request, person_id: int, consent_id: int):
    person = get_scoped_or_404(Person, request.user, CHANGE, pk=person_id)
    consent = get_object_or_404(person.consents, pk=consent_id, withdrawn_on__isnull=True)
    actions.withdraw_consent(consent, acting_user=request.user)
    messages.success(request, _("Consent withdrawn: no new referrals to partners."))
    return redirect("registry:detail", person_id=person.pk)
