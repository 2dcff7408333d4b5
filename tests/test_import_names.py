"""Names, not ids, on the import and review pages (issue 14): the report says to whom a
row was linked, the rows and a row's page name the person, the review queue names both
people of a pair and gives the odds in Indonesian numbers — each person through the
registry's identity rule (initials where the reader may not see who it is), every read
in the audit log; and the empty states say what to do next."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jejaring.accounts.actions import create_user
from jejaring.accounts.models import User
from jejaring.accounts.roles import Role
from jejaring.audit.models import AuditEntry
from jejaring.imports import actions
from jejaring.imports.models import ImportedRow, LinkReview, RowOutcome
from jejaring.imports.review_pairs import linked_people
from jejaring.network.models import Organisation
from jejaring.registry.models import Person
from tests.conftest import login_client

pytestmark = pytest.mark.django_db

OFFICER = "data.pekanbaru"
# The demo registry holds "Muhammad Rizki" (NIK 1471011203140001, 12-03-2014): the first
# row links to him by NIK, the second is a possible duplicate sent for review.
RIZKI_CSV = (
    b"Nama,NIK,Jenis Kelamin,Tgl Lahir,Kode Wilayah,Nama Ibu\n"
    b"Mohamad Rizky,1471011203140001,L,12/03/2014,14.71.01.1002,\n"
    b"Mochamad Riski,,L,2014,14.71.01.1002,\n"
)


def imported(content: bytes, username: str = OFFICER, name: str = "rizki.csv"):
    user = User.objects.get(username=username)
    job = actions.upload_file(
        SimpleUploadedFile(name, content), organisation=user.organisation, acting_user=user
    )
    actions.start_check(job, acting_user=user, background=False)
    actions.run_check(job, acting_user=user)
    actions.start_import(job, acting_user=user, background=False)
    return actions.run_import(job, acting_user=user)


@pytest.fixture
def job(db):
    return imported(RIZKI_CSV)


@pytest.fixture
def rizki(db):
    return Person.objects.get(full_name="Muhammad Rizki")


def bulk_reads(message_start: str) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(action="read", message__startswith=message_start).order_by("pk")
    )


def person_link(person) -> str:
    return f'href="{reverse("registry:detail", args=[person.pk])}"'


# --- the import report, its rows and a row ------------------------------------------------


def test_the_report_says_to_whom_a_row_was_linked(job, rizki):
    assert job.counts["linked"] == 1
    html = login_client(OFFICER).get(reverse("imports:detail", args=[job.pk])).content.decode()
    linked = html[html.index('id="linked"') :]
    linked = linked[: linked.index("</section>")]
    assert "Muhammad Rizki" in linked
    assert person_link(rizki) in linked
    assert 'data-label="Ditautkan ke"' in linked
    # Showing who is a read of that person, in the audit log.
    (entry,) = bulk_reads("import report")
    assert entry.after["person_ids"] == [rizki.pk]


def test_the_rows_and_a_rows_page_name_the_person(job, rizki):
    client = login_client(OFFICER)
    html = client.get(reverse("imports:rows", args=[job.pk])).content.decode()
    row = re.search(r'<tr data-row="2">(.*?)</tr>', html, re.S).group(1)
    assert "Muhammad Rizki" in row and person_link(rizki) in row
    assert f">#{rizki.pk}<" not in html
    (entry,) = bulk_reads("import rows")
    assert rizki.pk in entry.after["person_ids"]

    linked = ImportedRow.objects.get(job=job, person=rizki)
    page = client.get(reverse("imports:row", args=[job.pk, linked.row])).content.decode()
    facts = page[page.index('id="row-facts"') :]
    assert "Muhammad Rizki" in facts[: facts.index("</dl>")]
    assert AuditEntry.objects.filter(
        action="read", object_type="registry.person", object_id=str(rizki.pk)
    ).exists()


@pytest.fixture
def office_head(db):
    """The Riau office head, who may import and sees Pekanbaru's protected child masked."""
    return create_user(
        username="pimpinan.riau",
        organisation=Organisation.objects.get(code="dinsos-prov-riau"),
        roles=[Role.OFFICE_HEAD],
        password=None,
        acting_user=None,
    )


