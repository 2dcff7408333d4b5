"""The case pages as a place to work (issue 14): headed by the person, "Move to" offers
only the next sensible states, the closing reason only for closing, every field labelled
with unique ids, a refused referral keeps what the worker typed, a board whose empty boxes
stay out of the way, empty states that say what to do, and names (not ids) and Indonesian
dates on the referral and overlap pages."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from jejaring.accounts.models import User
from jejaring.cases import actions
from jejaring.cases.forms import TransitionForm
from jejaring.cases.models import (
    TRANSITIONS,
    Case,
    CaseState,
    OverlapAlert,
    Referral,
    ServiceType,
    next_states,
)
from jejaring.cases.overlap import refresh_overlaps
from jejaring.core import clock
from jejaring.network.models import Organisation
from jejaring.reference.models import PmksCategory
from jejaring.registry.models import Person
from jejaring.registry.presenters import present

OWNER = "petugas.pekanbaru"


class Page(HTMLParser):
    """Just enough of a page to ask about: its elements with their attributes, their
    ancestors, and the text inside each."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr", "col", "area"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self._open: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": "", "parents": list(self._open)}
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i]["tag"] == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    def find(self, tag=None, **attrs) -> list[dict]:
        found = []
        for e in self.elements:
            if tag and e["tag"] != tag:
                continue
            if all(
                self._matches(e["attrs"], name.rstrip("_"), want) for name, want in attrs.items()
            ):
                found.append(e)
        return found

    @staticmethod
    def _matches(attrs: dict, name: str, want) -> bool:
        if want is True:
            return name in attrs
        if name == "class":
            return want in (attrs.get("class") or "").split()
        return attrs.get(name) == want

    def one(self, tag=None, **attrs) -> dict:
        found = self.find(tag, **attrs)
        assert len(found) == 1, (tag, attrs, len(found))
        return found[0]

    def within(self, element: dict, tag=None, **attrs) -> list[dict]:
        return [e for e in self.find(tag, **attrs) if element in e["parents"]]


def text(element: dict) -> str:
    return " ".join(element["text"].split())


def page_of(response) -> Page:
    assert response.status_code == 200, response.status_code
    return Page(response.content.decode())


def rizki_case() -> Case:
    return Case.objects.get(
        person__full_name="Muhammad Rizki", organisation__code="dinsos-kota-pekanbaru"
    )


def detail(client, case) -> Page:
    return page_of(client.get(reverse("cases:detail", args=[case.pk])))


def fold(client, case, name: str) -> Page:
    """A folded form of the case page, as the fold fetches it when opened."""
    url = reverse("cases:fold", args=[case.pk, name])
    return page_of(client.get(url, HTTP_HX_REQUEST="true"))


def form_ending(page: Page, suffix: str) -> dict:
    forms = [f for f in page.find("form") if f["attrs"].get("action", "").endswith(suffix)]
    assert len(forms) == 1, (suffix, len(forms))
    return forms[0]


def options(page: Page, select: dict) -> list[tuple[str, bool]]:
    return [(o["attrs"]["value"], "selected" in o["attrs"]) for o in page.within(select, "option")]


# --- 1. headed by the person ------------------------------------------------------------


def test_case_page_is_headed_by_the_person_with_the_category_as_subtitle(as_user):
    case = rizki_case()
    page = detail(as_user(OWNER), case)
    heading = page.one("h1")
    assert text(heading).startswith("Muhammad Rizki")
    subtitle = page.within(heading, "small")[0]
    assert case.category.name in text(subtitle)
    assert case.organisation.name in text(subtitle)


def test_a_reader_without_the_identity_sees_the_masked_label_in_the_heading(as_user):
    case = Case.objects.get(
        person__full_name="Putri Ayu Lestari", organisation__code="dinsos-kota-pekanbaru"
    )
    admin = User.objects.get(username="admin")
    view = present(case.person, admin)
    assert not view.identity
    page = detail(as_user("admin"), case)
    heading = text(page.one("h1"))
    assert heading.startswith(view.name)
    assert "Putri" not in heading
    assert case.category.name not in heading  # the category would say what is hidden


