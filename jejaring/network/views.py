"""Pages of the network directory. Thin: scope, form, action, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jejaring.core.pages import form_page, list_template, listing, perform
from jejaring.core.scoping import CHANGE, VIEW_PRIVATE, can, get_scoped_or_404

from . import actions
from .filters import OrganisationFilter
from .forms import ContactForm, OrganisationForm
from .models import Organisation, OrganisationContact, OrganisationStatus


def _detail_url(org) -> str:
    return reverse("network:detail", kwargs={"org_id": org.pk})


@login_required
def organisation_list(request):
    request.nav_section = "network"
    queryset = (
        Organisation.objects.restrict(request.user)
        .select_related("type", "home_region")
        .prefetch_related("pmks_categories")
    )
    context = listing(request, queryset, OrganisationFilter)
    context["may_create"] = actions.may_register_organisations(request.user)
    return render(
        request, list_template(request, "network/list.html", "network/_results.html"), context
    )


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
    return form_page(
        request,
        OrganisationForm(request.POST or None),
        "network/form.html",
        lambda data: actions.create_organisation(dict(data), acting_user=request.user),
        success=_("Organisation registered."),
        then=_detail_url,
        context={"creating": True},
    )


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
            saved = perform(
                request,
                # Rebuild from the database: a failed ModelForm validation mutated ``org``.
                lambda: actions.update_organisation(
                    Organisation.objects.get(pk=org.pk),
                    form.changes(),
                    acting_user=request.user,
                    expected_version=form.cleaned_data.get("version") or 0,
                ),
                success=_("Changes saved."),
                form=form,
            )
        except actions.OrganisationConflict as exc:
            form = _conflict_form(request, exc.current, allowed)
        else:
            if saved:
                return redirect(_detail_url(org))
    return render(request, "network/form.html", {"form": form, "org": org})


def _conflict_form(request, current: Organisation, allowed) -> OrganisationForm:
    """Keep what was typed; the next save, made after comparing, goes over the version
    saved meanwhile."""
    data = request.POST.copy()
    data["version"] = current.version
    form = OrganisationForm(data, instance=current, allowed_statuses=allowed)
    form.is_valid()
    form.add_error(
        None,
        _(
            "Someone else saved this organisation while you were editing. Nothing "
            "was overwritten: your changes are still in the form below. Compare "
            "with the saved organisation, then save again."
        ),
    )
    return form


@login_required
@require_POST
def organisation_verify(request, org_id: int):
    org = get_scoped_or_404(Organisation, request.user, CHANGE, pk=org_id)
    perform(
        request,
        lambda: actions.verify_organisation(org, acting_user=request.user),
        success=_("Organisation verified and now active."),
    )
    return redirect(_detail_url(org))


@login_required
@require_POST
def contact_add(request, org_id: int):
    org = get_scoped_or_404(Organisation, request.user, CHANGE, pk=org_id)
    form = ContactForm(request.POST)
    if form.is_valid():
        perform(
            request,
            lambda: actions.add_contact(org, form.cleaned_data, acting_user=request.user),
            success=_("Contact added."),
            form=form,
        )
    if form.errors:
        # The detail page does not show this small form again: its errors, and any
        # refusal the action put on it, become one message.
        messages.error(
            request, _("The contact was not saved: %(errors)s") % {"errors": _errors_text(form)}
        )
    return redirect(_detail_url(org))


def _errors_text(form) -> str:
    parts = []
    for field, errors in form.errors.items():
        text = " ".join(errors)
        parts.append(text if field == NON_FIELD_ERRORS else f"{form.fields[field].label}: {text}")
    return "; ".join(parts)


@login_required
@require_POST
def contact_remove(request, org_id: int, contact_id: int):
    contact = get_scoped_or_404(
        OrganisationContact, request.user, CHANGE, pk=contact_id, organisation_id=org_id
    )
    actions.remove_contact(contact, acting_user=request.user)
    messages.success(request, _("Contact removed."))
    return redirect("network:detail", org_id=org_id)
