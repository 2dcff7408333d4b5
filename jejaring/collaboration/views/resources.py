"""Pages for resource sharing: exchanges between organisations, the offers-and-requests
board with its suggested matches, and assistive-device distribution. Thin: scope, form,
action, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jejaring.cases.models import Case
from jejaring.core.forms import apply_validation_error
from jejaring.core.scoping import CHANGE, can, get_scoped_or_404, scope_for
from jejaring.registry.presenters import present, present_many

from .. import actions
from ..forms.resources import (
    RECEIVED,
    BoardFilterForm,
    DistributionForm,
    ExchangeFilterForm,
    ExchangeForm,
    HandoverForm,
    MatchForm,
    PostForm,
)
from ..matching import suggest_matches
from ..models import (
    SYMMETRIC_KINDS,
    BoardPost,
    DeviceDistribution,
    DistributionState,
    Exchange,
    ExchangeKind,
    PostKind,
    PostState,
)
from ._shared import report_errors, user_organisation

PAGE_SIZE = 25


def _own_organisation(request):
    organisation = user_organisation(request)
    if organisation is None:
        raise PermissionDenied(_("Your account belongs to no organisation."))
    return organisation


# --- Exchanges ------------------------------------------------------------------------


def exchange_totals(queryset, organisation_id) -> list[dict]:
    """Seed 002's eleven activities for one organisation: each given/received kind from
    both ends, and the three joint kinds. Counts and the value in rupiah."""
    if not organisation_id:
        return []
    gave, got = Q(giver_id=organisation_id), Q(receiver_id=organisation_id)
    rows = {
        row["kind"]: row
        for row in queryset.filter(gave | got)
        .order_by()
        .values("kind")
        .annotate(
            given=Count("id", filter=gave),
            received=Count("id", filter=got),
            given_value=Sum("value_idr", filter=gave),
            received_value=Sum("value_idr", filter=got),
        )
    }
    totals = []
    for kind in ExchangeKind:
        row = rows.get(kind.value, {})
        given, received = row.get("given", 0), row.get("received", 0)
        given_value, received_value = row.get("given_value"), row.get("received_value")
        if kind in SYMMETRIC_KINDS:
            values = [v for v in (given_value, received_value) if v is not None]
            totals.append(
                {
                    "kind": kind.value,
                    "label": kind.label,
                    "joint": given + received,
                    "joint_value": sum(values) if values else None,
                }
            )
        else:
            totals.append(
                {
                    "kind": kind.value,
                    "label": kind.label,
                    "given": given,
                    "given_value": given_value,
                    "received": received,
                    "received_value": received_value,
                }
            )
    return totals


@login_required
def exchange_list(request):
    request.nav_section = "collaboration"
    org_id = scope_for(request.user).organisation_id
    visible = Exchange.objects.restrict(request.user)
    queryset = visible.select_related("giver", "receiver", "forum")
    filter_form = ExchangeFilterForm(request.GET or None)
    if filter_form.is_valid() and filter_form.cleaned_data["kind"]:
        queryset = queryset.filter(kind=filter_form.cleaned_data["kind"])
    page_obj = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    symmetric = {k.value for k in SYMMETRIC_KINDS}
    for exchange in page_obj:
        # How the row reads from the user's organisation: gave, received, together.
        if org_id not in (exchange.giver_id, exchange.receiver_id):
            exchange.role, exchange.other = "", None
        else:
            exchange.other = exchange.receiver if exchange.giver_id == org_id else exchange.giver
            if exchange.kind in symmetric:
                exchange.role = "joint"
            else:
                exchange.role = "gave" if exchange.giver_id == org_id else "received"
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "page_obj": page_obj,
        "query_string": query.urlencode(),
        "totals": exchange_totals(visible, org_id),
        "organisation": user_organisation(request),
    }
    return render(request, "collaboration/exchange_list.html", context)


@login_required
def exchange_create(request):
    request.nav_section = "collaboration"
    organisation = _own_organisation(request)
    data = request.POST if request.method == "POST" else None
    initial = {}
    forum_id = request.GET.get("forum", "")
    if forum_id.isascii() and forum_id.isdigit() and len(forum_id) < 10:
        initial["forum"] = int(forum_id)
    form = ExchangeForm(data, user=request.user, initial=initial)
    if data is not None and form.is_valid():
        cleaned = form.cleaned_data
        other = cleaned["other"]
        if cleaned["kind"] not in SYMMETRIC_KINDS and cleaned["direction"] == RECEIVED:
            giver, receiver = other, organisation
        else:
            # "We gave", and the joint kinds, which have no direction.
            giver, receiver = organisation, other
        try:
            actions.record_exchange(
                kind=cleaned["kind"],
                giver=giver,
                receiver=receiver,
                description=cleaned["description"],
                occurred_on=cleaned["occurred_on"],
                quantity=cleaned["quantity"],
                unit=cleaned["unit"],
                value_idr=cleaned["value_idr"],
                forum=cleaned["forum"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Exchange recorded."))
            return redirect("collaboration:exchanges")
    return render(request, "collaboration/exchange_form.html", {"form": form})


# --- The offers-and-requests board -----------------------------------------------------


def _not_expired() -> Q:
    return Q(available_until__isnull=True) | Q(available_until__gte=timezone.localdate())


@login_required
def board(request):
    request.nav_section = "collaboration"
    org_id = scope_for(request.user).organisation_id
    visible = BoardPost.objects.restrict(request.user).select_related("organisation", "region")
    queryset = visible.filter(state=PostState.OPEN).filter(_not_expired())
    filter_form = BoardFilterForm(request.GET or None)
    if filter_form.is_valid():
        if filter_form.cleaned_data["mine"]:
            # One's own posts in every state: matched and closed ones too.
            queryset = visible
        queryset = filter_form.filter(queryset, org_id)
    page_obj = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "page_obj": page_obj,
        "query_string": query.urlencode(),
        "may_post": org_id is not None,
        "today": timezone.localdate(),
    }
    return render(request, "collaboration/board.html", context)


@login_required
def post_create(request):
    request.nav_section = "collaboration"
    organisation = _own_organisation(request)
    data = request.POST if request.method == "POST" else None
    kind = request.GET.get("kind", "")
    form = PostForm(
        data,
        initial={
            "region": organisation.home_region_id,
            "kind": kind if kind in PostKind.values else PostKind.OFFER,
        },
    )
    if data is not None and form.is_valid():
        cleaned = form.cleaned_data
        try:
            post = actions.post_to_board(
                kind=cleaned["kind"],
                organisation=organisation,
                category=cleaned["category"],
                title=cleaned["title"],
                description=cleaned["description"],
                quantity=cleaned["quantity"],
                unit=cleaned["unit"],
                region=cleaned["region"],
                available_until=cleaned["available_until"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Posted on the board."))
            return redirect("collaboration:post", post_id=post.pk)
    return render(request, "collaboration/post_form.html", {"form": form})


@login_required
def post_detail(request, post_id: int):
    request.nav_section = "collaboration"
    post = get_scoped_or_404(
        BoardPost.objects.select_related(
            "organisation", "region", "posted_by", "matched_with__organisation", "exchange"
        ),
        request.user,
        pk=post_id,
    )
    org_id = scope_for(request.user).organisation_id
    is_open = post.state == PostState.OPEN
    suggestions = []
    if is_open:
        for other, points, reasons in suggest_matches(post):
            suggestions.append(
                {
                    "post": other,
                    "score": points,
                    "reasons": reasons,
                    "may_match": org_id is not None
                    and org_id in (post.organisation_id, other.organisation_id),
                }
            )
    context = {
        "post": post,
        "is_open": is_open,
        "expired": bool(post.available_until and post.available_until < timezone.localdate()),
        "may_close": is_open and can(request.user, CHANGE, post),
        "suggestions": suggestions,
        "match_form": MatchForm(auto_id=False),
    }
    return render(request, "collaboration/post_detail.html", context)


@login_required
@require_POST
def post_match(request, post_id: int):
    """Agree a match between this post and one of the opposite kind; the offer's
    organisation gives to the request's, recorded as an exchange."""
    post = get_scoped_or_404(BoardPost, request.user, pk=post_id)
    form = MatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the post to match with."))
        return redirect("collaboration:post", post_id=post.pk)
    other = get_scoped_or_404(BoardPost, request.user, pk=form.cleaned_data["other"])
    org_id = scope_for(request.user).organisation_id
    if org_id is None or org_id not in (post.organisation_id, other.organisation_id):
        raise PermissionDenied(_("Only the two organisations concerned agree a match."))
    offer, wanted = (post, other) if post.kind == PostKind.OFFER else (other, post)
    try:
        exchange = actions.match_posts(
            offer, wanted, quantity=form.cleaned_data["quantity"], acting_user=request.user
        )
    except ValidationError as exc:
        report_errors(request, exc)
    else:
        messages.success(
            request,
            _("Matched: %(giver)s gives to %(receiver)s. The exchange is recorded.")
            % {"giver": exchange.giver.name, "receiver": exchange.receiver.name},
        )
    return redirect("collaboration:post", post_id=post.pk)


