"""A realistic, fictional network drawn from the source papers (issue #2, item 9).

Government bodies are named as the real offices are (Dinas Sosial Provinsi Riau…);
partner institutions and every person are invented. Re-running creates nothing twice:
organisations are matched by code and users by username.

Every row is written by the same actions the pages and the API call (with their audit
rows), never behind them; a past date is reached by setting the clock
(``jejaring.core.clock.set_to``), not by rewriting stamps afterwards.
"""

from dataclasses import dataclass, field

from django.db import transaction

from jejaring.accounts import actions as account_actions
from jejaring.accounts.models import User
from jejaring.accounts.roles import Role
from jejaring.network import actions as network_actions
from jejaring.network.models import Organisation, OrganisationType
from jejaring.reference.models import PmksCategory
from jejaring.regions.models import Region

DEMO_PASSWORD = "jejaring-demo-2026"  # noqa: S105 — printed on purpose, demo only

CHILD = [
    "anak_terlantar",
    "anak_jalanan",
    "anak_balita_terlantar",
    "anak_korban_tindak_kekerasan",
    "anak_dengan_kedisabilitasan",
    "anak_berhadapan_dengan_hukum",
]
SPM_FIVE = [
    "penyandang_disabilitas",
    "anak_terlantar",
    "lanjut_usia_terlantar",
    "gelandangan",
    "pengemis",
    "korban_bencana_alam",
    "korban_bencana_sosial",
]


@dataclass
class DemoOrg:
    code: str
    name: str
    type: str
    level: str
    region: str
    categories: list[str] = field(default_factory=list)
    beds: int = 0
    certified: int = 0
    uncertified: int = 0
    volunteers: int = 0
    status: str = "active"
    service_area: list[str] = field(default_factory=list)
    address: str = ""
    phone: str = ""
    contacts: list[tuple[str, str, str]] = field(default_factory=list)


