"""The case page's cheaper rendering (issue 18): the choice widgets written out in Python
give Django's markup character for character, the page's forms share one fetch of the
service types, and the page's query count is pinned and does not grow with its lists."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.safestring import mark_safe

from jejaring.accounts.models import User
from jejaring.cases import actions
from jejaring.cases.filters import CaseFilter
from jejaring.cases.forms import (
    ConsentForm,
    NeedsForm,
    OpenCaseForm,
    ReferralForm,
    ServiceForm,
    TransitionForm,
    offer,
)
from jejaring.cases.models import Case, ServiceType
from jejaring.core.widgets import FastCheckboxSelectMultiple, FastSelect
from tests.helpers import count_fast_widgets_rendering_as_djangos, django_twin

CHOICES = [
    (1, "Makan & minum"),
    ("<x>", 'kutip "ganda"'),
    (3, mark_safe("<b>aman</b>")),
    ("Kelompok <g>", [(4, "satu"), (5, "dua")]),
]


def render_both(widget, name, value, attrs):
    return (
        widget.render(name, value, attrs=dict(attrs)),
        django_twin(widget).render(name, value, attrs=dict(attrs)),
    )


@pytest.mark.parametrize("value", [None, "", 1, "<x>", 4])
@pytest.mark.parametrize(
    "attrs",
    [{}, {"id": "id_f"}, {"id": "f", "class": "wide", "required": True, "disabled": False}],
)
def test_fast_select_writes_djangos_markup(value, attrs):
    fast, django = render_both(FastSelect(choices=CHOICES), "f", value, attrs)
    assert fast == django
    assert "&lt;x&gt;" in fast and "<b>aman</b>" in fast  # escaped, safe text kept


@pytest.mark.parametrize("value", [None, [], [1], ["<x>", 5]])
@pytest.mark.parametrize("attrs", [{}, {"id": "id_f"}, {"id": "f", "class": "c", "x": True}])
def test_fast_checkboxes_write_djangos_markup(value, attrs):
    fast, django = render_both(FastCheckboxSelectMultiple(choices=CHOICES), "f", value, attrs)
    assert fast == django
    assert "checked" in fast if value else "checked" not in fast


@pytest.mark.django_db
def test_the_case_forms_render_as_with_djangos_widgets():
    case = Case.objects.select_related("person").filter(state="assessed").first() or (
        Case.objects.first()
    )
    rows = list(ServiceType.objects.active())
    bound_referral = ReferralForm({"reason": "", "services": [str(rows[0].pk), str(rows[2].pk)]})
    bound_referral.is_valid()
    forms_shown = [
        NeedsForm(initial={"needs": rows[:2]}),
        offer(NeedsForm(initial={"needs": rows[:2]}), rows),
        ServiceForm(),
        offer(ServiceForm(), rows),
        ReferralForm(),
        offer(bound_referral, rows),
        TransitionForm(case=case),
        OpenCaseForm(),
        ConsentForm(),
        CaseFilter({"state": "assessed"}).form,
    ]
    fast_widgets = count_fast_widgets_rendering_as_djangos(forms_shown)
    assert fast_widgets == 12


@pytest.mark.django_db
def test_offered_service_types_are_the_fields_own_choices():
    rows = list(ServiceType.objects.active())
    for make in (NeedsForm, ServiceForm, ReferralForm):
        own = [str(f) for f in make().visible_fields()]
        assert [str(f) for f in offer(make(), rows).visible_fields()] == own
        assert offer(make(), None).fields.keys() == make().fields.keys()


@pytest.mark.django_db
def test_an_offered_form_still_validates_against_its_queryset():
    retired = ServiceType.objects.active().first()
    rows = list(ServiceType.objects.active())
    ServiceType.objects.filter(pk=retired.pk).update(is_active=False)
    form = offer(NeedsForm({"needs": [retired.pk]}), rows)
    assert not form.is_valid()


# The case page of an open case for its handling worker (all forms shown), counted
# without transaction statements (PostgreSQL shows the audit write's BEGIN/COMMIT, SQLite
# does not): session, user, roles and organisation; the case with its person, region,
# organisation, category and worker; one query per list (needs, history, services,
# referrals, notes, devices, attachments); the change check, the person view and its
# read in the audit log (2 INSERTs; 1 on PostgreSQL); the service types once for three forms; the
# suggestions (leading sectors, panti, nearby); staff, organisations; the navigation's
# unread count. 27 before issue 18 (service types 3×, history, services, referrals and
# notes each 2 queries, the person's region lazily); 21 since the user's roles and
# organisation come with the user (issue 18, accounts.backends); 19 since may-change and
# the person's identity come with the case (get_scoped_or_404(..., may=...)).
# 18 on PostgreSQL since the read row and its subjects are one statement there (audit.log).
CASE_PAGE_QUERIES = 18 if connection.vendor == "postgresql" else 19
TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def page_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    statements = [q["sql"] for q in captured if not q["sql"].startswith(TRANSACTION)]
    return response, statements


def open_case_of(username):
    user = User.objects.get(username=username)
    case = (
        Case.objects.restrict(user)
        .filter(organisation_id=user.organisation_id)
        .exclude(state="closed")
        .order_by("pk")
        .first()
    )
    return user, case


@pytest.mark.django_db
def test_case_page_query_count_is_pinned_and_does_not_grow(as_user):
    user, case = open_case_of("petugas.pekanbaru")
    client = as_user("petugas.pekanbaru")
    url = reverse("cases:detail", args=[case.pk])
    assert client.get(url).status_code == 200
    _, statements = page_queries(client, url)
    assert len(statements) == CASE_PAGE_QUERIES, "\n".join(statements)
    rows = list(ServiceType.objects.active()[:2])
    for n in range(3):
        actions.add_note(case, f"uji-catatan-{n}", acting_user=user)
        actions.record_service(
            case, rows[n % 2], datetime.date(2026, 1, 2 + n), acting_user=user, quantity=1
        )
    again, statements = page_queries(client, url)
    assert len(statements) == CASE_PAGE_QUERIES, "\n".join(statements)
    assert len([q for q in statements if q.startswith('SELECT "cases_servicetype"')]) == 1
    assert again.content.count(b"uji-catatan-") == 3
    assert b'name="needs"' in again.content and b'name="service_type"' in again.content


@pytest.mark.django_db
def test_case_page_without_change_rights_fetches_no_service_types(as_user):
    # The province's office head reads a regency's case: no form offers service types.
    user, case = open_case_of("petugas.bandung")
    client = as_user("pimpinan.jabar")
    response, statements = page_queries(client, reverse("cases:detail", args=[case.pk]))
    assert not response.context["may_change"]
    assert b'name="service_type"' not in response.content
    assert not [q for q in statements if q.startswith('SELECT "cases_servicetype"')]
    assert response.context["service_form"].fields["service_type"].queryset.model is ServiceType
