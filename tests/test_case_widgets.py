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
from jejaring.audit.models import AuditEntry
from jejaring.cases import actions
from jejaring.cases.filters import CaseFilter
from jejaring.cases.forms import (
    ConsentForm,
    NeedsForm,
    OpenCaseForm,
    ReferralForm,
    ServiceForm,
    TransitionForm,
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
        ServiceForm(),
        ReferralForm(),
        bound_referral,
        TransitionForm(case=case),
        OpenCaseForm(),
        ConsentForm(),
        CaseFilter({"state": "assessed"}).form,
    ]
    fast_widgets = count_fast_widgets_rendering_as_djangos(forms_shown)
    assert fast_widgets == 10


# The case page of an open case for its handling worker, counted without transaction
# statements (PostgreSQL shows the audit write's BEGIN/COMMIT, SQLite does not): session,
# user, roles and organisation; the case with its person, region, organisation, category
# and worker; one query per list (needs, history, services, referrals, notes, devices,
# attachments); the change check, the person view and its read in the audit log (2
# INSERTs; 1 on PostgreSQL); staff; the navigation's unread count. 27 before issue 18;
# 18 on PostgreSQL with the user's roles, may-change and the identity fetched with their
# rows and the read row in one statement; 13 since the folded forms (assessment, service,
# referral: service types, three suggestion queries, the organisations) load when opened.
CASE_PAGE_QUERIES = 13 if connection.vendor == "postgresql" else 14
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


HTMX = {"HTTP_HX_REQUEST": "true"}


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
    assert again.content.count(b"uji-catatan-") == 3
    # The forms are not on the page: each fold fetches its own when opened.
    assert not [q for q in statements if q.startswith('SELECT "cases_servicetype"')]
    assert b'name="needs"' not in again.content and b'name="service_type"' not in again.content
    for fold in ("needs", "service", "referral"):
        assert reverse("cases:fold", args=[case.pk, fold]).encode() in again.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fold", "field"),
    [("needs", b'name="needs"'), ("service", b'name="service_type"'), ("referral", b"other-org")],
)
def test_each_fold_brings_its_form_as_a_fragment_or_a_page(as_user, fold, field):
    _, case = open_case_of("petugas.pekanbaru")
    client = as_user("petugas.pekanbaru")
    url = reverse("cases:fold", args=[case.pk, fold])
    reads = AuditEntry.objects.filter(action="read", object_type="registry.person")
    before = reads.count()
    fragment = client.get(url, **HTMX)
    assert fragment.status_code == 200 and field in fragment.content
    assert b"<html" not in fragment.content  # only the form, into the open fold
    assert reads.count() == before  # it shows nobody: the case page recorded the read
    # Without script, the link opens it as a page headed by the case's person (a read,
    # recorded as the case page's is) with a way back.
    page = client.get(url)
    assert page.status_code == 200 and b"<html" in page.content and field in page.content
    assert reverse("cases:detail", args=[case.pk]).encode() in page.content
    assert case.person.full_name.encode() in page.content
    assert reads.count() == before + 1


@pytest.mark.django_db
def test_folds_are_refused_where_the_case_cannot_be_changed(as_user):
    # The province's office head reads a regency's case: no form, and no fold to fetch
    # (403, as for its actions: the case is one the head sees).
    _, case = open_case_of("petugas.bandung")
    client = as_user("pimpinan.jabar")
    response, statements = page_queries(client, reverse("cases:detail", args=[case.pk]))
    assert not response.context["may_change"]
    assert b'name="service_type"' not in response.content
    assert reverse("cases:fold", args=[case.pk, "service"]).encode() not in response.content
    for fold in ("needs", "service", "referral"):
        url = reverse("cases:fold", args=[case.pk, fold])
        assert client.get(url, **HTMX).status_code == 403
        # Out of scope, it does not exist.
        assert as_user("petugas.pekanbaru").get(url, **HTMX).status_code == 404
    # Nor for its own worker, when the case is closed or the fold unknown.
    owner = as_user("petugas.bandung")
    assert owner.get(reverse("cases:fold", args=[case.pk, "nonsense"])).status_code == 404
    Case.objects.filter(pk=case.pk).update(state="closed")
    assert owner.get(reverse("cases:fold", args=[case.pk, "service"])).status_code == 404