@login_required
@require_POST
def post_close(request, post_id: int):
    post = get_scoped_or_404(BoardPost, request.user, CHANGE, pk=post_id)
    try:
        actions.close_post(post, acting_user=request.user)
    except ValidationError as exc:
        report_errors(request, exc)
    else:
        messages.success(request, _("Post closed."))
    return redirect("collaboration:post", post_id=post.pk)


# --- Assistive-device distribution ----------------------------------------------------


def _decorate(distributions, user) -> None:
    """Names as the user may see them (masked where the identity is protected), the
    place only with the identity (it may be the person's home), and what may change."""
    distributions = list(distributions)
    views = {
        v.pk: v
        for v in present_many(
            {d.case.person_id: d.case.person for d in distributions}.values(), user
        )
    }
    changeable = set(
        DeviceDistribution.objects.restrict(user, CHANGE)
        .filter(pk__in=[d.pk for d in distributions])
        .values_list("pk", flat=True)
    )
    for d in distributions:
        view = views[d.case.person_id]
        d.person_name = view.name
        d.show_place = view.identity
        d.may_change = d.pk in changeable


@login_required
def distribution_list(request):
    request.nav_section = "collaboration"
    visible = DeviceDistribution.objects.restrict(request.user).select_related(
        "case__person", "case__organisation", "source_offer__organisation"
    )
    page_obj = Paginator(
        visible.filter(state=DistributionState.SCHEDULED).order_by("scheduled_for", "id"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    handed_over = list(
        visible.filter(state=DistributionState.HANDED_OVER).order_by("-handed_over_on", "-id")[
            :PAGE_SIZE
        ]
    )
    _decorate([*page_obj, *handed_over], request.user)
    context = {
        "page_obj": page_obj,
        "query_string": "",
        "handed_over": handed_over,
        "today": timezone.localdate(),
    }
    return render(request, "collaboration/distribution_list.html", context)


@login_required
def distribution_create(request, case_id: int):
    """Schedule a device for the person of a case (reached from the case page)."""
    request.nav_section = "collaboration"
    case = get_scoped_or_404(
        Case.objects.select_related("person", "organisation", "category"),
        request.user,
        CHANGE,
        pk=case_id,
    )
    data = request.POST if request.method == "POST" else None
    initial = {}
    offer_id = request.GET.get("offer", "")
    if offer_id.isascii() and offer_id.isdigit() and len(offer_id) < 10:
        initial["source_offer"] = int(offer_id)
    form = DistributionForm(data, user=request.user, initial=initial)
    if data is not None and form.is_valid():
        cleaned = form.cleaned_data
        try:
            actions.schedule_distribution(
                case,
                device=cleaned["device"],
                quantity=cleaned["quantity"],
                method=cleaned["method"],
                scheduled_for=cleaned["scheduled_for"],
                place=cleaned["place"],
                source_offer=cleaned["source_offer"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Handover scheduled."))
            return redirect("cases:detail", case_id=case.pk)
    context = {"case": case, "view": present(case.person, request.user), "form": form}
    return render(request, "collaboration/distribution_form.html", context)


def _back(request, distribution):
    if request.POST.get("back") == "case":
        return redirect("cases:detail", case_id=distribution.case_id)
    return redirect("collaboration:distributions")


@login_required
@require_POST
def distribution_handover(request, distribution_id: int):
    distribution = get_scoped_or_404(DeviceDistribution, request.user, CHANGE, pk=distribution_id)
    form = HandoverForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date of the handover."))
        return _back(request, distribution)
    try:
        actions.hand_over_device(distribution, on=form.cleaned_data["on"], acting_user=request.user)
    except ValidationError as exc:
        report_errors(request, exc)
    else:
        messages.success(
            request, _("Handed over: recorded as an assistive-device service on the case.")
        )
    return _back(request, distribution)


@login_required
@require_POST
def distribution_cancel(request, distribution_id: int):
    distribution = get_scoped_or_404(DeviceDistribution, request.user, CHANGE, pk=distribution_id)
    try:
        actions.cancel_distribution(distribution, acting_user=request.user)
    except ValidationError as exc:
        report_errors(request, exc)
    else:
        messages.success(request, _("Handover cancelled."))
    return _back(request, distribution)
