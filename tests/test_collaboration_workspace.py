"""The collaboration pages as the daily workspace (issue 14, points 4, 5, 7 and 9 for
collaboration): words that read right in Indonesian, numbers and dates in the Indonesian
format, empty lists that offer the next step, tables that carry their column names for a
phone, and the network graph whose heavy library loads only on request."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.dateformat import format as date_format

from jejaring.accounts.models import User
from jejaring.collaboration.health import score
from jejaring.collaboration.models import (
    Agreement,
    AgreementEvent,
    Commitment,
    Forum,
    Meeting,
    Proposal,
    ProposalState,
)
from tests.test_health_dimensions import FIGURES

pytestmark = pytest.mark.django_db

WORKER = "petugas.pekanbaru"  # in the demo's forum, agreements and exchanges
NEWCOMER = "petugas.bandung"  # the demo gives Kabupaten Bandung no forum, agreement or exchange


class Page(HTMLParser):
    """A page's text (without attributes) and its .table tables, cell by cell."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tables: list[dict] = []
        self.ids: list[str] = []
        self._cell: dict | None = None
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "table" and "table" in (attrs.get("class") or "").split():
            self.tables.append({"id": attrs.get("id"), "headers": [], "rows": []})
        table = self.tables[-1] if self.tables else None
        if table is None:
            return
        if tag == "tr":
            table["rows"].append([])
        elif tag in ("th", "td"):
            self._cell = {"tag": tag, "attrs": attrs, "text": ""}
            if tag == "td" and table["rows"]:
                table["rows"][-1].append(self._cell)
            elif tag == "th":
                table["headers"].append(self._cell)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if tag in ("th", "td"):
            self._cell = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell["text"] += data

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def get(username: str, name: str, *args, query: str = "") -> str:
    from tests.conftest import login_client

    response = login_client(username).get(reverse(name, args=args) + query)
    assert response.status_code == 200, (name, response.status_code)
    return response.content.decode()


def section(html: str, element_id: str) -> str:
    """The HTML from the element with that id to the end of its section or list."""
    start = html.index(f'id="{element_id}"')
    ends = [i for i in (html.find("</section>", start), html.find("</ul>", start)) if i > 0]
    return html[start : min(ends)]


def collaboration_pages() -> list[tuple[str, tuple]]:
    """Every collaboration page the worker can open in the demo network."""
    user = User.objects.get(username=WORKER)
    forum = Forum.objects.restrict(user).first()
    pages = [
        ("collaboration:index", ()),
        ("collaboration:forums", ()),
        ("collaboration:forum", (forum.pk,)),
        ("collaboration:commitments", ()),
        ("collaboration:agreements", ()),
        ("collaboration:exchanges", ()),
        ("collaboration:board", ()),
        ("collaboration:distributions", ()),
        ("collaboration:graph", ()),
        ("collaboration:integration", ()),
        ("collaboration:health", ()),
        ("collaboration:forum_health", (forum.pk,)),
        ("collaboration:rules", ()),
    ]
    pages += [("collaboration:meeting", (m.pk,)) for m in Meeting.objects.restrict(user)[:3]]
    pages += [("collaboration:proposal", (p.pk,)) for p in Proposal.objects.restrict(user)]
    pages += [("collaboration:commitment", (c.pk,)) for c in Commitment.objects.restrict(user)[:2]]
    pages += [("collaboration:agreement", (a.pk,)) for a in Agreement.objects.restrict(user)]
    return pages


# --- Wording -----------------------------------------------------------------------------


def test_a_stance_on_a_proposal_reads_sikap_not_jabatan():
    user = User.objects.get(username=WORKER)
    proposal = Proposal.objects.restrict(user).filter(state=ProposalState.CONSENSUS).first()
    page = Page(get(WORKER, "collaboration:proposal", proposal.pk))
    headers = [h["text"].strip() for t in page.tables for h in t["headers"]]
    assert "Sikap" in headers
    assert "Jabatan" not in page.words
    # The signatory's position on an agreement is a job title: still "Jabatan".
    with translation.override("id"):
        from django.utils.translation import gettext, pgettext

        assert gettext("Position") == "Jabatan"
        assert pgettext("stance on a proposal", "Position") == "Sikap"


