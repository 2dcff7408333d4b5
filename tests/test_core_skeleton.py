"""The shared skeleton every app is built on (core.pages, core.api_helpers,
core.files.serve_file, core.scoping.RestrictedPrefetch), tested on its own so an
app's page can trust it."""

import django_filters
import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import Http404
from django.test import RequestFactory

from jejaring.accounts.models import User
from jejaring.audit.models import AuditEntry
from jejaring.core.api_helpers import Inputs
from jejaring.core.files import serve_file
from jejaring.core.pages import chosen, form_page, listing, perform
from jejaring.core.scoping import RestrictedPrefetch
from jejaring.network import actions as network_actions
from jejaring.network.models import Organisation, OrganisationContact


def page_request(path="/", data=None, *, user=None, method="get"):
    factory = RequestFactory()
    request = factory.post(path, data or {}) if method == "post" else factory.get(path, data or {})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.user = user
    return request


def shown(request) -> list[str]:
    return [str(m) for m in get_messages(request)]


class NameForm(forms.Form):
    name = forms.CharField()


def refuse_name():
    raise ValidationError({"name": "Nama ini sudah dipakai."})


def refuse_elsewhere():
    raise ValidationError({"deadline": "Tenggat sudah lewat."})


def test_a_done_action_says_so_and_hands_back_its_result():
    request = page_request()
    outcome = perform(request, lambda: 41 + 1, success=lambda n: f"Selesai: {n}")
    assert outcome and outcome.result == 42
    assert shown(request) == ["Selesai: 42"]


def test_a_refusal_about_the_forms_fields_goes_on_the_form():
    request = page_request(method="post")
    form = NameForm({"name": "Siti"})
    assert form.is_valid()
    outcome = perform(request, refuse_name, success="tidak terlihat", form=form)
    assert not outcome and outcome.on_form
    assert form.errors["name"] == ["Nama ini sudah dipakai."]
    assert shown(request) == []


def test_a_refusal_about_other_fields_goes_on_the_form_as_its_own_error():
    form = NameForm({"name": "Siti"})
    form.is_valid()
    outcome = perform(page_request(), refuse_elsewhere, form=form)
    assert outcome.on_form
    assert form.non_field_errors() == ["Tenggat sudah lewat."]


def test_a_small_form_on_a_detail_page_shows_other_refusals_as_a_message():
    request = page_request(method="post")
    form = NameForm({"name": "Siti"})
    form.is_valid()
    outcome = perform(request, refuse_elsewhere, form=form, errors_on_form=False)
    assert not outcome and not outcome.on_form
    assert not form.errors
    assert shown(request) == ["Tenggat sudah lewat."]
    # About the form's own field: still on the form.
    outcome = perform(request, refuse_name, form=form, errors_on_form=False)
    assert outcome.on_form and form.errors["name"]


def test_a_refusal_without_a_form_is_a_message():
    request = page_request()
    assert not perform(request, refuse_elsewhere, success="tidak")
    assert shown(request) == ["Tenggat sudah lewat."]


def test_the_form_page_keeps_the_input_on_refusal_and_redirects_when_done(db):
    user = User.objects.get(username="petugas.bandung")
    request = page_request("/x/", {"name": "Siti"}, user=user, method="post")
    response = form_page(
        request,
        NameForm(request.POST),
        "core/csrf_failure.html",
        lambda data: refuse_name(),
        success="x",
        then=lambda result: "/done/",
    )
    assert response.status_code == 200
    request = page_request("/x/", {"name": "Siti"}, user=user, method="post")
    response = form_page(
        request,
        NameForm(request.POST),
        "core/csrf_failure.html",
        lambda data: data["name"],
        success=lambda name: f"Tersimpan: {name}",
        then=lambda name: f"/done/{name}/",
    )
    assert response.status_code == 302 and response["Location"] == "/done/Siti/"
    assert shown(request) == ["Tersimpan: Siti"]


class OrganisationCodeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=[("active", "aktif"), ("pending", "menunggu")])

    class Meta:
        model = Organisation
        fields = ["status"]


def test_the_list_helper_filters_pages_and_keeps_the_filter_in_the_page_links(db):
    queryset = Organisation.objects.order_by("pk")
    request = page_request("/", {"status": "active", "page": "2"})
    context = listing(request, queryset, OrganisationCodeFilter, per_page=2)
    active = queryset.filter(status="active")
    assert context["page_obj"].paginator.count == active.count()
    assert context["page_obj"].number == 2
    assert context["query_string"] == "status=active"
    assert chosen(context, "status") == "active"


def test_a_lists_defaults_hold_for_a_first_visit_and_its_pages_not_for_a_chosen_filter(db):
    queryset = Organisation.objects.order_by("pk")
    Organisation.objects.filter(pk=queryset.first().pk).update(status="pending")
    active = queryset.filter(status="active").count()

    def shown(query: dict) -> int:
        context = listing(
            page_request("/", query),
            queryset,
            OrganisationCodeFilter,
            defaults={"status": "active"},
        )
        return context["page_obj"].paginator.count

    assert shown({}) == active  # a first visit
    assert shown({"page": "2"}) == active  # its next page, whose links carry no filter
    assert shown({"status": ""}) == queryset.count()  # the form sent with "all"
    assert shown({"status": "pending"}) == queryset.filter(status="pending").count() >= 1