# --- 2. "Move to": only the next sensible states ---------------------------------------


def test_move_to_offers_only_the_states_ahead_with_the_usual_next_step_chosen(as_user):
    case = rizki_case()
    assert case.state == CaseState.REGISTERED
    page = detail(as_user(OWNER), case)
    select = page.one("select", name="state")
    assert options(page, select) == [
        ("assessed", True),
        ("in_service", False),
        ("closed", False),
    ]


def test_a_case_in_service_can_only_be_closed(as_user):
    case = rizki_case()
    user = User.objects.get(username=OWNER)
    actions.record_service(
        case, ServiceType.objects.get(code="permakanan"), clock.localdate(), acting_user=user
    )
    case.refresh_from_db()
    assert case.state == CaseState.IN_SERVICE
    page = detail(as_user(OWNER), case)
    assert options(page, page.one("select", name="state")) == [("closed", True)]


@pytest.mark.parametrize("state", [s for s in CaseState if s != CaseState.CLOSED])
def test_page_choices_and_the_action_follow_the_one_table(state):
    case = Case(state=state, version=1)
    offered = [value for value, _ in TransitionForm(case=case).fields["state"].choices]
    assert offered == [s.value for s in next_states(state)]
    assert set(offered) == {s.value for s in TRANSITIONS[state]}
    assert CaseState.REPORTED.value not in offered  # never back to "reported"


def test_the_action_refuses_a_step_back_in_indonesian(db):
    case = rizki_case()
    user = User.objects.get(username=OWNER)
    with translation.override("id"), pytest.raises(ValidationError) as refused:
        actions.transition_case(case, CaseState.REPORTED, acting_user=user)
    message = refused.value.message_dict["state"][0]
    assert message == (
        "Kasus berstatus “Terdaftar” tidak dapat dipindahkan ke “Dilaporkan”; "
        "pilihan yang tersedia: Diasesmen, Dalam layanan, Ditutup."
    )
    case.refresh_from_db()
    assert case.state == CaseState.REGISTERED


