"""Home is "my work" (issue 14, point 1): each persona's home page lists what waits for
them, each item one click from acting on it, in a fixed number of queries; nothing says
"coming soon"; an outsider sees nothing of another province.

The world is the personas' (tests/personas: the demo, plus the owner's referral of
Bagas to the partner LKSA) and, made here through the real actions, a referral *to* the
owner's office: the village officer of Kampung Tengah refers a street child to Dinas
Sosial Kota Pekanbaru, as in the Riau paper's path.
"""

import datetime
import re

import pytest
from django.db import transaction
from django.urls import reverse

from jejaring.accounts.actions import create_user
from jejaring.accounts.models import User
from jejaring.accounts.roles import Role
from jejaring.cases import actions as case_actions
from jejaring.cases.models import Case, Referral
from jejaring.core import clock
from jejaring.core.testing import assert_database_query_count
from jejaring.network.models import Organisation
from jejaring.reference.models import PmksCategory
from tests.conftest import login_client
from tests.helpers import register_person
from tests.personas import REFERRED_NAME, build_world

VILLAGE_CHILD = "Rani Anggraini Kampung"
OWNER = "data.pekanbaru"


def refer_to_owner(name: str = VILLAGE_CHILD, days: int = 3) -> Referral:
    """The village officer registers a child and refers her to the city's social office."""
    officer = User.objects.get(username="kelurahan.kampungtengah")
    person = register_person(
        "kelurahan.kampungtengah",
        full_name=name,
        sex="F",
        birth_date=datetime.date(2016, 4, 9),
        categories=("anak_jalanan",),
    )
    case = case_actions.open_case(
        person,
        PmksCategory.objects.get(code="anak_jalanan"),
        organisation=officer.organisation,
        acting_user=officer,
    )
    return case_actions.send_referral(
        case,
        Organisation.objects.get(code="dinsos-kota-pekanbaru"),
        acting_user=officer,
        reason="anak ditemukan di simpang jalan",
        deadline=clock.localdate() + datetime.timedelta(days=days),
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        world.waiting = refer_to_owner()
        yield world
        transaction.set_rollback(True)


def home(username: str) -> str:
    response = login_client(username).get(reverse("core:home"))
    assert response.status_code == 200
    return response.content.decode()


def section(text: str, key: str) -> str:
    """The HTML of one box (``box-<key>``), up to the next box."""
    start = text.index(f'id="box-{key}"')
    end = text.find('id="box-', start + 1)
    return text[start : end if end != -1 else len(text)]


def test_owner_sees_the_waiting_referral_and_one_click_lands_on_its_decision(world, db):
    text = home(OWNER)
    box = section(text, "incoming")
    decide_page = reverse("cases:referral", args=[world.waiting.pk])
    assert f'href="{decide_page}"' in box
    assert VILLAGE_CHILD in box  # the person by name: the receiver handles her now
    assert "Kelurahan Kampung Tengah" in box  # the sender by name, not an id
    due = (clock.localdate() + datetime.timedelta(days=3)).strftime("%d-%m-%Y")
    assert due in box  # the respond-by date, in the Indonesian short format
    # The one click: the link opens the page with the accept and decline forms.
    page = login_client(OWNER).get(decide_page).content.decode()
    assert reverse("cases:decide", args=[world.waiting.pk, "accept"]) in page
    assert reverse("cases:decide", args=[world.waiting.pk, "decline"]) in page


def test_the_owner_home_names_cases_with_their_next_step(world, db):
    text = home(OWNER)
    box = section(text, "cases")
    case = Case.objects.filter(
        organisation__code="dinsos-kota-pekanbaru", state="registered"
    ).first()
    assert f'href="{reverse("cases:detail", args=[case.pk])}"' in box
    assert "Berikutnya: lakukan asesmen kebutuhan" in box
    assert re.search(r"#\d+", box.split("</h3>", 1)[1].split("<p><a", 1)[0]) is None, (
        "items are named, not numbered"
    )


def test_a_decided_referral_comes_back_to_the_sender(world, db):
    partner = User.objects.get(username="mitra.lksa")
    referral = Referral.objects.get(person__full_name=REFERRED_NAME)
    assert f'href="{reverse("cases:referral", args=[referral.pk])}"' in section(
        home("mitra.lksa"), "incoming"
    )
    case_actions.accept_referral(referral, acting_user=partner)
    box = section(home("petugas.pekanbaru"), "decided")
    assert REFERRED_NAME in box
    assert "LKSA Harapan Bunda" in box
    assert f'href="{reverse("cases:referral", args=[referral.pk])}"' in box
    # …and it no longer waits for the partner.
    assert 'id="box-incoming"' not in home("mitra.lksa")


def test_an_unanswered_referral_is_a_follow_up_for_its_sender(world, db):
    late = refer_to_owner("Sari Menunggu Jawaban", days=1)
    with clock.set_to(clock.now() + datetime.timedelta(days=3)):
        box = section(home("kelurahan.kampungtengah"), "follow_up")
    assert "Sari Menunggu Jawaban" in box
    assert f'href="{reverse("cases:referral", args=[late.pk])}"' in box


def test_office_head_sees_the_region_and_what_waits_for_approval(world, db):
    text = home("pimpinan.riau")
    assert "Menunggu persetujuan Anda" in text
    # Riau's province-level SPM types have no target this year: the head sets them.
    box = section(text, "targets")
    assert f"{reverse('spm:targets')}?region=14" in box
    # A partner registered in Pekanbaru awaits verification by the governing office.
    pending = Organisation.objects.get(code="lks-cahaya-madani")
    assert f'href="{reverse("network:detail", args=[pending.pk])}"' in section(text, "verify")
    assert 'id="work-region"' in text  # the region's summary


def test_office_head_of_a_party_sees_the_agreement_to_sign(world, db):
    from jejaring.collaboration.models import Agreement

    create_user(
        username="pimpinan.pekanbaru",
        organisation=Organisation.objects.get(code="dinsos-kota-pekanbaru"),
        roles=[Role.OFFICE_HEAD],
        password=None,
        acting_user=None,
    )
    waiting = Agreement.objects.get(state="awaiting_signatures")
    box = section(home("pimpinan.pekanbaru"), "signatures")
    assert waiting.title in box
    assert f'href="{reverse("collaboration:agreement", args=[waiting.pk])}"' in box


def test_admin_sees_organisations_awaiting_verification(world, db):
    text = home("admin")
    pending = Organisation.objects.get(code="lks-cahaya-madani")
    box = section(text, "verify")
    assert pending.name in box
    assert f'href="{reverse("network:detail", args=[pending.pk])}"' in box
    assert "SPM" in text and "Indonesia" in text  # the national achievement


def test_outsider_sees_nothing_of_riau(world, db):
    text = home("petugas.bandung")
    for riau in (
        VILLAGE_CHILD,
        REFERRED_NAME,
        "Pekanbaru",
        "Riau",
        "Cahaya Madani",
        f'href="{reverse("cases:referral", args=[world.waiting.pk])}"',
    ):
        assert riau not in text, riau
    # Their own work is there: Bandung's open cases and Kabupaten Bandung's SPM line.
    assert 'id="box-cases"' in text
    assert "Kabupaten Bandung" in text


def test_the_forum_work_of_the_owner_office(world, db):
    from jejaring.collaboration.models import Commitment, Proposal

    text = home(OWNER)
    commitment = Commitment.objects.get(owner__code="dinsos-kota-pekanbaru", state="open")
    assert f'href="{reverse("collaboration:commitment", args=[commitment.pk])}"' in section(
        text, "commitments"
    )
    proposal = Proposal.objects.get(state="open")
    assert f'href="{reverse("collaboration:proposal", args=[proposal.pk])}"' in section(
        text, "proposals"
    )


def test_spm_achievement_of_the_region_through_the_figures(world, db):
    from jejaring.spm import figures

    text = home(OWNER)
    year = clock.localdate().year
    assert f"Capaian SPM, Kota Pekanbaru, {year}" in text
    from jejaring.regions.models import Region

    lines = [
        (t, cell)
        for t, cell in figures.region_summary(Region.objects.get(code="14.71"), year)
        if cell.target
    ]
    assert lines
    for service_type, cell in lines:
        assert service_type.name in text
        assert f'data-label="Target">{cell.target}<' in text


def test_nothing_says_coming_soon(world, db):
    for username in ("data.pekanbaru", "fasilitator.pekanbaru", "pimpinan.riau", "admin"):
        text = home(username).lower()
        for word in ("segera menyusul", "akan muncul", "segera hadir", "coming soon", "soon<"):
            assert word not in text, (username, word)


def test_an_empty_box_says_what_is_clear(world, db):
    text = home("fasilitator.pekanbaru")
    assert 'id="work-clear"' in text
    assert "Tidak ada rapat forum Anda minggu ini." in text
    assert "Berikutnya:" in text  # …and names the next meeting


def test_a_finished_import_and_its_review_pair_wait_for_the_data_officer(world, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jejaring.imports import actions as import_actions
    from jejaring.imports.models import LinkReview

    officer = User.objects.get(username=OWNER)
    content = (
        b"Nama,NIK,Jenis Kelamin,Tgl Lahir,Kode Wilayah,Nama Ibu\n"
        b"Mohamad Rizky,1471011203140001,L,12/03/2014,14.71.01.1002,\n"
        b"Mochamad Riski,,L,2014,14.71.01.1002,\n"
    )
    job = import_actions.upload_file(
        SimpleUploadedFile("kelurahan-rizki.csv", content),
        organisation=officer.organisation,
        acting_user=officer,
    )
    import_actions.start_check(job, acting_user=officer, background=False)
    import_actions.run_check(job, acting_user=officer)
    import_actions.start_import(job, acting_user=officer, background=False)
    job = import_actions.run_import(job, acting_user=officer)
    review = LinkReview.objects.get(job=job)
    text = home(OWNER)
    imports = section(text, "imports")
    assert "kelurahan-rizki.csv" in imports
    assert f'href="{reverse("imports:detail", args=[job.pk])}"' in imports
    assert job.get_status_display() in imports
    reviews = section(text, "reviews")
    assert f'href="{reverse("imports:review", args=[review.pk])}"' in reviews
    assert "Mochamad Riski" in reviews  # the pair by name, not "#26 ~ #25"
    # Not a data officer's colleague without the importing role.
    assert 'id="box-imports"' not in home("fasilitator.pekanbaru")


# Pinned (tests/test_query_pins.py style): the owner's home with its fixed cost, and the
# same count once more rows of every kind wait. (-2 each in issue 18: the user's roles and
# organisation come with the user.)
HOME_QUERIES = {"owner": 27, "office_head": 30, "admin": 15}


@pytest.mark.parametrize("persona", sorted(HOME_QUERIES))
def test_home_queries_are_pinned_and_do_not_grow(world, db, persona):
    from tests.personas import PERSONAS

    client = login_client(PERSONAS[persona])
    client.get(reverse("core:home"))  # warm-up: the session's first use
    with assert_database_query_count(HOME_QUERIES[persona]):
        client.get(reverse("core:home"))
    for n in range(4):
        refer_to_owner(f"Anak Tambahan {n}")
    with assert_database_query_count(HOME_QUERIES[persona]):
        client.get(reverse("core:home"))


# --- the audit log, network and accounts pages (issue 14, points 3 and 4) ---------------

# The hour has no leading zero ("2.32"), as Indonesian writes it (formats/id, G.i).
DATETIME = re.compile(r"\d{2}-\d{2}-\d{4} \d{1,2}\.\d{2}")


def table_cells_labelled(text: str) -> bool:
    cells = re.findall(r"<td\b[^>]*>", text.split('class="table', 1)[1].split("</table>")[0])
    return bool(cells) and all("data-label=" in cell for cell in cells)


def test_audit_log_names_people_and_objects_masking_the_protected_even_for_admins(world, db):
    from jejaring.registry.models import Person

    protected = Person.objects.get(full_name="Putri Ayu Lestari")
    open_one = Person.objects.get(full_name="Muhammad Rizki")
    client = login_client("admin")
    shown = client.get(
        reverse("audit:list"), {"object_type": "registry.person", "object_id": open_one.pk}
    ).content.decode()
    assert "Muhammad Rizki" in shown  # a person by name, not "#25"
    assert "Orang" in shown  # the kind of object in Indonesian, not "registry.person" alone
    masked = client.get(
        reverse("audit:list"), {"object_type": "registry.person", "object_id": protected.pk}
    ).content.decode()
    assert "Putri Ayu Lestari" not in masked
    assert "P. A. L. (dilindungi)" in masked
    for text in (shown, masked):
        assert DATETIME.search(text), "times in the Indonesian short format"
        assert not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", text)
        assert table_cells_labelled(text)


def test_audit_log_labels_changed_fields(world, db):
    from jejaring.network.models import Organisation

    org = Organisation.objects.get(code="lks-cahaya-madani")
    text = (
        login_client("admin")
        .get(reverse("audit:list"), {"object_type": "network.organisation", "object_id": org.pk})
        .content.decode()
    )
    assert "Lembaga" in text
    assert org.name in text


def test_user_list_and_tokens_read_on_a_phone(world, db):
    text = login_client("admin").get(reverse("accounts:user_list")).content.decode()
    assert table_cells_labelled(text)
    empty = (
        login_client("admin")
        .get(reverse("accounts:user_list"), {"q": "zzz-nobody"})
        .content.decode()
    )
    profile = login_client(OWNER).get(reverse("accounts:profile")).content.decode()
    assert table_cells_labelled(profile)  # the owner's persona token is listed
    no_tokens = (
        login_client("kelurahan.kampungtengah").get(reverse("accounts:profile")).content.decode()
    )
    assert "Belum ada token." in no_tokens and "Buat token" in no_tokens
    detail = login_client("admin").get(
        reverse("accounts:user_detail", args=[User.objects.get(username=OWNER).pk])
    )
    assert "Akun dibuat" in detail.content.decode()
    assert empty  # the filtered page renders


def test_network_empty_states_offer_the_next_step(world, db):
    text = (
        login_client(OWNER)
        .get(reverse("network:list"), {"q": "tidak-ada-lembaga-ini"})
        .content.decode()
    )
    assert "Hapus saringan" in text
    assert f'href="{reverse("network:create")}"' in text  # the office may register one
    pending = Organisation.objects.get(code="lks-cahaya-madani")
    detail = login_client(OWNER).get(reverse("network:detail", args=[pending.pk])).content.decode()
    assert "lalu verifikasi" in detail
    assert "Terdaftar di jejaring" in detail