ORGANISATIONS = [
    DemoOrg(
        "kemensos",
        "Kementerian Sosial Republik Indonesia",
        "kementerian_sosial",
        "pusat",
        "31.71",
        SPM_FIVE,
        address="Jl. Salemba Raya, Jakarta Pusat",
    ),
    DemoOrg(
        "dinsos-prov-jabar",
        "Dinas Sosial Provinsi Jawa Barat",
        "dinas_sosial_provinsi",
        "provinsi",
        "32",
        SPM_FIVE + CHILD,
        certified=14,
        uncertified=22,
        address="Kota Bandung",
        contacts=[("Rina Marlina", "Sekretaris Dinas", "022-0000001")],
    ),
    DemoOrg(
        "dinsos-kab-bandung",
        "Dinas Sosial Kabupaten Bandung",
        "dinas_sosial_kabupaten_kota",
        "kabupaten_kota",
        "32.04",
        SPM_FIVE + CHILD,
        certified=6,
        uncertified=18,
        volunteers=40,
        address="Soreang, Kabupaten Bandung",
        contacts=[("Asep Saepudin", "Kepala Bidang Rehabilitasi Sosial", "022-0000002")],
    ),
    DemoOrg(
        "dinsos-prov-dki",
        "Dinas Sosial Provinsi DKI Jakarta",
        "dinas_sosial_provinsi",
        "provinsi",
        "31",
        SPM_FIVE + CHILD,
        certified=30,
        uncertified=45,
    ),
    DemoOrg(
        "dinsos-prov-riau",
        "Dinas Sosial Provinsi Riau",
        "dinas_sosial_provinsi",
        "provinsi",
        "14",
        SPM_FIVE + CHILD,
        certified=9,
        uncertified=12,
        address="Jl. Jend. Sudirman, Pekanbaru",
        contacts=[("Hendra Saputra", "Kepala Bidang Rehabilitasi Sosial", "0761-000001")],
    ),
    DemoOrg(
        "dinsos-kota-pekanbaru",
        "Dinas Sosial Kota Pekanbaru",
        "dinas_sosial_kabupaten_kota",
        "kabupaten_kota",
        "14.71",
        SPM_FIVE + CHILD,
        certified=4,
        uncertified=15,
        volunteers=25,
        address="Pekanbaru",
        contacts=[("Dewi Lestari", "Kepala Seksi Anak", "0761-000002")],
    ),
    DemoOrg(
        "upt-psaa-riau",
        "UPT Pelayanan Sosial Asuhan Anak Provinsi Riau",
        "upt_panti_sosial",
        "provinsi",
        "14.71",
        ["anak_terlantar", "anak_balita_terlantar", "anak_jalanan"],
        beds=60,
        certified=3,
        uncertified=8,
        service_area=["14"],
        contacts=[("Yusuf Harahap", "Kepala UPT", "0761-000003")],
    ),
    DemoOrg(
        "lksa-harapan-bunda",
        "LKSA Harapan Bunda Pekanbaru",
        "lksa",
        "kabupaten_kota",
        "14.71",
        ["anak_terlantar", "anak_jalanan", "anak_korban_tindak_kekerasan"],
        beds=40,
        certified=1,
        uncertified=4,
        volunteers=12,
        contacts=[("Siti Aminah", "Ketua Pengurus", "0812-0000-0004")],
    ),
    DemoOrg(
        "rumah-singgah-anak-mandiri",
        "Rumah Singgah Anak Mandiri",
        "rumah_singgah",
        "kabupaten_kota",
        "31.74",
        ["anak_jalanan", "anak_terlantar"],
        beds=20,
        uncertified=3,
        volunteers=10,
    ),
    DemoOrg(
        "yayasan-peduli-anak-priangan",
        "Yayasan Peduli Anak Priangan",
        "yayasan",
        "kabupaten_kota",
        "32.04",
        ["anak_terlantar", "anak_dengan_kedisabilitasan"],
        volunteers=30,
    ),
    DemoOrg(
        "fpsi-umr",
        "Fakultas Psikologi Universitas Melayu Riau",
        "perguruan_tinggi",
        "provinsi",
        "14.71",
        ["anak_korban_tindak_kekerasan", "anak_berhadapan_dengan_hukum"],
        certified=2,
        volunteers=15,
        service_area=["14"],
    ),
    DemoOrg(
        "pt-lancang-kuning-energi",
        "PT Lancang Kuning Energi (Program CSR)",
        "perusahaan",
        "provinsi",
        "14.71",
        ["penyandang_disabilitas", "anak_terlantar"],
        service_area=["14"],
    ),
    DemoOrg(
        "satpol-pp-pekanbaru",
        "Satpol PP Kota Pekanbaru",
        "satpol_pp",
        "kabupaten_kota",
        "14.71",
        ["anak_jalanan", "gelandangan", "pengemis"],
    ),
    DemoOrg(
        "dukcapil-pekanbaru",
        "Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru",
        "dukcapil",
        "kabupaten_kota",
        "14.71",
    ),
    DemoOrg(
        "dinkes-pekanbaru",
        "Dinas Kesehatan Kota Pekanbaru",
        "dinas_kesehatan",
        "kabupaten_kota",
        "14.71",
        ["odha", "penyandang_disabilitas"],
    ),
    DemoOrg(
        "dp3a-pekanbaru",
        "DP3A Kota Pekanbaru",
        "dp3a",
        "kabupaten_kota",
        "14.71",
        ["anak_korban_tindak_kekerasan", "korban_tindak_kekerasan", "korban_trafficking"],
    ),
    DemoOrg(
        "bpbd-kab-bandung",
        "BPBD Kabupaten Bandung",
        "bpbd",
        "kabupaten_kota",
        "32.04",
        ["korban_bencana_alam"],
    ),
    DemoOrg(
        "kelurahan-kampung-tengah",
        "Kantor Kelurahan Kampung Tengah",
        "pemerintah_desa",
        "desa",
        "14.71.01.1003",
    ),
    # Not yet verified by Dinas Sosial Kota Pekanbaru: visible only to the offices
    # governing Pekanbaru and Riau, not to the rest of the network.
    DemoOrg(
        "lks-cahaya-madani",
        "LKS Cahaya Madani",
        "lks",
        "kabupaten_kota",
        "14.71",
        ["lanjut_usia_terlantar"],
        volunteers=6,
        status="pending",
        contacts=[("Ahmad Fauzi", "Ketua", "0813-0000-0005")],
    ),
]

