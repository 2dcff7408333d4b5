"""Registry pages: search, register with the duplicate guard, the person's page, merge."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from jejaring.cases.forms import ConsentForm, OpenCaseForm
from jejaring.cases.models import Case, Consent
from jejaring.cases.timeline import person_timeline
from jejaring.core.exports import csv_writer
from jejaring.core.files import serve_file
from jejaring.core.filtering import is_htmx
from jejaring.core.pages import Fold, folded_form, list_template, perform
from jejaring.core.paging import BoundedPaginator, LateJoined
from jejaring.core.scoping import CHANGE, VIEW_IDENTITY, can, get_scoped_or_404, scope_for

from . import actions
from . import nik as nik_rules
from .filters import PersonFilter
from .forms import (
    AliasForm,
    LifeStatusForm,
    NikReplaceForm,
    PersonCategoryForm,
    PersonForm,
    RelativeForm,
)
from .models import Person, PersonAlias, PersonMerge, PersonRelation
from .presenters import audit_shown, categories_prefetch, present, present_many

PAGE_SIZE = 25
# What a search that found nobody typed, kept for the registration form it offers. In the
# session (server side), not in the link: a name or NIK must never land in a URL.
PREFILL_KEY = "registry_search_prefill"
FROM_SEARCH = "pencarian"


def _detail_url(person) -> str:
    return reverse("registry:detail", kwargs={"person_id": person.pk})


def _may_register(user) -> bool:
    scope = scope_for(user)
    return bool(scope and scope.organisation_id and scope.roles)


def _search_data(request) -> dict:
    """The search as submitted, filters only.

    The page's search form posts (pagination and export too), so a name or NIK typed
    into it never lands in a URL: not in access logs, browser history or a Referer.
    A GET query string still works for links made elsewhere.
    """
    data = request.POST if request.method == "POST" else request.GET
    return {name: data[name] for name in PersonFilter.base_filters if data.get(name)}


def _people(request, search: dict):
    """People the user may see, filtered by the search; with the filterset. Their
    regions and categories are loaded for the page shown only (LateJoined)."""
    queryset = actions.living(Person.objects.restrict(request.user))
    filterset = PersonFilter(search or None, queryset=queryset, request=request)
    results = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    details = (
        Person.objects.restrict(request.user)
        .select_related("region", "region__parent")
        .prefetch_related(categories_prefetch())
        # Whose identity the page may show: a column of the same fetch.
        .with_permissions(request.user, VIEW_IDENTITY)
    )
    return LateJoined(results.order_by("name_key", "id"), details), filterset


@login_required
@require_http_methods(["GET", "POST"])
def person_list(request):
    request.nav_section = "registry"
    search = _search_data(request)
    results, filterset = _people(request, search)
    # Not core.pages.paged, which reads the page from the query string: the search is
    # posted (names stay out of URLs), and its page number with it.
    data = request.POST if request.method == "POST" else request.GET
    page_obj = BoundedPaginator(results, PAGE_SIZE).get_page(data.get("page"))
    people = present_many(page_obj.object_list, request.user)
    audit_shown(people, acting_user=request.user, what="list", filters=search)
    may_register = _may_register(request.user)
    searched = bool(search.get("q", "").strip())
    if searched and may_register and not people:
        _remember_search(request, search["q"])
    context = {
        "filterset": filterset,
        "page_obj": page_obj,
        "people": people,
        # Handed to the export form as hidden fields: posted, never in a URL.
        "search_fields": sorted(search.items()),
        "may_register": may_register,
        "searched": searched,
    }
    return render(
        request, list_template(request, "registry/list.html", "registry/_results.html"), context
    )


def _remember_search(request, typed: str) -> None:
    """Keep what a search that found nobody typed, for the registration form its empty
    state offers: digits as the NIK, anything else as the name."""
    typed = " ".join(typed.split())[:200]
    digits = nik_rules.clean_number(typed)
    if digits.isascii() and digits.isdigit():
        request.session[PREFILL_KEY] = {"nik": digits[:30]}
    else:
        request.session[PREFILL_KEY] = {"full_name": typed}


def _prefill(request) -> dict:
    """The empty search's words, once, when the form is opened from its button
    (``?dari=pencarian``; the button at the top of the registry starts empty)."""
    remembered = request.session.pop(PREFILL_KEY, None)
    if request.GET.get("dari") != FROM_SEARCH or not isinstance(remembered, dict):
        return {}
    return {k: v for k, v in remembered.items() if k in ("full_name", "nik") and v}


def candidate_views(candidates, user):
    """The guard only finds records the user may see in full; hidden ones are neither
    listed nor counted, so the page is no oracle for them (``actions.create_person``)."""
    views = present_many([c.person for c in candidates], user)
    return [
        {"view": view, "reasons": c.reasons, "score": round(c.score)}
        for view, c in zip(views, candidates, strict=True)
    ]


@login_required
def person_create(request):
    request.nav_section = "registry"
    if not _may_register(request.user):
        raise PermissionDenied(_("Your account cannot register people."))
    initial = _prefill(request) if request.method == "GET" else None
    form = PersonForm(request.POST or None, initial=initial)
    candidates = None
    if request.method == "POST" and form.is_valid():
        try:
            registered = perform(
                request,
                lambda: actions.create_person(
                    form.person_data(),
                    organisation=request.user.organisation,
                    acting_user=request.user,
                    categories=list(form.cleaned_data["categories"]),
                    aliases=form.alias_list(),
                    confirmed_new=request.POST.get("confirmed_new") == "1",
                ),
                success=_("Person registered."),
                form=form,
            )
        except actions.DuplicateSuspected as exc:
            candidates = candidate_views(exc.candidates, request.user)
        else:
            if registered:
                return redirect(_detail_url(registered.result))
    context = {
        "form": form,
        "creating": True,
        "candidates": candidates,
        "guard": candidates is not None,
    }
    return render(request, "registry/form.html", context)


@login_required
def person_detail(request, person_id: int):
    request.nav_section = "registry"
    person = get_scoped_or_404(
        Person.objects.select_related("region", "registered_by", "merged_into")
        .prefetch_related(categories_prefetch(), "aliases")
        # Most people in the registry came in by import and have nothing else here yet:
        # which lists hold anything comes with the fetch, and an empty one costs no query.
        # Only whether rows exist, unscoped; the lists themselves are read through the
        # scope as before, so an answer here never shows a row the user may not see.
        .annotate(
            has_merges=Exists(PersonMerge.objects.filter(survivor=OuterRef("pk"))),
            has_cases=Exists(Case.objects.filter(person=OuterRef("pk"))),
            has_relations=Exists(PersonRelation.objects.filter(person=OuterRef("pk"))),
            has_consents=Exists(Consent.objects.filter(person=OuterRef("pk"))),
        ),
        request.user,
        # Asked with the fetch: one query less for each.
        may=(CHANGE, VIEW_IDENTITY),
        pk=person_id,
    )
    view = present(person, request.user)
    actions.record_read(person, acting_user=request.user, masked=not view.identity)
    merges = (
        list(PersonMerge.objects.filter(survivor=person).select_related("merged"))
        if person.has_merges
        else []
    )
    # The records merged into this one, and the one it was merged into, by name (masked
    # by the same rule), not by number.
    others = present_many(
        [m.merged for m in merges] + ([person.merged_into] if person.merged_into else []),
        request.user,
    )
    merged_into = others.pop() if person.merged_into else None
    may_change = can(request.user, CHANGE, person)
    # Restricted once: the page lists these cases and the timeline reads their history.
    cases = (
        list(
            Case.objects.restrict(request.user)
            .filter(person=person)
            .select_related("organisation", "category")
        )
        if person.has_cases
        else []
    )
    context = {
        "view": view,
        "person": person,
        "may_change": may_change,
        "merges": list(zip(merges, others, strict=True)),
        "merged_into": merged_into,
        # Cases, services and referrals across the network, as far as the user may see.
        "timeline": person_timeline(person, request.user, cases) if view.identity else [],
        "cases": cases,
        "consents": person.consents.all() if person.has_consents else [],
        "relatives": _relatives(person, request.user)
        if view.identity and person.has_relations
        else [],
        "folds": {key.replace("-", "_"): fold.fold for key, fold in PERSON_FOLDS.items()},
        # Each form its own ids: the page holds several (and folds), two with a "category".
        "nik_replace_form": NikReplaceForm(
            initial={"version": person.version}, auto_id="nik-replace-%s"
        ),
    }
    return render(request, "registry/detail.html", context)


@dataclass(frozen=True)
class PersonFold:
    """A form folded on the person's page (core.pages.Fold): who is offered it, and what
    it needs. Each form keeps its own ids: the page holds several, two with a "category"."""

    fold: Fold
    offered: Callable[[bool, bool, Person], bool]  # (may change, identity shown, person)
    forms: Callable[[Person], dict]  # the person, for what a form starts from


PERSON_FOLDS = {
    "alias": PersonFold(
        Fold(gettext_lazy("Add another name"), "registry/_fold_alias.html"),
        lambda may_change, identity, person: may_change and identity,
        lambda person: {"alias_form": AliasForm(auto_id="alias-%s")},
    ),
    "category": PersonFold(
        Fold(gettext_lazy("Add or verify a category"), "registry/_fold_category.html"),
        lambda may_change, identity, person: may_change,
        lambda person: {"category_form": PersonCategoryForm(auto_id="category-%s")},
    ),
    "relative": PersonFold(
        Fold(gettext_lazy("Link a relative already registered"), "registry/_fold_relative.html"),
        lambda may_change, identity, person: may_change,
        lambda person: {"relative_form": RelativeForm(auto_id="relative-%s")},
    ),
    # Opening a case needs the identity (cases:open refuses a masked record), not the
    # right to change the person: any organisation that sees who it is may take it on.
    "open-case": PersonFold(
        Fold(gettext_lazy("Open a case for my organisation"), "registry/_fold_open_case.html"),
        lambda may_change, identity, person: identity and not person.is_merged,
        lambda person: {"open_case_form": OpenCaseForm(auto_id="open-case-%s")},
    ),
    "living-status": PersonFold(
        Fold(gettext_lazy("Moved away or deceased"), "registry/_fold_life_status.html"),
        lambda may_change, identity, person: may_change and identity and not person.is_merged,
        lambda person: {
            "life_status_form": LifeStatusForm(
                auto_id="life-%s",
                initial={"version": person.version, "status": person.life_status},
            )
        },
    ),
    "consent": PersonFold(
        Fold(gettext_lazy("Record consent"), "registry/_fold_consent.html"),
        lambda may_change, identity, person: may_change and identity,
        lambda person: {"consent_form": ConsentForm(auto_id="consent-%s")},
    ),
}


@login_required
def person_fold(request, person_id: int, fold: str):
    """One folded form of the person's page, for those the page offers it to."""
    if fold not in PERSON_FOLDS:
        raise Http404
    person = get_scoped_or_404(
        Person.objects.select_related("merged_into"),
        request.user,
        may=(CHANGE, VIEW_IDENTITY),
        pk=person_id,
    )
    view = present(person, request.user)
    wanted = PERSON_FOLDS[fold]
    if not wanted.offered(can(request.user, CHANGE, person), view.identity, person):
        raise PermissionDenied
    if not is_htmx(request):  # its page of its own is headed by the person: a read
        actions.record_read(person, acting_user=request.user, masked=not view.identity)
    return folded_form(
        request,
        wanted.fold,
        {"person": person, **wanted.forms(person)},
        back_url=_detail_url(person),
        back_label=view.name,
    )


