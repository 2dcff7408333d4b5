"""Pages for resource sharing: exchanges between organisations, the offers-and-requests
board with its suggested matches, and assistive-device distribution. Thin: scope, form,
action, redirect."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jejaring.cases.models import Case
from jejaring.core import clock
from jejaring.core.pages import PAGE_SIZE, form_page, listing, paged, perform, posted
from jejaring.core.scoping import CHANGE, can, get_scoped_or_404, scope_for
from jejaring.registry.presenters import present, present_many

from .. import actions
from ..filters.resources import BoardPageFilter, ExchangePageFilter
from ..forms.resources import (
    RECEIVED,
    DistributionForm,
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
from ._shared import own_organisation, user_organisation

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
    context = listing(
        request, visible.select_related("giver", "receiver", "forum"), ExchangePageFilter
    )
    symmetric = {k.value for k in SYMMETRIC_KINDS}
    for exchange in context["page_obj"]:
        # How the row reads from the user's organisation: gave, received, together.
        if org_id not in (exchange.giver_id, exchange.receiver_id):
            exchange.role, exchange.other = "", None
        else:
            exchange.other = exchange.receiver if exchange.giver_id == org_id else exchange.giver
            if exchange.kind in symmetric:
                exchange.role = "joint"
            else:
                exchange.role = "gave" if exchange.giver_id == org_id else "received"
    context["totals"] = exchange_totals(visible, org_id)
    context["organisation"] = user_organisation(request)
    return render(request, "collaboration/exchange_list.html", context)


def _small_id(value: str) -> int | None:
    """An id from a link's query string (?forum=3), to preselect; anything else: none."""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


@login_required
def exchange_create(request):
    request.nav_section = "collaboration"
    organisation = own_organisation(request)
    form = ExchangeForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        initial={"forum": _small_id(request.GET.get("forum", ""))},
    )

    def record(cleaned):
        fields = dict(cleaned)
        other, direction = fields.pop("other"), fields.pop("direction")
        if fields["kind"] not in SYMMETRIC_KINDS and direction == RECEIVED:
            giver, receiver = other, organisation
        else:
            # "We gave", and the joint kinds, which have no direction.
            giver, receiver = organisation, other
        return actions.record_exchange(
            giver=giver, receiver=receiver, acting_user=request.user, **fields
        )

    return form_page(
        request,
        form,
        "collaboration/exchange_form.html",
        record,
        success=_("Exchange recorded."),
        then=lambda exchange: reverse("collaboration:exchanges"),
    )


# --- The offers-and-requests board -----------------------------------------------------


@login_required
def board(request):
    request.nav_section = "collaboration"
    visible = BoardPost.objects.restrict(request.user).select_related("organisation", "region")
    context = {
        **listing(request, visible, BoardPageFilter),
        "may_post": scope_for(request.user).organisation_id is not None,
        "today": clock.localdate(),
    }
    return render(request, "collaboration/board.html", context)


@login_required
def post_create(request):
    request.nav_section = "collaboration"
    organisation = own_organisation(request)
    kind = request.GET.get("kind", "")
    form = PostForm(
        request.POST if request.method == "POST" else None,
        initial={
            "region": organisation.home_region_id,
            "kind": kind if kind in PostKind.values else PostKind.OFFER,
        },
    )
    return form_page(
        request,
        form,
        "collaboration/post_form.html",
        lambda cleaned: actions.post_to_board(
            organisation=organisation, acting_user=request.user, **cleaned
        ),
        success=_("Posted on the board."),
        then=lambda post: reverse("collaboration:post", args=[post.pk]),
    )


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
        "expired": bool(post.available_until and post.available_until < clock.localdate()),
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

    def match(data):
        other = get_scoped_or_404(BoardPost, request.user, pk=data["other"])
        offer, wanted = (post, other) if post.kind == PostKind.OFFER else (other, post)
        return actions.match_posts(
            offer, wanted, quantity=data["quantity"], acting_user=request.user
        )

    posted(
        request,
        MatchForm(request.POST),
        _("Choose the post to match with."),
        match,
        success=lambda exchange: (
            _("Matched: %(giver)s gives to %(receiver)s. The exchange is recorded.")
            % {"giver": exchange.giver.name, "receiver": exchange.receiver.name}
        ),
    )
    return redirect("collaboration:post", post_id=post.pk)


@login_required
@require_POST
def post_close(request, post_id: int):
    post = get_scoped_or_404(BoardPost, request.user, CHANGE, pk=post_id)
    perform(
        request,
        lambda: actions.close_post(post, acting_user=request.user),
        success=_("Post closed."),
    )
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
    context = paged(
        request, visible.filter(state=DistributionState.SCHEDULED).order_by("scheduled_for", "id")
    )
    handed_over = list(
        visible.filter(state=DistributionState.HANDED_OVER).order_by("-handed_over_on", "-id")[
            :PAGE_SIZE
        ]
    )
    _decorate([*context["page_obj"], *handed_over], request.user)
    context.update(handed_over=handed_over, today=clock.localdate())
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
    form = DistributionForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        initial={"source_offer": _small_id(request.GET.get("offer", ""))},
    )
    return form_page(
        request,
        form,
        "collaboration/distribution_form.html",
        lambda cleaned: actions.schedule_distribution(case, acting_user=request.user, **cleaned),
        success=_("Handover scheduled."),
        then=lambda distribution: reverse("cases:detail", args=[case.pk]),
        context={"case": case, "view": present(case.person, request.user)},
    )


def _back(request, distribution):
    if request.POST.get("back") == "case":
        return redirect("cases:detail", case_id=distribution.case_id)
    return redirect("collaboration:distributions")


@login_required
@require_POST
def distribution_handover(request, distribution_id: int):
    distribution = get_scoped_or_404(DeviceDistribution, request.user, CHANGE, pk=distribution_id)
    posted(
        request,
        HandoverForm(request.POST),
        _("Give the date of the handover."),
        lambda data: actions.hand_over_device(distribution, **data, acting_user=request.user),
        success=_("Handed over: recorded as an assistive-device service on the case."),
    )
    return _back(request, distribution)


@login_required
@require_POST
def distribution_cancel(request, distribution_id: int):
    distribution = get_scoped_or_404(DeviceDistribution, request.user, CHANGE, pk=distribution_id)
    perform(
        request,
        lambda: actions.cancel_distribution(distribution, acting_user=request.user),
        success=_("Handover cancelled."),
    )
    return _back(request, distribution)