USERS = [
    ("admin", "Admin", "Jejaring", "kemensos", [Role.NETWORK_ADMIN]),
    ("petugas.bandung", "Euis", "Nurhayati", "dinsos-kab-bandung", [Role.CASE_WORKER]),
    ("petugas.pekanbaru", "Rahmat", "Hidayat", "dinsos-kota-pekanbaru", [Role.CASE_WORKER]),
    ("panti.riau", "Nurul", "Fitri", "upt-psaa-riau", [Role.CASE_WORKER]),
    ("dukcapil.pekanbaru", "Budi", "Santoso", "dukcapil-pekanbaru", [Role.CASE_WORKER]),
    ("mitra.lksa", "Siti", "Aminah", "lksa-harapan-bunda", [Role.PARTNER_STAFF]),
    ("pimpinan.jabar", "Dadang", "Kurniawan", "dinsos-prov-jabar", [Role.OFFICE_HEAD]),
    # The data officer who imports the district spreadsheets (issue #6).
    ("data.pekanbaru", "Dewi", "Lestari", "dinsos-kota-pekanbaru", [Role.DATA_OFFICER]),
    # The head of the city's social office: complaints past their deadline come to him.
    ("kadis.pekanbaru", "Arif", "Wibowo", "dinsos-kota-pekanbaru", [Role.OFFICE_HEAD]),
    # The province's social office: receives the public reports Pekanbaru leaves too long.
    ("petugas.riau", "Hendra", "Saputra", "dinsos-prov-riau", [Role.CASE_WORKER]),
    # Not in the issue's list: the village officer who reports first (the Riau paper's path).
    (
        "kelurahan.kampungtengah",
        "Zulkifli",
        "Anwar",
        "kelurahan-kampung-tengah",
        [Role.CASE_WORKER],
    ),
    # An RT/RW cadre the village office registered: keeps the village's records current
    # from the field page (docs/field.md), never sees a protected identity.
    ("kader.kampungtengah", "Sri", "Wahyuni", "kelurahan-kampung-tengah", [Role.CADRE]),
]

# The leading-sector table for Kota Pekanbaru (region, category, organisation, role).
LEADING_SECTORS = [
    ("14.71", "anak_jalanan", "dinsos-kota-pekanbaru", "lead"),
    ("14.71", "anak_jalanan", "satpol-pp-pekanbaru", "support"),
    ("14.71", "anak_jalanan", "dukcapil-pekanbaru", "support"),
    ("14.71", "anak_terlantar", "dinsos-kota-pekanbaru", "lead"),
    ("14.71", "anak_terlantar", "dukcapil-pekanbaru", "support"),
    ("14.71", "anak_korban_tindak_kekerasan", "dp3a-pekanbaru", "lead"),
    ("14.71", "anak_korban_tindak_kekerasan", "dinsos-kota-pekanbaru", "support"),
    ("14.71", "anak_korban_tindak_kekerasan", "fpsi-umr", "support"),
    ("32.04", "korban_bencana_alam", "bpbd-kab-bandung", "lead"),
    ("32.04", "korban_bencana_alam", "dinsos-kab-bandung", "support"),
]


# Fictional people served. Two records of one boy (spelling variants, no NIK on one)
# show the duplicate guard; the girl holds a sensitive category and is masked to others.
PEOPLE = [
    # registered by, full name, sex, birth date, village, NIK, categories
    (
        "dinsos-kota-pekanbaru",
        "Muhammad Rizki",
        "M",
        "2014-03-12",
        "14.71.01.1002",
        "1471011203140001",
        ["anak_jalanan"],
    ),
    (
        "dinsos-kota-pekanbaru",
        "Mohamad Rizky Saputra",
        "M",
        "2014-03-12",
        "14.71.01.1003",
        "",
        ["anak_jalanan", "anak_terlantar"],
    ),
    (
        "dinsos-kota-pekanbaru",
        "Putri Ayu Lestari",
        "F",
        "2012-07-05",
        "14.71.01.1004",
        "",
        ["anak_korban_tindak_kekerasan"],
    ),
    ("dinsos-kab-bandung", "Eni Suryani", "F", "1951-01-20", None, "", ["lanjut_usia_terlantar"]),
]


