"""The registry's pages as a workspace (issue 14): a list whose cells say what they are on
a phone, a search that finds nobody and offers to register the person (the typed name
carried by the session, never by a URL), a person's page with unique ids and every field
labelled, and merged records named rather than numbered."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from jejaring.accounts.models import User
from jejaring.registry import actions
from jejaring.registry.models import Person
from jejaring.registry.views import PERSON_FOLDS
from tests.helpers import register_person

pytestmark = pytest.mark.django_db

WORKER = "petugas.pekanbaru"
LIST = reverse("registry:list")
CREATE = reverse("registry:create")
NOBODY = "Siti Nurbaya Hilang"


class Page(HTMLParser):
    """The parts of a page these tests read: every element's id, the labels' targets,
    the form fields, the table cells of the results and every link."""

    FIELDS = ("input", "select", "textarea")

    def __init__(self, html: str):
        super().__init__()
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.fields: list[dict] = []
        self.headers: list[str] = []
        self.cells: list[dict] = []
        self.links: list[str] = []
        self._header: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        if tag in self.FIELDS:
            self.fields.append({"tag": tag, **attrs})
        if tag == "th":
            self._header = []
        if tag == "td":
            self.cells.append(attrs)
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])

    def handle_data(self, data):
        if self._header is not None:
            self._header.append(data)

    def handle_endtag(self, tag):
        if tag == "th" and self._header is not None:
            self.headers.append("".join(self._header).strip())
            self._header = None

    def unlabelled_fields(self) -> list[dict]:
        return [
            f
            for f in self.fields
            if f.get("type") not in ("hidden", "submit")
            and f.get("id") not in self.label_for
            and not f.get("aria-label")
        ]


def search(client, **data):
    """The registry's search as the page sends it: posted, so the words stay out of URLs."""
    return client.post(LIST, data).content.decode()


# --- the list on a phone ------------------------------------------------------------------


def test_every_cell_of_the_registry_list_is_labelled(as_user):
    page = Page(as_user(WORKER).get(LIST).content.decode())
    assert page.cells, "the registry list shows nobody"
    labels = Counter(cell.get("data-label") for cell in page.cells)
    # Each cell carries its column's header: "belum ada NIK / 10-01-2014 / Jadirejo" read
    # on a phone without the header row told nothing.
    assert None not in labels, "a cell without data-label"
    assert set(labels) == {"Nama", "NIK", "Lahir", "Domisili", "Kategori"} == set(page.headers)


# --- a search that finds nobody offers to register ---------------------------------------


def test_a_search_that_finds_nobody_offers_to_register_with_the_typed_name(as_user):
    client = as_user(WORKER)
    html = search(client, q=NOBODY)
    assert "Tidak ada orang yang cocok." in html
    page = Page(html)
    offer = f"{CREATE}?dari=pencarian"
    assert offer in page.links
    # The typed name is in no link of the page, and not in the offer's.
    assert not [link for link in page.links if "Siti" in link or "Nurbaya" in link]

    form = client.get(offer).content.decode()
    assert f'value="{NOBODY}"' in form
    assert 'name="full_name"' in form
    # Once: the form opened again starts empty.
    assert NOBODY not in client.get(offer).content.decode()


def test_digits_that_find_nobody_are_offered_as_the_nik(as_user):
    client = as_user(WORKER)
    search(client, q="1471 0199 0101 0001")
    form = client.get(f"{CREATE}?dari=pencarian").content.decode()
    assert 'value="1471019901010001"' in form
    assert NOBODY not in form


def test_the_offer_is_only_for_a_search_that_found_nobody(as_user):
    client = as_user(WORKER)
    search(client, q=NOBODY)
    # "Register a person" at the top of the registry opens an empty form, and forgets it.
    assert NOBODY not in client.get(CREATE).content.decode()
    assert NOBODY not in client.get(f"{CREATE}?dari=pencarian").content.decode()
    search(client, q=NOBODY)
    html = search(client, q="Muhammad Rizki")
    assert "Muhammad Rizki" in html and "?dari=pencarian" not in html
    # The offer of the empty search is still there to use; a later search kept nothing.
    assert f'value="{NOBODY}"' in client.get(f"{CREATE}?dari=pencarian").content.decode()