def test_a_deadline_reads_paling_lambat_on_the_collaboration_home():
    user = User.objects.get(username=WORKER)
    proposal = Proposal.objects.restrict(user).filter(state=ProposalState.OPEN).first()
    day = date_format(proposal.deadline, "d-m-Y")
    words = Page(get(WORKER, "collaboration:index")).words
    assert f"paling lambat {day}" in words
    assert f"oleh {day}" not in words
    # A commitment's due date reads the same way.
    commitment = Commitment.objects.restrict(user).filter(owner=user.organisation).first()
    if commitment is not None and commitment.state == "open":
        assert f"paling lambat {date_format(commitment.due_on, 'd-m-Y')}" in words


def test_the_device_table_says_for_whom_not_setuju():
    page = Page(get(WORKER, "collaboration:distributions"))
    headers = [h["text"].strip() for t in page.tables for h in t["headers"]]
    assert headers.count("Untuk") == 2  # scheduled, and handed over
    assert "Setuju" not in page.words


def test_all_parties_signed_is_shown_in_indonesian():
    from jejaring.collaboration.views.agreements import shown_note

    user = User.objects.get(username=WORKER)
    event = AgreementEvent.objects.filter(
        note="all parties signed", agreement__in=Agreement.objects.restrict(user)
    ).first()
    html = get(WORKER, "collaboration:agreement", event.agreement_id)
    words = Page(html).words
    assert "semua pihak telah menandatangani" in words
    assert "all parties signed" not in words
    with translation.override("id"):
        assert shown_note("end date passed") == "masa berlaku telah berakhir"
        assert shown_note("renewed by #12") == "diperbarui oleh kesepakatan #12"
        assert shown_note("Alasan yang diketik petugas") == "Alasan yang diketik petugas"


def test_whole_of_government_is_keterpaduan_pemerintahan():
    words = Page(get(WORKER, "collaboration:integration")).words
    assert "keterpaduan pemerintahan" in words
    assert "Whole-of-Government" not in words


def test_health_check_figures_and_points_are_in_the_indonesian_number_format():
    with translation.override("id"):
        evidence = [c.evidence for d in score(FIGURES) for c in d.components]
    assert "2,4 / 3" in evidence
    assert not [e for e in evidence if re.search(r"\d\.\d", e)]

    html = get(WORKER, "collaboration:health")
    cells = [
        cell["text"].strip()
        for table in Page(html).tables
        for row in table["rows"]
        for cell in row
        if cell["attrs"].get("data-label") in ("Angka", "Poin")
    ]
    assert cells, "no figures on the health check"
    assert not [c for c in cells if re.search(r"\d\.\d", c)], cells
    assert any(re.search(r"\d,\d", c) for c in cells), cells  # a mean and its points
    assert not [c for c in cells if re.search(r",0 /", c)], cells  # 50 points, not "50,0"


# --- Dates -------------------------------------------------------------------------------

ENGLISH_DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d"
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{1,2}:\d{2}\b|[ap]\.m\."
)


def test_dates_and_times_read_in_the_indonesian_format_on_every_collaboration_page():
    found = []
    for name, args in collaboration_pages():
        words = Page(get(WORKER, name, *args)).words
        found += [(name, args, m.group(0)) for m in ENGLISH_DATE.finditer(words)]
    assert not found, found


# --- Tables on a phone ---------------------------------------------------------------------