class DemoError(Exception):
    pass


@transaction.atomic
def create_demo_network() -> dict:
    missing = sorted(
        {o.region for o in ORGANISATIONS}
        - set(
            Region.objects.filter(code__in=[o.region for o in ORGANISATIONS]).values_list(
                "code", flat=True
            )
        )
    )
    if missing:
        raise DemoError(
            "Regions missing: " + ", ".join(missing) + ". Run `jejaring load_regions` first."
        )
    types = {t.code: t for t in OrganisationType.objects.all()}
    categories = {c.code: c for c in PmksCategory.objects.all()}
    created_orgs = 0
    for spec in ORGANISATIONS:
        if Organisation.objects.filter(code=spec.code).exists():
            continue
        org_type = types[spec.type]
        org = network_actions.create_organisation(
            {
                "code": spec.code,
                "name": spec.name,
                "type": org_type,
                "sector": org_type.default_sector,
                "level": spec.level,
                "home_region": Region.objects.get(code=spec.region),
                "service_area": list(Region.objects.filter(code__in=spec.service_area)),
                "pmks_categories": [categories[c] for c in dict.fromkeys(spec.categories)],
                "beds": spec.beds,
                "certified_social_workers": spec.certified,
                "uncertified_social_workers": spec.uncertified,
                "volunteers": spec.volunteers,
                "address": spec.address,
                "phone": spec.phone,
                "status": spec.status,
            },
            acting_user=None,
        )
        for index, (name, position, phone) in enumerate(spec.contacts):
            network_actions.add_contact(
                org,
                {"name": name, "position": position, "phone": phone, "is_primary": index == 0},
                acting_user=None,
            )
        created_orgs += 1

    created_users = 0
    for username, first, last, org_code, roles in USERS:
        if User.objects.filter(username=username).exists():
            continue
        is_admin = Role.NETWORK_ADMIN in roles
        user = account_actions.create_user(
            username=username,
            first_name=first,
            last_name=last,
            organisation=Organisation.objects.get(code=org_code),
            roles=roles,
            password=DEMO_PASSWORD,
            acting_user=None,
            is_staff=is_admin,
        )
        if is_admin:
            # The network administrator edits reference data in the admin screens.
            account_actions.set_superuser(user, True, acting_user=None)
        created_users += 1
    _create_leading_sectors(categories)
    _create_spm_demo(categories)
    people = _create_people(categories)
    from jejaring.collaboration.demo import create_collaboration_demo

    create_collaboration_demo()
    _create_public_reports()
    _create_complaints()
    _create_survey_answers()
    return {"organisations": created_orgs, "users": created_users, "people": people}


def _create_leading_sectors(categories) -> None:
    from jejaring.cases.actions import set_leading_sector
    from jejaring.cases.models import LeadingSector

    for region_code, category_code, org_code, role in LEADING_SECTORS:
        region = Region.objects.get(code=region_code)
        organisation = Organisation.objects.get(code=org_code)
        category = categories[category_code]
        # A row already there is kept as it is: an administrator may have changed its
        # role since, and setting it again would undo that (and log an update).
        if LeadingSector.objects.filter(
            region=region, category=category, organisation=organisation
        ).exists():
            continue
        set_leading_sector(region, category, organisation, role, acting_user=None)