def test_someone_who_may_not_register_is_told_how_to_search_again(as_user, monkeypatch):
    from jejaring.registry import views

    monkeypatch.setattr(views, "_may_register", lambda user: False)
    html = search(as_user(WORKER), q=NOBODY)
    assert "Tidak ada orang yang cocok." in html and "Periksa ejaannya" in html
    assert "?dari=pencarian" not in html and "Daftarkan orang" not in html


# --- the person's page ---------------------------------------------------------------------


@pytest.fixture
def rizki(db):
    return Person.objects.get(full_name="Muhammad Rizki")


def test_the_person_page_has_unique_ids_and_labels_every_field(as_user, rizki):
    html = as_user(WORKER).get(reverse("registry:detail", args=[rizki.pk])).content.decode()
    page = Page(html)
    # The worker may change the record: every form of the page is there, folded or not;
    # with every fold opened (each fetches its form), no id twice and every field labelled.
    assert reverse("registry:photo_upload", args=[rizki.pk]) in html
    client = as_user(WORKER)
    for fold in PERSON_FOLDS:
        url = reverse("registry:fold", args=[rizki.pk, fold])
        assert url in html, fold
        html = html.replace(url, "", 1) + client.get(url, HTTP_HX_REQUEST="true").content.decode()
    for form in ("alias_add", "link_relative", "category_set"):
        assert reverse(f"registry:{form}", args=[rizki.pk]) in html, form
    page = Page(html)
    duplicated = [pk for pk, n in Counter(page.ids).items() if n > 1]
    assert duplicated == []
    assert page.unlabelled_fields() == []
    # The forms drawn anew still post what their views read.
    client.post(
        reverse("registry:alias_add", args=[rizki.pk]), {"name": "Iki Pasar", "kind": "street"}
    )
    assert [(a.name, a.kind) for a in rizki.aliases.all()] == [("Iki Pasar", "street")]


def test_the_other_name_form_is_not_squeezed_into_the_facts(as_user, rizki):
    html = as_user(WORKER).get(reverse("registry:detail", args=[rizki.pk])).content.decode()
    facts = re.search(r'<dl class="facts">(.*?)</dl>', html, re.S).group(1)
    # A form in the facts' narrow column pushed the page sideways on a phone.
    assert "<form" not in facts and "<input" not in facts
    # The folds below the facts bring the forms.
    assert reverse("registry:fold", args=[rizki.pk, "alias"]) in html.split("</dl>", 1)[1]
    client = as_user(WORKER)
    alias = client.get(reverse("registry:fold", args=[rizki.pk, "alias"]), HTTP_HX_REQUEST="true")
    assert 'for="alias-name"' in alias.text and 'for="alias-kind"' in alias.text
    relative = client.get(reverse("registry:fold", args=[rizki.pk, "relative"]))
    assert 'for="relative-relative"' in relative.text
    # The record number a relative is linked by is on the page.
    assert f"<dd>{rizki.pk}</dd>" in facts


def test_merged_records_are_named_not_numbered(as_user, rizki):
    worker = User.objects.get(username=WORKER)
    other = register_person(WORKER, full_name="Moch Rizki Pasar", nik="")
    actions.merge_persons(rizki, other, acting_user=worker)
    client = as_user(WORKER)
    survivor = client.get(reverse("registry:detail", args=[rizki.pk])).content.decode()
    merged_list = survivor[survivor.index("Data yang digabungkan") :]
    assert "Moch Rizki Pasar" in merged_list
    assert f"#{other.pk} " not in merged_list
    merged = client.get(reverse("registry:detail", args=[other.pk])).content.decode()
    assert "Data ini telah digabungkan ke data Muhammad Rizki." in merged