def test_a_person_the_reader_may_not_identify_is_named_by_initials(office_head):
    putri = Person.objects.get(full_name="Putri Ayu Lestari")
    job = imported(
        b"Nama,Jenis Kelamin,Tgl Lahir,Kode Wilayah\nBudi Santoso,L,03/04/2015,14.71.01.1002\n",
        username=office_head.username,
        name="riau.csv",
    )
    # A row of this job that went to the protected child, as the loader stores a link.
    row = ImportedRow.objects.get(job=job)
    row.person, row.outcome = putri, RowOutcome.LINKED
    row.save(update_fields=["person", "outcome"])

    (view,) = linked_people([row], office_head).values()
    assert not view.identity and view.name == "P. A. L. (dilindungi)"
    client = login_client(office_head.username)
    for url in (
        reverse("imports:rows", args=[job.pk]),
        reverse("imports:row", args=[job.pk, row.row]),
    ):
        html = client.get(url).content.decode()
        assert "P. A. L. (dilindungi)" in html, url
        assert "Putri" not in html, url
    # Someone who may not see her record at all gets neither a name nor a link.
    assert linked_people([row], User.objects.get(username="petugas.bandung")) == {}


# --- the review queue ---------------------------------------------------------------------


def test_the_queue_names_both_people_and_gives_the_odds_in_indonesian(job, rizki):
    review = LinkReview.objects.get(job=job)
    review.score = 10.5  # as the engine would store it, for a known figure
    review.save(update_fields=["score"])
    html = login_client(OFFICER).get(reverse("imports:reviews")).content.decode()
    card = re.search(rf'data-review="{review.pk}">(.*?)</li>', html, re.S).group(1)
    heading = re.search(r"<h2>(.*?)</h2>", card, re.S).group(1)
    assert "Mochamad Riski dan Muhammad Rizki" in heading
    assert f"#{review.pk}" not in heading
    assert "bobot +10,5" in card and "10.5" not in card
    assert person_link(rizki) in card and f">#{rizki.pk}<" not in card


def test_a_pair_page_names_and_links_both_records(job, rizki):
    review = LinkReview.objects.get(job=job)
    html = login_client(OFFICER).get(reverse("imports:review", args=[review.pk])).content.decode()
    compare = html[html.index('id="compare"') : html.index("</table>")]
    assert person_link(rizki) in compare and person_link(review.record) in compare
    assert f"#{rizki.pk}" not in compare
    # On a phone each cell says which record it is.
    assert compare.count('data-label="Data baru"') == compare.count(
        'data-label="Data yang sudah ada"'
    )
    assert 'data-label="Data baru"' in compare


# --- empty states ---------------------------------------------------------------------------


def test_no_imports_yet_offers_the_upload(db):
    html = login_client(OFFICER).get(reverse("imports:list")).content.decode()
    empty = html[html.index('id="no-imports"') :]
    assert "Belum ada impor." in empty
    assert re.search(r'<a class="button" href="#id_file">Unggah berkas</a>', empty)
    assert 'id="id_file"' in html


def test_an_empty_review_queue_says_it_is_clear(db):
    html = login_client(OFFICER).get(reverse("imports:reviews")).content.decode()
    empty = html[html.index('id="queue-empty"') :]
    assert "antrean sudah bersih" in empty
    assert reverse("imports:review_scan") in empty
    other = login_client(OFFICER).get(reverse("imports:reviews"), {"status": "merged"})
    assert "Belum ada pasangan dengan status ini." in other.content.decode()


def test_the_import_list_reads_on_a_phone(job):
    html = login_client(OFFICER).get(reverse("imports:list")).content.decode()
    table = html[html.index("<table") : html.index("</table>")]
    cells = re.findall(r"<td( [^>]*)?>", table)
    assert cells and all('data-label="' in attrs for attrs in cells)
    # The upload's time in the Indonesian short format, 02-12-2026 14.30.
    assert re.search(r"\d{2}-\d{2}-\d{4} \d{1,2}\.\d{2}", table)