def _create_people(categories) -> int:
    import datetime

    from jejaring.cases.actions import open_case
    from jejaring.registry import actions as registry_actions
    from jejaring.registry.models import Person

    created = 0
    for org_code, name, sex, born, village, nik, codes in PEOPLE:
        if Person.objects.filter(full_name=name).exists():
            continue
        organisation = Organisation.objects.get(code=org_code)
        region = (
            Region.objects.filter(code=village).first() if village else organisation.home_region
        )
        person = registry_actions.create_person(
            {
                "full_name": name,
                "sex": sex,
                "birth_date": datetime.date.fromisoformat(born),
                "region": region,
                "nik": nik,
            },
            organisation=organisation,
            acting_user=None,
            categories=[categories[c] for c in codes],
            confirmed_new=True,
        )
        # Each person's first category is an open case at the registering office.
        open_case(person, categories[codes[0]], organisation=organisation, acting_user=None)
        created += 1
    return created


# Citizens' reports in Pekanbaru (#15): one waiting to be picked up, one a worker took.
PUBLIC_REPORTS = [
    # topic, village, place, what was seen, hours ago, picked up by
    (
        "lansia_terlantar",
        "14.71.01.1004",
        "Rumah papan di ujung Gang Mawar",
        "Seorang nenek tinggal sendiri, jarang terlihat keluar, tetangga mengantar makanan.",
        3,
        None,
    ),
    (
        "anak_jalanan",
        "14.71.01.1003",
        "Simpang lampu merah Jl. Sudirman",
        "Dua anak menjual tisu sampai larut malam, tampak belum makan.",
        40,
        "petugas.pekanbaru",
    ),
]


def _create_public_reports() -> None:
    import datetime

    from jejaring.core import clock
    from jejaring.public.actions import reports as public_actions
    from jejaring.public.models import PublicReport, ReportTopic

    if PublicReport.objects.exists():
        return
    for topic, village, place, seen, hours_ago, worker in PUBLIC_REPORTS:
        with clock.set_to(clock.now() - datetime.timedelta(hours=hours_ago)):
            report = public_actions.submit_report(
                {
                    "topic": ReportTopic.objects.select_related("category").get(code=topic),
                    "region": Region.objects.get(code=village),
                    "place": place,
                    "description": seen,
                },
                sender_address="demo",
            )
        if worker:
            public_actions.pick_up_report(report, acting_user=User.objects.get(username=worker))


# Complaints in Pekanbaru (#15): one answered and rated, one waiting to be verified.
COMPLAINTS = [
    # category, organisation concerned, subject, what happened, days ago, answered after
    (
        "layanan_lambat",
        "dinsos-kota-pekanbaru",
        "Pengurusan rekomendasi bantuan berbulan-bulan",
        "Sudah tiga kali datang ke kantor untuk surat rekomendasi, selalu diminta kembali.",
        12,
        "Rekomendasi sudah diterbitkan; petugas loket diingatkan soal batas waktu layanan.",
    ),
    (
        "perilaku_petugas",
        "lksa-harapan-bunda",
        "Pengasuh membentak anak di depan tamu",
        "Saat berkunjung saya melihat pengasuh membentak anak dengan kata kasar.",
        1,
        "",
    ),
]


def _create_complaints() -> None:
    import datetime

    from jejaring.core import clock
    from jejaring.public.actions import complaints as complaint_actions
    from jejaring.public.models import Complaint, ComplaintCategory

    if Complaint.objects.exists():
        return
    worker = User.objects.get(username="petugas.pekanbaru")
    for category, org_code, subject, happened, days_ago, answer in COMPLAINTS:
        sent = clock.now() - datetime.timedelta(days=days_ago)
        with clock.set_to(sent):
            complaint = complaint_actions.submit_complaint(
                {
                    "category": ComplaintCategory.objects.get(code=category),
                    "concerned_organisation": Organisation.objects.select_related("type").get(
                        code=org_code
                    ),
                    "subject": subject,
                    "description": happened,
                },
                sender_address="demo",
            )
        if not answer:
            continue
        with clock.set_to(sent + datetime.timedelta(days=1)):
            complaint_actions.verify_complaint(complaint, acting_user=worker)
        with clock.set_to(sent + datetime.timedelta(days=2)):
            complaint_actions.start_follow_up(complaint, acting_user=worker)
        with clock.set_to(sent + datetime.timedelta(days=6)):
            complaint_actions.answer_complaint(complaint, answer, acting_user=worker)
        with clock.set_to(sent + datetime.timedelta(days=7)):
            complaint_actions.rate_answer(complaint.tracking_code, 4, "Terima kasih.")