def test_a_bad_filter_value_is_shown_on_the_form_and_filters_nothing(db):
    queryset = Organisation.objects.order_by("pk")
    context = listing(page_request("/", {"status": "nonsense"}), queryset, OrganisationCodeFilter)
    assert context["filterset"].errors["status"]
    assert chosen(context, "status") == ""
    assert context["page_obj"].paginator.count == 0 or context["page_obj"].paginator.count == (
        queryset.count()
    )


class ApiRequest:
    def __init__(self, user):
        self.auth = user


def test_a_colleague_lookup_says_the_same_for_unknown_and_other_organisations(db):
    user = User.objects.get(username="petugas.bandung")
    other = User.objects.exclude(organisation_id=user.organisation_id).filter(is_active=True)
    outsider = other.first()
    colleague = User.objects.filter(organisation_id=user.organisation_id, is_active=True).first()
    answers = []
    for pk in (outsider.pk, 10**9):
        inputs = Inputs(ApiRequest(user))
        assert inputs.colleague(pk, "assigned_worker") is None
        answers.append(inputs.errors)
    assert answers[0] == answers[1] == {"assigned_worker": ["Pengguna tidak dikenal."]}
    inputs = Inputs(ApiRequest(user))
    assert inputs.colleague(colleague.pk, "assigned_worker") == colleague
    inputs.check()


def test_named_objects_out_of_sight_are_unknown_like_missing_ones(db):
    user = User.objects.get(username="mitra.lksa")
    hidden = Organisation.objects.exclude(pk__in=Organisation.objects.restrict(user)).first()
    inputs = Inputs(ApiRequest(user))
    inputs.organisation(hidden.pk, "organisation")
    inputs.organisation(10**9, "partner")
    inputs.categories(["anak_jalanan", "no_such_category"], "categories")
    with pytest.raises(ValidationError) as refused:
        inputs.check()
    errors = refused.value.message_dict
    assert errors["organisation"] == errors["partner"] == ["Lembaga tidak dikenal."]
    assert errors["categories"] == ["Kategori PMKS tidak dikenal: no_such_category."]


def test_a_prefetch_restricts_the_children_like_the_parent(db):
    """A partner sees the directory of active organisations but not their contact
    persons: prefetched contacts must be empty for it, and present for the owner."""
    owner = User.objects.get(username="petugas.pekanbaru")
    organisation = owner.organisation
    network_actions.add_contact(
        organisation, {"name": "Kontak Uji", "phone": "0812"}, acting_user=owner
    )
    partner = User.objects.get(username="mitra.lksa")
    assert (
        not OrganisationContact.objects.restrict(partner).filter(organisation=organisation).exists()
    )

    def contacts_seen_by(user):
        (found,) = Organisation.objects.filter(pk=organisation.pk).prefetch_related(
            RestrictedPrefetch("contacts", user, OrganisationContact)
        )
        return list(found.contacts.all())

    assert contacts_seen_by(partner) == []
    assert "Kontak Uji" in [c.name for c in contacts_seen_by(owner)]


def test_a_served_file_is_audited_and_a_lost_one_answers_404(db, tmp_path, settings):
    from django.db.models.fields.files import FieldFile

    from jejaring.cases.models import CaseAttachment

    settings.MEDIA_ROOT = str(tmp_path)
    field = CaseAttachment._meta.get_field("file")
    owner = User.objects.get(username="petugas.pekanbaru")
    organisation = owner.organisation
    name = field.storage.save("bukti/surat.pdf", ContentFile(b"%PDF-1.4 uji"))
    stored = FieldFile(organisation, field, name)
    before = AuditEntry.objects.count()
    response = serve_file(owner, organisation, stored, "surat.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert AuditEntry.objects.count() == before + 1
    field.storage.delete(name)
    with pytest.raises(Http404):
        serve_file(owner, organisation, FieldFile(organisation, field, name), "surat.pdf")
    assert AuditEntry.objects.count() == before + 1


def test_a_file_of_a_record_out_of_sight_answers_404_and_reads_nothing(db):
    outsider = User.objects.get(username="mitra.lksa")
    hidden = Organisation.objects.exclude(pk__in=Organisation.objects.restrict(outsider)).first()
    before = AuditEntry.objects.count()
    with pytest.raises(Http404):
        serve_file(outsider, hidden, ContentFile(b"%PDF", name="x.pdf"), "x.pdf")
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    ("username", "url", "bad"),
    [
        ("petugas.pekanbaru", "cases:board", {"state": "zzz"}),
        ("petugas.pekanbaru", "cases:overlaps", {"organisation": "zzz"}),
        ("petugas.pekanbaru", "collaboration:commitments", {"state": "zzz"}),
        ("petugas.pekanbaru", "collaboration:agreements", {"state": "zzz"}),
        ("admin", "audit:list", {"action": "zzz"}),
        ("admin", "accounts:user_list", {"role": "zzz"}),
    ],
)
def test_a_bad_filter_value_is_described_where_the_field_points(as_user, username, url, bad):
    """A screen reader follows a field's aria-describedby to its error: the id must be on
    the page, or the person hears nothing about what was wrong."""
    import re

    from django.urls import reverse

    response = as_user(username).get(reverse(url), bad)
    assert response.status_code == 200
    html = response.content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert described, "the bad value was not marked on its field"
    for ids in described:
        for target in ids.split():
            assert f'id="{target}"' in html, target