def _relatives(person, user):
    """Family links to people the user may see at all, each masked as usual."""
    links = list(
        person.relations.filter(relative__in=Person.objects.restrict(user)).select_related(
            "relative"
        )
    )
    return list(zip(links, present_many([r.relative for r in links], user), strict=True))


@login_required
def person_edit(request, person_id: int):
    request.nav_section = "registry"
    person = get_scoped_or_404(Person, request.user, CHANGE, pk=person_id)
    form = PersonForm(
        request.POST or None, instance=person, creating=False, initial={"version": person.version}
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = perform(
                request,
                lambda: actions.update_person(
                    person,
                    form.person_data(),
                    expected_version=form.cleaned_data.get("version") or 0,
                    acting_user=request.user,
                ),
                success=_("Changes saved."),
                form=form,
            )
        except actions.EditConflict as exc:
            # Keep what this person typed on screen and show what the other saved.
            conflict = present(exc.current, request.user)
        else:
            if saved:
                return redirect(_detail_url(person))
    return render(
        request, "registry/form.html", {"form": form, "person": person, "conflict": conflict}
    )


def _posted_version(request) -> int:
    raw = request.POST.get("version", "")
    # A missing or garbled version is treated as stale: nothing is saved blind.
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else -1


STALE_PAGE = gettext_lazy(
    "Someone else saved this record since you opened it; nothing was changed. "
    "Check the record again, then repeat."
)


@login_required
@require_POST
def nik_verify(request, person_id: int):
    """The worker confirms the unverified NIK's digits against the card."""
    person = get_scoped_or_404(Person, request.user, CHANGE, pk=person_id)
    version = _posted_version(request)
    try:
        # A refusal is the rule's message, as the page already shows it in the NIK's reason.
        perform(
            request,
            lambda: actions.verify_nik(person, expected_version=version, acting_user=request.user),
            success=_("NIK verified."),
        )
    except actions.EditConflict:
        messages.error(request, STALE_PAGE)
    return redirect(_detail_url(person))


@login_required
@require_http_methods(["GET", "POST"])
def nik_replace(request, person_id: int):
    """Type the correct NIK from the card in place of the unverified one. A refusal is
    shown on this page, the typed NIK kept in the form (a redirect would lose it)."""
    request.nav_section = "registry"
    person = get_scoped_or_404(Person, request.user, CHANGE, pk=person_id)
    form = NikReplaceForm(request.POST or None, initial={"version": person.version})
    if request.method == "POST" and form.is_valid():
        try:
            replaced = perform(
                request,
                lambda: actions.replace_nik(
                    person,
                    form.cleaned_data["nik"],
                    expected_version=form.cleaned_data["version"],
                    acting_user=request.user,
                ),
                success=_("NIK replaced."),
                form=form,
            )
        except actions.EditConflict as exc:
            form = NikReplaceForm({"nik": form.cleaned_data["nik"], "version": exc.current.version})
            form.is_valid()
            form.add_error(None, STALE_PAGE)
        else:
            if replaced:
                return redirect(_detail_url(person))
    return render(
        request,
        "registry/nik_replace.html",
        {"form": form, "person": person, "view": present(person, request.user)},
    )


@login_required
def person_merge(request, person_id: int):
    request.nav_section = "registry"
    survivor = get_scoped_or_404(Person, request.user, CHANGE, pk=person_id)
    other_id = request.POST.get("other") or request.GET.get("other")
    other = None
    if other_id:
        other = get_scoped_or_404(Person, request.user, CHANGE, pk=other_id)
    if (
        request.method == "POST"
        and other is not None
        and request.POST.get("confirm") == "1"
        and perform(
            request,
            lambda: actions.merge_persons(survivor, other, acting_user=request.user),
            success=_("Records merged. The merge can be undone."),
        )
    ):
        return redirect(_detail_url(survivor))
    views = present_many([p for p in (survivor, other) if p is not None], request.user)
    return render(
        request, "registry/merge.html", {"survivor": views[0], "other": views[1] if other else None}
    )


@login_required
@require_POST
def merge_undo(request, merge_id: int):
    record = get_object_or_404(PersonMerge, pk=merge_id)
    # Undoing needs the right to change the survivor, like merging did.
    survivor = get_scoped_or_404(Person, request.user, CHANGE, pk=record.survivor_id)
    perform(
        request,
        lambda: actions.undo_merge(record, acting_user=request.user),
        success=_("Merge undone: both records are separate again."),
    )
    return redirect(_detail_url(survivor))


@login_required
@require_POST
def link_relative(request, person_id: int):
    person = get_scoped_or_404(Person, request.user, CHANGE, pk=person_id)
    relative_id = request.POST.get("relative", "")
    if not (relative_id.isascii() and relative_id.isdigit()):
        messages.error(request, _("Give the record number of the relative."))
        return redirect(_detail_url(person))
    relative = get_scoped_or_404(Person, request.user, pk=int(relative_id))
    perform(
        request,
        lambda: actions.link_relative(
            person,
            relative,
            request.POST.get("kind", ""),
            acting_user=request.user,
            note=request.POST.get("note", ""),
        ),
        success=_("Family link recorded."),
    )
    return redirect(_detail_url(person))


EXPORT_LIMIT = 50_000


@login_required
@require_http_methods(["GET", "POST"])
def person_export(request):
    """The current search as CSV, masked as the user may see it; the export is audited."""
    search = _search_data(request)
    results, _filterset = _people(request, search)
    people = list(results[:EXPORT_LIMIT])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="registri.csv"'
    response.write("\ufeff")  # so Excel opens the UTF-8 file with the right characters
    writer = csv_writer(response)
    writer.writerow(
        [
            _("Record"),
            _("Name"),
            _("NIK"),
            _("Unverified NIK"),
            _("Sex"),
            _("Born"),
            _("Place"),
            "RT",
            "RW",
            _("Living status"),
            _("Categories"),
            _("Protected"),
        ]
    )
    views = present_many(people, request.user)
    for view in views:
        p = view.person
        writer.writerow(
            [
                p.pk,
                view.name,
                view.nik,
                view.nik_unverified,
                view.sex,
                view.birth,
                view.place,
                # RT/RW and living status under the identity rule, like the place's village.
                p.rt if view.identity else "",
                p.rw if view.identity else "",
                view.living_status,
                "; ".join(view.category_names),
                _("yes") if not view.identity else "",
            ]
        )
    audit_shown(
        views,
        acting_user=request.user,
        what=f"export of {len(people)} records",
        filters=search,
    )
    return response


@login_required
@require_POST
def photo_upload(request, person_id: int):
    person = get_scoped_or_404(Person, request.user, CHANGE, pk=person_id)
    upload = request.FILES.get("photo")
    if upload is None:
        messages.error(request, _("Choose a photo."))
    else:
        perform(
            request,
            lambda: actions.set_photo(person, upload, acting_user=request.user),
            success=_("Photo saved."),
        )
    return redirect(_detail_url(person))


@login_required
def photo(request, person_id: int):
    # A photo shows who the person is: only where the identity is visible. A masked
    # record's photo is as absent (404) as a record out of sight.
    person = get_scoped_or_404(Person, request.user, pk=person_id)
    return serve_file(
        request.user, person, person.photo, action=VIEW_IDENTITY, inline=True, message="photo"
    )


@login_required
@require_POST
def category_set(request, person_id: int):
    """Add a category, or verify / reject / end one the person holds."""
    person = get_scoped_or_404(Person, request.user, CHANGE, pk=person_id)
    form = PersonCategoryForm(request.POST)
    if form.is_valid():
        perform(
            request,
            lambda: actions.set_category(
                person,
                form.cleaned_data["category"],
                acting_user=request.user,
                status=form.cleaned_data["status"],
                end_date=form.cleaned_data["end_date"],
            ),
            success=_("Category saved."),
        )
    else:
        messages.error(request, _("Choose a category and a verification status."))
    return redirect(_detail_url(person))


@login_required
@require_POST
def life_status_set(request, person_id: int):
    """Mark the person moved away or deceased from a date, or living here again."""
    person = get_scoped_or_404(Person, request.user, CHANGE, pk=person_id)
    form = LifeStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_detail_url(person))
    try:
        perform(
            request,
            lambda: actions.set_life_status(
                person,
                form.cleaned_data["status"],
                on=form.cleaned_data["on"],
                moved_to=form.cleaned_data["moved_to"],
                expected_version=form.cleaned_data["version"],
                acting_user=request.user,
            ),
            success=_("Living status saved."),
        )
    except actions.EditConflict:
        messages.error(request, STALE_PAGE)
    return redirect(_detail_url(person))


@login_required
@require_POST
def alias_add(request, person_id: int):
    person = get_scoped_or_404(Person, request.user, CHANGE, pk=person_id)
    # The action judges the name and its kind (AliasForm only draws the fields), so its
    # refusal is the one message, whichever way the name came.
    perform(
        request,
        lambda: actions.add_alias(
            person,
            request.POST.get("name", ""),
            request.POST.get("kind", PersonAlias.Kind.ALIAS),
            acting_user=request.user,
        ),
        success=_("Other name added."),
    )
    return redirect(_detail_url(person))