# Satisfaction survey answers for Dinas Sosial Kota Pekanbaru (#15): enough for its IKM
# to be shown (SKM_MIN_RESPONSES); each row is u1…u9.
SURVEY_ANSWERS = [
    "344343434",
    "343433433",
    "434443443",
    "333343333",
    "344444434",
    "243332423",
    "343434434",
    "334343343",
    "444443444",
    "333333333",
    "343443433",
    "334433343",
]


def _create_survey_answers() -> None:
    from jejaring.public.actions import survey as survey_actions
    from jejaring.public.models import SurveyInvitation

    if SurveyInvitation.objects.exists():
        return
    worker = User.objects.get(username="petugas.pekanbaru")
    for row in SURVEY_ANSWERS:
        code = survey_actions.issue_invitation(acting_user=worker).code
        scores = {f"u{i}": int(score) for i, score in enumerate(row, start=1)}
        survey_actions.answer_survey(code, scores)


# SPM demo: children served outside institutions in Kota Pekanbaru, elderly people in
# Kabupaten Bandung, with targets, so the dashboards show real (fictional) figures.
SPM_FIRST = "Aditya Budi Candra Dimas Eka Fajar Gilang Hadi Indra Joko Kurnia Lukman".split()


def _create_spm_demo(categories) -> None:
    import datetime

    from jejaring.cases.actions import open_case, record_service
    from jejaring.cases.models import ServiceType
    from jejaring.registry import actions as registry_actions
    from jejaring.registry.models import Person
    from jejaring.spm import actions as spm_actions
    from jejaring.spm.models import SpmServiceType

    if Person.objects.filter(full_name__startswith="Aditya Pratama").exists():
        return
    services = {s.code: s for s in ServiceType.objects.all()}
    plan = [
        (
            "dinsos-kota-pekanbaru",
            "kab_anak_terlantar_luar_panti",
            "anak_terlantar",
            ["permakanan", "sandang", "bimbingan_sosial", "fasilitasi_nik"],
            "Pratama",
            2014,
        ),
        (
            "dinsos-kab-bandung",
            "kab_lansia_luar_panti",
            "lanjut_usia_terlantar",
            ["permakanan", "sandang", "perbekalan_kesehatan"],
            "Sutisna",
            1948,
        ),
    ]
    for org_code, type_code, category_code, served_with, surname, born in plan:
        organisation = Organisation.objects.get(code=org_code)
        kind = SpmServiceType.objects.get(code=type_code)
        villages = list(
            Region.objects.filter(
                code__startswith=f"{organisation.home_region_id}.", level="village"
            )[:6]
        )
        for year, target in ((2025, 16), (2026, 20)):
            spm_actions.set_target(
                organisation.home_region,
                year,
                kind,
                target,
                acting_user=None,
                source_note="pendataan demo",
            )
        for index, first in enumerate(SPM_FIRST):
            person = registry_actions.create_person(
                {
                    "full_name": f"{first} {surname}",
                    "sex": "M",
                    "birth_date": datetime.date(born + index % 3, 1 + index % 12, 10),
                    "region": villages[index % len(villages)],
                },
                organisation=organisation,
                acting_user=None,
                categories=[categories[category_code]],
                confirmed_new=True,
            )
            case = open_case(
                person, categories[category_code], organisation=organisation, acting_user=None
            )
            year = 2025 if index % 2 else 2026
            # The last two people receive only part of the services: still to serve.
            count = len(served_with) if index < len(SPM_FIRST) - 2 else 2
            for step, code in enumerate(served_with[:count]):
                record_service(
                    case,
                    services[code],
                    datetime.date(year, 2 + step * 2 + index % 3, 5),
                    acting_user=None,
                )
