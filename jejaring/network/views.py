"""Pages of the network directory. Thin: scope, form, action, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jejaring.core.filtering import is_htmx
from jejaring.core.forms import apply_validation_error
from jejaring.core.scoping import CHANGE, VIEW_PRIVATE, can, get_scoped_or_404

from . import actions
from .filters import OrganisationFilter
from .forms import ContactForm, OrganisationForm
from .models import Organisation, OrganisationContact, OrganisationStatus

PAGE_SIZE = 25


@login_required
def organisation_list(request):
    request.nav_section = "network"
    queryset = (
        Organisation.objects.restrict(request.user)
        .select_related("type", "home_region")
        .prefetch_related("pmks_categories")
    )
    filterset = OrganisationFilter(request.GET or None, queryset=queryset)
    page_obj = Paginator(filterset.qs if filterset.is_bound else queryset, PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filterset": filterset,
        "page_obj": page_obj,
        "query_string": query.urlencode(),
        "may_create": actions.may_register_organisations(request.user),
    }
    template = "network/_results.html" if is_htmx(request) else "network/list.html"
    return render(request, template, context)


@login_required
def organisation_detail(request, org_id: int):
    request.nav_section = "network"
    org = get_scoped_or_404(
        Organisation.objects.select_related("type", "home_region").prefetch_related(
            "service_area", "pmks_categories"
        ),
        request.user,
        pk=org_id,
    )
    private = can(request.user, VIEW_PRIVATE, org)
    context = {
        "org": org,
        "may_change": can(request.user, CHANGE, org),
        "may_verify": org.status != OrganisationStatus.ACTIVE
        and actions.may_create_in(request.user, org.home_region),
        "private": private,
        "contacts": OrganisationContact.objects.restrict(request.user).filter(organisation=org)
        if private
        else [],
        "staff": org.staff.restrict(request.user).filter(is_active=True).prefetch_related("roles")
        if private
        else [],
        "contact_form": ContactForm(),
    }
    return render(request, "network/detail.html", context)


@login_required
def organisation_create(request):
    request.nav_section = "network"
    if not actions.may_register_organisations(request.user):
        raise PermissionDenied(_("Only social offices and administrators register organisations."))
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            org = actions.create_organisation(data, acting_user=request.user)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Organisation registered."))
            return redirect("network:detail", org_id=org.pk)
    return render(request, "network/form.html", {"form": form, "creating": True})


@login_required
def organisation_edit(request, org_id: int):
    request.nav_section = "network"
    org = get_scoped_or_404(Organisation, request.user, CHANGE, pk=org_id)
    allowed = None
    if not actions.may_create_in(request.user, org.home_region):
        allowed = {org.status}
    form = OrganisationForm(request.POST or None, instance=org, allowed_statuses=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            # Rebuild from the database: a failed ModelForm validation mutated ``org``.
            actions.update_organisation(
                Organisation.objects.get(pk=org.pk),
                form.changes(),
                acting_user=request.user,
                expected_version=form.cleaned_data.get("version") or 0,
            )
        except actions.OrganisationConflict as exc:
            # Keep what was typed; the next save, made after comparing, goes over the
            # version saved meanwhile.
            data = request.POST.copy()
            data["version"] = exc.current.version
            form = OrganisationForm(data, instance=exc.current, allowed_statuses=allowed)
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Someone else saved this organisation while you were editing. Nothing "
                    "was overwritten: your changes are still in the form below. Compare "
                    "with the saved organisation, then save again."
                ),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("network:detail", org_id=org.pk)
    return render(request, "network/form.html", {"form": form, "org": org})


@login_required
@require_POST
def organisation_verify(request, org_id: int):
    org = get_scoped_or_404(Organisation, request.user, CHANGE, pk=org_id)
    try:
        actions.verify_organisation(org, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Organisation verified and now active."))
    return redirect("network:detail", org_id=org.pk)


@login_required
@require_POST
def contact_add(request, org_id: int):
    org = get_scoped_or_404(Organisation, request.user, CHANGE, pk=org_id)
    form = ContactForm(request.POST)
    if form.is_valid():
        actions.add_contact(org, form.cleaned_data, acting_user=request.user)
        messages.success(request, _("Contact added."))
    else:
        messages.error(
            request,
            _("The contact was not saved: %(errors)s")
            % {
                "errors": "; ".join(
                    f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()
                )
            },
        )
    return redirect("network:detail", org_id=org.pk)


@login_required
@require_POST
def contact_remove(request, org_id: int, contact_id: int):
    contact = get_scoped_or_404(
        OrganisationContact, request.user, CHANGE, pk=contact_id, organisation_id=org_id
    )
    actions.remove_contact(contact, acting_user=request.user)
    messages.success(request, _("Contact removed."))
    return redirect("network:detail", org_id=org_id)