def test_every_table_cell_carries_its_column_name():
    problems = []
    for name, args in collaboration_pages():
        for table in Page(get(WORKER, name, *args)).tables:
            headers = [h["text"].strip() for h in table["headers"]]
            for row in table["rows"]:
                for index, cell in enumerate(row):
                    label = cell["attrs"].get("data-label")
                    if label is None:
                        problems.append((name, args, table["id"], cell["text"][:40]))
                    elif (
                        # The same words as its column's header (a hidden "Actions" is "").
                        label
                        and "colspan" not in cell["attrs"]
                        and index < len(headers)
                        and label != headers[index]
                    ):
                        problems.append((name, args, label, headers[index]))
    assert not problems, problems


def test_ids_are_unique_so_every_label_points_at_its_own_field():
    repeated = []
    for name, args in collaboration_pages():
        ids = Page(get(WORKER, name, *args)).ids
        repeated += [(name, args, i) for i in sorted(set(ids)) if ids.count(i) > 1]
    assert not repeated, repeated


# --- Empty states --------------------------------------------------------------------------


def test_no_forum_yet_offers_to_start_one():
    start = reverse("collaboration:forum_create")
    index = get(NEWCOMER, "collaboration:index")
    assert "Belum ada forum." in index
    assert f'href="{start}"' in index
    forums = get(NEWCOMER, "collaboration:forums")
    assert f'href="{start}"' in section(forums, "my-forums")
    # A filter that matches nothing says so, without the invitation.
    filtered = get(NEWCOMER, "collaboration:forums", query="?region=31")
    assert f'href="{start}"' not in section(filtered, "my-forums")


def test_empty_collaboration_lists_offer_their_next_step():
    agreements = get(NEWCOMER, "collaboration:agreements")
    body = agreements[agreements.index("<tbody>") :]
    assert f'href="{reverse("collaboration:agreement_create")}"' in body
    assert "Belum ada kesepakatan." in body

    exchanges = get(NEWCOMER, "collaboration:exchanges")
    body = exchanges[exchanges.rindex("<tbody>") :]
    assert f'href="{reverse("collaboration:exchange_create")}"' in body

    commitments = get(NEWCOMER, "collaboration:commitments")
    assert f'href="{reverse("collaboration:forums")}"' in section(commitments, "mine")

    devices = get(NEWCOMER, "collaboration:distributions")
    assert f'href="{reverse("cases:board")}"' in section(devices, "scheduled")
    assert "Belum ada yang diserahkan." in section(devices, "handed-over")


def test_an_empty_board_offers_to_post():
    from jejaring.collaboration.actions import close_post
    from jejaring.collaboration.models import BoardPost, PostState

    admin = User.objects.get(username="admin")
    for post in BoardPost.objects.filter(state=PostState.OPEN):
        close_post(post, acting_user=admin)
    posts = section(get(NEWCOMER, "collaboration:board"), "posts")
    assert "Papan masih kosong." in posts
    assert f'href="{reverse("collaboration:post_create")}?kind=offer"' in posts
    # A filter that matches nothing says so, without the invitation.
    filtered = section(get(NEWCOMER, "collaboration:board", query="?kind=offer"), "posts")
    assert "Papan masih kosong." not in filtered and "kind=offer" not in filtered


# --- The network graph -------------------------------------------------------------------


def test_the_graph_page_shows_the_table_first_and_loads_cytoscape_only_on_request():
    html = get(WORKER, "collaboration:graph")
    # The content: the pairs as a table, before the drawing.
    assert html.index('id="integration-pairs"') < html.index('id="graph-section"')
    assert Page(html).tables[0]["rows"], "the table lists the pairs"
    # The library is no <script> of the page: graph.js loads it when asked.
    assert not re.search(r"<script[^>]+cytoscape", html)
    assert re.search(r'data-library="[^"]*vendor/cytoscape/cytoscape[^"]*\.js"', html)
    assert re.search(r'<script src="[^"]*jejaring/graph[^"]*\.js" defer>', html)
    # No other collaboration page carries it at all.
    for name, args in collaboration_pages():
        if name != "collaboration:graph":
            assert "cytoscape" not in get(WORKER, name, *args), name