def test_the_api_refuses_a_step_back_with_the_same_rule(client, bearer, db):
    case = rizki_case()
    response = client.post(
        f"/api/v1/cases/{case.pk}/transition",
        {"state": "reported", "version": case.version},
        content_type="application/json",
        **bearer(OWNER),
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "state"
    assert "Dilaporkan" in error["msg"] and "Diasesmen" in error["msg"]


def test_a_refused_move_comes_back_with_the_input_kept(as_user):
    case = rizki_case()
    response = as_user(OWNER).post(
        reverse("cases:transition", args=[case.pk]),
        {"state": "reported", "note": "catatan yang saya ketik", "version": case.version},
    )
    page = page_of(response)  # the page again, not a redirect that forgets
    form = form_ending(page, "/status/")
    note = page.within(form, "input", name="note")[0]
    assert note["attrs"]["value"] == "catatan yang saya ketik"
    errors = [text(e) for e in page.within(form, class_="error")]
    assert any("tidak dapat dipindahkan ke “Dilaporkan”" in e for e in errors), errors
    case.refresh_from_db()
    assert case.state == CaseState.REGISTERED


def test_closing_without_a_reason_keeps_the_note_and_says_why(as_user):
    case = rizki_case()
    response = as_user(OWNER).post(
        reverse("cases:transition", args=[case.pk]),
        {"state": "closed", "closing_reason": "", "note": "pindah kota", "version": case.version},
    )
    page = page_of(response)
    form = form_ending(page, "/status/")
    assert page.within(form, "input", name="note")[0]["attrs"]["value"] == "pindah kota"
    assert ("closed", True) in options(page, page.within(form, "select", name="state")[0])
    reason_field = page.within(form, "select", name="closing_reason")[0]
    wrapper = reason_field["parents"][-1]
    assert "Sebutkan alasan kasus ditutup." in text(wrapper)


def test_a_move_that_met_a_colleagues_change_offers_the_typed_note_again(as_user):
    case = rizki_case()
    stale = case.version
    colleague = User.objects.get(username=OWNER)
    actions.assign_worker(case, colleague, acting_user=colleague)  # the case moves on
    response = as_user(OWNER).post(
        reverse("cases:transition", args=[case.pk]),
        {"state": "in_service", "note": "sudah dikunjungi", "version": stale},
    )
    page = page_of(response)
    assert "Orang lain mengubah kasus ini" in text(page.one("ul", class_="messages"))
    form = form_ending(page, "/status/")
    assert page.within(form, "input", name="note")[0]["attrs"]["value"] == "sudah dikunjungi"
    assert ("in_service", True) in options(page, page.within(form, "select", name="state")[0])
    case.refresh_from_db()
    assert page.within(form, "input", name="version")[0]["attrs"]["value"] == str(case.version)
    assert case.state == CaseState.REGISTERED


# --- 3. the closing reason only when closing --------------------------------------------


def test_closing_reason_is_marked_for_closing_only_with_a_hint(as_user):
    page = detail(as_user(OWNER), rizki_case())
    reason = page.one("select", name="closing_reason")
    wrapper = reason["parents"][-1]
    assert "closing-only" in wrapper["attrs"]["class"].split()
    hint = page.one(id=reason["attrs"]["aria-describedby"])
    assert text(hint) == "Hanya diisi saat kasus ditutup."
    # The other fields of the form are not hidden with it.
    state_wrapper = page.one("select", name="state")["parents"][-1]
    assert "closing-only" not in state_wrapper["attrs"]["class"].split()


# --- 4. every field labelled, ids unique ------------------------------------------------


def labelled(page: Page, control: dict) -> bool:
    ident = control["attrs"].get("id")
    if ident and page.find("label", for_=ident):
        return True
    if any(p["tag"] == "label" for p in control["parents"]):
        return True
    return bool(control["attrs"].get("aria-label"))


def assert_labelled_with_unique_ids(page: Page) -> None:
    ids = [e["attrs"]["id"] for e in page.elements if e["attrs"].get("id")]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    controls = [
        e
        for e in page.find()
        if e["tag"] in ("select", "textarea")
        or (e["tag"] == "input" and e["attrs"].get("type") not in ("hidden", "submit"))
    ]
    assert not [c["attrs"].get("name") for c in controls if not labelled(page, c)]


@pytest.mark.parametrize(
    ("username", "where"),
    [
        (OWNER, "board"),
        (OWNER, "overlaps"),
        (OWNER, "referral"),
        ("dukcapil.pekanbaru", "referral"),
    ],
)
def test_the_other_case_pages_label_every_field_and_repeat_no_id(as_user, username, where):
    dukcapil = Organisation.objects.get(code="dukcapil-pekanbaru")
    referral = actions.send_referral(
        rizki_case(), dukcapil, acting_user=User.objects.get(username=OWNER), reason="NIK"
    )
    url = {
        "board": reverse("cases:board"),
        "overlaps": reverse("cases:overlaps"),
        "referral": reverse("cases:referral", args=[referral.pk]),
    }[where]
    assert_labelled_with_unique_ids(page_of(as_user(username).get(url)))


@pytest.mark.parametrize("username", [OWNER, "admin"])
def test_the_case_page_labels_every_field_and_repeats_no_id(as_user, username):
    page = detail(as_user(username), rizki_case())
    assert page.find("select") or page.find("textarea") or username == "admin"
    assert_labelled_with_unique_ids(page)


def test_the_worker_dropdown_has_a_visible_label(as_user):
    page = detail(as_user(OWNER), rizki_case())
    label = page.one("label", for_="worker")
    assert "visually-hidden" not in label["attrs"].get("class", "")
    assert text(label) == "Petugas"


# --- 5. a referral blocked for missing consent keeps what was typed ----------------------


def test_a_referral_blocked_for_missing_consent_keeps_the_reason_and_choices(as_user):
    case = rizki_case()
    assert not case.person.consents.exists()
    partner = Organisation.objects.get(code="lksa-harapan-bunda")
    food = ServiceType.objects.get(code="permakanan")
    deadline = clock.localdate() + datetime.timedelta(days=7)
    response = as_user(OWNER).post(
        reverse("cases:refer", args=[case.pk]),
        {
            "to_organisation_other": str(partner.pk),
            "reason": "Perlu pengasuhan sementara di panti.",
            "services": [str(food.pk)],
            "deadline": deadline.isoformat(),
        },
    )
    page = page_of(response)
    assert not Referral.objects.filter(from_case=case).exists()
    refer = page.one("details", id="refer")
    assert "open" in refer["attrs"]  # the form is shown, not folded away
    form = page.within(refer, "form")[0]
    assert text(page.within(form, "textarea", name="reason")[0]) == (
        "Perlu pengasuhan sementara di panti."
    )
    [chosen] = [
        o for o in page.within(form, "option") if "selected" in o["attrs"] and o["attrs"]["value"]
    ]
    assert chosen["attrs"]["value"] == str(partner.pk)
    checked = [
        c["attrs"]["value"] for c in page.within(form, "input", name="services", checked=True)
    ]
    assert checked == [str(food.pk)]
    assert page.within(form, "input", name="deadline")[0]["attrs"]["value"] == deadline.isoformat()
    # The refusal beside the receiver, in Indonesian, with the way to fix it.
    fieldset = page.within(form, "fieldset")[0]
    refusal = text(page.within(fieldset, "p", class_="error")[0])
    assert partner.name in refusal and "persetujuan" in refusal
    link = page.within(fieldset, "a")[0]
    assert link["attrs"]["href"] == reverse("registry:detail", args=[case.person_id])


def test_a_referral_without_a_receiver_keeps_the_reason(as_user):
    case = rizki_case()
    response = as_user(OWNER).post(
        reverse("cases:refer", args=[case.pk]), {"reason": "butuh NIK", "to_organisation_other": ""}
    )
    page = page_of(response)
    form = page.within(page.one("details", id="refer"), "form")[0]
    assert text(page.within(form, "textarea", name="reason")[0]) == "butuh NIK"
    assert "Pilih lembaga tujuan rujukan." in text(page.within(form, "fieldset")[0])


def test_a_suggested_receiver_stays_chosen_after_a_refusal(as_user):
    case = rizki_case()
    client = as_user(OWNER)
    suggested = fold(client, case, "referral").find("input", type="radio", name="to_organisation")
    assert suggested, "the demo suggests receivers for this case"
    value = suggested[0]["attrs"]["value"]
    response = client.post(
        reverse("cases:refer", args=[case.pk]),
        {"to_organisation": value, "reason": "  ", "to_organisation_other": ""},
    )
    page = page_of(response)
    radio = [r for r in page.find("input", type="radio") if r["attrs"]["value"] == value][0]
    assert "checked" in radio["attrs"]


# --- 6 and 7. the board on a phone, and what to do when it is empty ---------------------


def test_empty_boxes_on_the_board_collapse_into_one_line(as_user):
    page = page_of(as_user(OWNER).get(reverse("cases:board")))
    headings = [text(h) for h in page.find("h2")]
    assert not any(h.startswith("Rujukan yang menunggu kami") for h in headings)
    quiet = text(page.one("p", id="board-quiet"))
    assert "Tidak ada rujukan menunggu." in quiet
    # The open cases list is still there, right after one short line.
    assert page.one("section", id="open-cases")


def test_a_box_with_something_in_it_is_a_card(as_user):
    case = rizki_case()
    user = User.objects.get(username=OWNER)
    dukcapil = Organisation.objects.get(code="dukcapil-pekanbaru")
    actions.send_referral(case, dukcapil, acting_user=user, reason="butuh NIK")
    page = page_of(as_user("dukcapil.pekanbaru").get(reverse("cases:board")))
    headings = [text(h) for h in page.find("h2")]
    assert any(h.startswith("Rujukan yang menunggu kami") for h in headings)
    quiet = page.find("p", id="board-quiet")
    assert not quiet or "rujukan menunggu" not in text(quiet[0])


def test_the_board_table_labels_every_cell(as_user):
    page = page_of(as_user(OWNER).get(reverse("cases:board")))
    table = page.within(page.one("section", id="open-cases"), "table")[0]
    headers = [text(th) for th in page.within(table, "th")]
    rows = page.within(table, "tr")[1:]
    assert rows
    for row in rows:
        labels = [td["attrs"].get("data-label") for td in page.within(row, "td")]
        assert labels == headers


def test_an_office_without_open_cases_is_told_how_to_start_one(as_user):
    page = page_of(as_user("kelurahan.kampungtengah").get(reverse("cases:board")))
    section = page.one("section", id="open-cases")
    assert not page.within(section, "table")
    assert not page.within(section, "form")  # nothing to filter yet: the way on comes first
    assert "Belum ada kasus terbuka." in text(section)
    [button] = [a for a in page.within(section, "a") if "button" in a["attrs"].get("class", "")]
    assert text(button) == "Catat kasus baru"
    assert button["attrs"]["href"] == reverse("registry:list")


def test_a_filter_that_finds_nothing_offers_to_clear_it(as_user):
    page = page_of(as_user(OWNER).get(reverse("cases:board"), {"state": "reported"}))
    section = page.one("section", id="open-cases")
    assert "Tidak ada kasus terbuka yang cocok dengan saringan ini." in text(section)


# --- 8. names, not ids, and Indonesian dates -------------------------------------------

# The hour has no leading zero before 10 ("3.02"), as Indonesian writes it (formats/id).
INDONESIAN_DATETIME = re.compile(r"(?<!\d)\d{2}-\d{2}-\d{4} \d{1,2}\.\d{2}(?!\d)")


def test_the_referral_page_names_people_and_organisations_with_indonesian_dates(as_user):
    case = rizki_case()
    user = User.objects.get(username=OWNER)
    dukcapil = Organisation.objects.get(code="dukcapil-pekanbaru")
    referral = actions.send_referral(
        case,
        dukcapil,
        acting_user=user,
        reason="butuh NIK",
        deadline=clock.localdate() + datetime.timedelta(days=3),
    )
    receiver = User.objects.get(username="dukcapil.pekanbaru")
    referral = actions.accept_referral(referral, acting_user=receiver)
    for username in (OWNER, "dukcapil.pekanbaru"):
        page = page_of(as_user(username).get(reverse("cases:referral", args=[referral.pk])))
        body = text(page.one("main"))
        assert "Muhammad Rizki" in text(page.one("h1"))
        assert case.organisation.name in body and dukcapil.name in body
        assert not re.search(r"#\d+", body), body  # no record numbers for names
        assert INDONESIAN_DATETIME.search(body), body
        assert referral.deadline.strftime("%d-%m-%Y") in body
        assert "Rahmat Hidayat" in body  # who sent it
        links = [a["attrs"]["href"] for a in page.find("a")]
        assert reverse("cases:detail", args=[referral.receiver_case_id]) in links


def test_the_receiver_is_asked_for_a_decision_and_a_refused_decline_keeps_the_page(as_user):
    case = rizki_case()
    user = User.objects.get(username=OWNER)
    dukcapil = Organisation.objects.get(code="dukcapil-pekanbaru")
    referral = actions.send_referral(case, dukcapil, acting_user=user, reason="butuh NIK")
    client = as_user("dukcapil.pekanbaru")
    response = client.post(reverse("cases:decide", args=[referral.pk, "decline"]), {"reason": " "})
    page = page_of(response)  # the page again, the reason field beside its refusal
    field = page.one("input", id="decline-reason")["parents"][-1]
    assert "Sebutkan alasan rujukan ditolak." in text(field)
    referral.refresh_from_db()
    assert referral.state == "sent"


def test_the_overlap_page_names_the_person_and_the_organisations(as_user):
    person = Person.objects.get(full_name="Muhammad Rizki")
    satpol = Organisation.objects.get(code="satpol-pp-pekanbaru")
    actions.open_case(
        person,
        PmksCategory.objects.get(code="anak_terlantar"),
        organisation=satpol,
        acting_user=None,
    )
    refresh_overlaps()
    alert = OverlapAlert.objects.get(person=person, resolved_at__isnull=True)
    page = page_of(as_user(OWNER).get(reverse("cases:overlaps")))
    card = [c for c in page.find("li", class_="card") if "Muhammad Rizki" in text(c)][0]
    assert satpol.name in text(card)
    assert "Dinas Sosial Kota Pekanbaru" in text(card)
    assert INDONESIAN_DATETIME.search(text(card))
    assert not re.search(r"#\d+", text(card))
    assert alert.pk


def test_a_governing_office_is_offered_no_button_that_would_answer_404(as_user):
    from jejaring.accounts.actions import create_user
    from jejaring.accounts.roles import Role

    create_user(
        username="pimpinan.riau",
        organisation=Organisation.objects.get(code="dinsos-prov-riau"),
        roles=[Role.OFFICE_HEAD],
        password=None,
        acting_user=None,
    )
    person = Person.objects.get(full_name="Muhammad Rizki")
    actions.open_case(
        person,
        PmksCategory.objects.get(code="anak_terlantar"),
        organisation=Organisation.objects.get(code="satpol-pp-pekanbaru"),
        acting_user=None,
    )
    refresh_overlaps()
    alert = OverlapAlert.objects.get(person=person, resolved_at__isnull=True)
    head = as_user("pimpinan.riau")

    def card():
        page = page_of(head.get(reverse("cases:overlaps")))
        [found] = [c for c in page.find("li", class_="card") if "Muhammad Rizki" in text(c)]
        return page, found

    page, found = card()  # the office sees the alert, but only the involved coordinate
    assert not page.within(found, "form")
    assert "Hanya lembaga yang terlibat" in text(found)
    conference = actions.start_conference(alert, acting_user=User.objects.get(username=OWNER))
    page, found = card()
    hrefs = [a["attrs"]["href"] for a in page.within(found, "a")]
    assert reverse("cases:conference", args=[conference.pk]) not in hrefs
    assert head.get(reverse("cases:conference", args=[conference.pk])).status_code == 404
    # The organisations involved still get both buttons.
    owner = page_of(as_user(OWNER).get(reverse("cases:overlaps")))
    assert reverse("cases:conference", args=[conference.pk]) in [
        a["attrs"]["href"] for a in owner.find("a")
    ]


def test_no_overlap_says_there_is_nothing_to_coordinate(as_user):
    page = page_of(as_user("kelurahan.kampungtengah").get(reverse("cases:overlaps")))
    card = page.one("li", class_="card")
    assert "Tidak ada yang perlu dikoordinasikan" in text(card)
    assert page.within(card, "a")


def test_a_suggestions_reason_shows_only_with_the_identity(as_user):
    # The reason names the case's category ("… for Anak jalanan in …"): identity.
    case = rizki_case()
    client = as_user(OWNER)
    url = reverse("cases:fold", args=[case.pk, "referral"])
    shown = client.get(url, HTTP_HX_REQUEST="true")
    assert shown.context["suggestions"] and case.category.name in shown.text
    keys = ("case", "referral_form", "suggestions", "organisations", "chosen_suggested")
    context = {key: shown.context[key] for key in keys}
    masked = render_to_string("cases/_fold_referral.html", {**context, "identity": False})
    assert case.category.name not in masked
    assert all(s.organisation.name in masked for s in shown.context["suggestions"])
