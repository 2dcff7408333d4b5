"""A second synthetic population, written from a district field office's angle.

``benchmarks/synth.py`` was written next to the linkage engine; an engine tuned on it can
fit its habits. This generator is independent of it (own name pools, own damage model,
own file layout) and plants what a Dinas Sosial data officer actually meets when several
agencies' lists are merged:

- names of several regions: Javanese (old spellings Soe-/Dj-), Sundanese (Ujang, Neng,
  Asep as given names), Balinese birth-order names (I Wayan, Ni Made), Batak clans (and
  "br." for women), Minang, Bugis (Andi), Arab-Indonesian (the Muhammad family written
  M./Moch./Moh./Muhamad ...), Chinese-Indonesian (Tj/C, Soe/Su);
- on duplicate records: honorifics and degrees (H., Hj., Bapak, Ibu, S.Pd.), an
  initialled last word ("Heru W."), a call-name for a long name (rare), old or new
  spelling, a one-letter typo (also in one-word names), the Balinese "I"/"Ni" or the
  Bugis "Andi" left out, "br." added or dropped;
- dates: year only, the placeholders 1 Jan / 1 Jul / 31 Dec, ±1 day, year ±1,
  day and month swapped, missing;
- NIKs damaged as offices' real ones are: on the card itself (the birth digits disagree
  with the birth date, the sex digit is wrong, digits 7–12 are not a date: every record
  of that person carries it) and per record (last four digits 0000, the last digit lost
  to Excel's 15 digits, a NIK stored as a number, a one-digit typo, left out);
- people without any NIK, moves to another district or regency (new village code);
- true non-matches that look alike: the same common name and birth date in another
  regency, twins (same KK, mother, father, birth date), siblings.

Duplicate clusters have 2–4 records. Every row carries ``truth_id`` (the answer key; the
import ignores the column). A sidecar ``<out>.key.csv`` says, per data row, its truth id,
its damage kinds and the look-alike it was planted against, so the benchmark can report
recall per damage kind and false links per kind of look-alike.

    .venv/bin/python benchmarks/synth_field.py --rows 20000 --out var/bench/field_20000_s42.csv
    .venv/bin/python benchmarks/synth_field.py --rows 5000 --out /tmp/f.csv --xlsx /tmp/f.xlsx

``--xlsx`` also writes a district-style workbook: a two-level merged header ("Kelahiran"
over "Tempat" / "Tanggal", "Alamat" over "Jalan/RT/RW" / "Desa"), real date cells, years
as numbers and NIKs stored as numbers where the damage says so. Output is deterministic
for a seed: one ``random.Random(seed)`` drives everything.
"""

import argparse
import csv
import datetime
import gzip
import random
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

REGIONS = Path(__file__).resolve().parents[1] / "jejaring" / "regions" / "data"
REF_YEAR = 2025

CSV_HEADER = [
    "No", "Nama Lengkap", "NIK", "No. KK", "L/P", "Tempat Lahir", "Tanggal Lahir", "Alamat",
    "Kode Desa", "Nama Ibu Kandung", "Nama Ayah", "Jenis PMKS", "truth_id",
]  # fmt: skip
KEY_HEADER = ["index", "truth_id", "damage", "lookalike"]

# --- Name pools ------------------------------------------------------------------------
# m / f: given names; sm / sf: second words (family, clan or a second given name).
POOLS = {
    "jawa": {
        "m": "Joko Bambang Slamet Sutrisno Suharto Budi Heru Agus Eko Wahyu Sugeng Hadi Teguh "
        "Sukarno Sumarno Purwanto Gatot Tri Dwi Bayu Didik Sutarno Paimin Tukiman Kasno "
        "Warsito Suyono Sukirman Giyono Sudarmaji",
        "f": "Sri Siti Endang Sumiyati Suharti Tuti Wahyuni Lestari Rahayu Kartini Suprapti "
        "Sulastri Partini Ngatini Sutini Tumini Murni Rukmini Yuli Retno Sujiyem Painem "
        "Tukinah Suwarni",
        "sm": "Wibowo Santoso Susilo Prasetyo Nugroho Widodo Setiawan Hartono Utomo Wicaksono "
        "Raharjo Kuncoro Saputro Sulistyo Purnomo Haryanto Suyanto Riyadi",
        "sf": "Wahyuni Lestari Rahayu Handayani Astuti Rahmawati Susanti Wulandari Purwanti "
        "Setyowati Hartini Mulyani Suryani Ningsih Utami",
        "one": 0.3,
        "muhammad": 0.08,
        "towns": "Surakarta Semarang Yogyakarta Klaten Boyolali Sragen Kediri Madiun Blitar",
    },
    "sunda": {
        "m": "Asep Ujang Dadang Cecep Iwan Dede Ade Jajang Yayan Deden Encep Aep Dudung Usep "
        "Acep Entis Eman Oman Udin Nana Maman Engkos Didin Ajat",
        "f": "Neng Euis Imas Iis Enung Cucu Titin Eulis Nenden Lilis Tati Ai Dedeh Elis Yayah "
        "Nining Popon Icih Onih Enok",
        "sm": "Sunandar Suryana Hidayat Supriatna Permana Saepudin Sopandi Rahmat Kurniawan "
        "Gunawan Mulyana Sutisna Kusnadi Sudrajat Ruhiyat Suhendar",
        "sf": "Komariah Rohayati Nurhayati Maryati Juariah Hasanah Nurjanah Rosmiati Sumiati "
        "Kurniasih Rohmah Maesaroh",
        "one": 0.2,
        "muhammad": 0.08,
        "towns": "Bandung Garut Tasikmalaya Ciamis Sumedang Cianjur Sukabumi Subang Kuningan",
    },
    "bali": {
        "m": "Sudarma Suarta Mertayasa Artawan Sukarta Budiasa Sugiarta Wirawan Ardana Suwirya "
        "Parwata Darmawan Sutama Adnyana Suardana",
        "f": "Sukerti Suartini Ariani Sudiarti Wartini Sriani Murniasih Kariasih Juliantari "
        "Sumertini Sukarmi Astiti Widiasih",
        "order": "Wayan Putu Gede Made Kadek Nengah Nyoman Komang Ketut",
        "towns": "Denpasar Gianyar Tabanan Singaraja Klungkung Bangli Negara Amlapura",
    },
    "batak": {
        "m": "Togar Poltak Sahat Bonar Tigor Parlindungan Marihot Binsar Hotman Maruli Saut "
        "Martua Horas Tumpal Sabar Mangasi Lamhot Jonggi",
        "f": "Rosmawati Tiurma Lamtiur Romauli Rotua Sondang Hotnida Rumondang Lasma Nurhaida "
        "Saulina Rosdiana Dame Butet Tiominar",
        "clan": "Siregar Nasution Lubis Simanjuntak Sitompul Harahap Hutagalung Panjaitan "
        "Simatupang Situmorang Sinaga Simbolon Pardede Tampubolon Sihombing Manurung Silalahi "
        "Sitorus Napitupulu Hasibuan Tambunan Gultom Marpaung Purba Saragih Ginting Tarigan",
        "towns": "Medan Tarutung Balige Sibolga Pematangsiantar Kabanjahe Porsea Sidikalang",
    },
    "minang": {
        "m": "Syafrizal Afrizal Yusrizal Zulhendri Nofrizal Dasrul Syahrul Jasman Masrul Rusdi "
        "Firdaus Hendri Irwan Zulkarnain Yulizar Efendi Gusnaldi Khairul Asrul Jufri",
        "f": "Yusnimar Nurlaila Rosmaini Syafrida Desmawati Elfi Gusnawati Husnidar Yenni "
        "Zuriati Asnidar Nofrita Refni Welli Yelfi Erlinda Marnis",
        "sm": "Chaniago Koto Piliang Tanjung Sikumbang Jambak Melayu Guci",
        "sf": "Yanti Wati Sari Hayati Rahmi Yusnita Elfira",
        "one": 0.45,
        "muhammad": 0.06,
        "towns": "Padang Bukittinggi Payakumbuh Solok Pariaman Batusangkar Painan",
    },
    "bugis": {
        "m": "Baso Beddu Lasse Amir Ridwan Syamsul Kamaruddin Jamaluddin Hasanuddin Arifin "
        "Rahman Syahrir Sudirman Mappaseng Makmur Sultan Haris",
        "f": "Hasnah Nurhayati Rosmini Hamsiah Nurlina Hasmawati Jumriah Sumarni Tenri "
        "Nurhaeda Suriani Megawati",
        "sm": "Amir Rahman Latif Hamid Mappiare Nompo Tahir Said Usman Arsyad",
        "sf": "Ajeng Aminah Ramlah Hasanah Nurhayati Salmah",
        "one": 0.1,
        "muhammad": 0.15,
        "andi": 0.2,
        "towns": "Makassar Bone Wajo Soppeng Sidrap Pinrang Parepare Bulukumba",
    },
    "arab": {
        "m": "Rizki Iqbal Fauzi Ridwan Hasan Husein Yusuf Ilham Fikri Hamzah Syarif Umar Salim "
        "Abdullah Faisal Zainal",
        "f": "Fatimah Aisyah Khadijah Zahra Nabila Syarifah Aminah Maryam Salma Zainab Rahmah",
        "sm": "Alatas Assegaf Alhabsyi Baabud Bawazier Shahab Alaydrus Basalamah Alkaff",
        "sf": "Alatas Assegaf Alhabsyi Baabud Bawazier Shahab Alaydrus Basalamah Alkaff",
        "one": 0.0,
        "muhammad": 0.45,
        "towns": "Jakarta Pekalongan Surabaya Palembang Gresik Tegal",
    },
    "chinese": {
        "m": "Hendra Budi Tjandra Soesanto Yohanes Stefanus Tjahjadi Hartono Gunawan Hendrik "
        "Tjipto Soegianto Andreas Suwandi Djohan",
        "f": "Liliana Lanny Melinda Fransiska Susanti Tjitra Yuliana Meliana Djuwita Soenarti "
        "Veronika Ratna",
        "sm": "Wijaya Gunawan Santoso Halim Tanoto Salim Kusuma Tanujaya Tjahjadi Soetanto "
        "Hartanto Setiadi Tjokro Lim Tan",
        "one": 0.05,
        "muhammad": 0.0,
        "towns": "Jakarta Medan Pontianak Singkawang Semarang Surabaya Bandung",
    },
}
for _pool in POOLS.values():
    for _k, _v in list(_pool.items()):
        if isinstance(_v, str) and _k != "towns":
            _pool[_k] = _v.split()
    _pool["towns"] = _pool["towns"].split()

# Province → (weight of the province in the population, pool mix).
PROVINCES = {
    "32": (20, "sunda:7 arab:1 jawa:2"), "33": (16, "jawa:9 arab:1"), "35": (16, "jawa:9 arab:1"),
    "31": (8, "jawa:3 sunda:2 arab:3 chinese:2"), "12": (10, "batak:7 chinese:2 minang:1"),
    "13": (8, "minang:9 arab:1"), "51": (8, "bali:9 jawa:1"), "73": (10, "bugis:9 arab:1"),
    "36": (4, "sunda:6 arab:3 chinese:1"),
}  # fmt: skip

MUHAMMAD_FORMS = ("Muhammad", "Mochammad", "Mohammad", "Muhamad", "Moch.", "Moh.", "M.",
                  "Mochamad", "Mohamad", "Muh.")  # fmt: skip
# Old (pre-1972) spellings and back: word-initial first, then inside the word.
OLD_TO_NEW = (("Soe", "Su"), ("Dj", "J"), ("Tj", "C"), ("oe", "u"), ("dj", "j"), ("tj", "c"),
              ("j", "y"), ("ch", "kh"), ("sj", "sy"))  # fmt: skip
NICKNAMES = {
    "Bambang": "Bams", "Slamet": "Met", "Wahyuni": "Yuni", "Rahayu": "Ayu", "Kurniawan": "Iwan",
    "Setiawan": "Wawan", "Hidayat": "Dayat", "Susanti": "Santi", "Rizki": "Kiki",
    "Hendra": "Hen", "Suharti": "Harti", "Sumiyati": "Yati", "Sulastri": "Lastri",
    "Handayani": "Yani", "Syafrizal": "Ijal", "Afrizal": "Ijal", "Nurhayati": "Yati",
    "Fatimah": "Imah", "Khadijah": "Ijah", "Aisyah": "Ica", "Parlindungan": "Lindung",
    "Kamaruddin": "Udin", "Jamaluddin": "Udin", "Hasanuddin": "Udin", "Zulkarnain": "Zul",
    "Yohanes": "Anes", "Stefanus": "Stef", "Liliana": "Lili", "Rosmawati": "Ros",
}  # fmt: skip
M_TITLES = ("H.", "Bapak", "Bpk.", "Drs.", "Ir.")
F_TITLES = ("Hj.", "Ibu", "Ny.", "Dra.")
DEGREES = (", S.Pd.", ", S.E.", ", S.Sos.", ", A.Md.", ", S.H.")
LETTERS = "abcdefghijklmnopqrstuvwxyz"
MONTH_WORDS = ("", "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
               "September", "Oktober", "November", "Desember")  # fmt: skip
CATEGORIES = {
    "child": ("anak_terlantar", "anak_jalanan", "anak_dengan_kedisabilitasan", ""),
    "adult": ("fakir_miskin", "fakir_miskin", "penyandang_disabilitas", "korban_bencana_alam", ""),
    "elder": ("lanjut_usia_terlantar", "lanjut_usia_terlantar", "fakir_miskin", ""),
}
STREETS = ("Jl. Merdeka", "Jl. Pahlawan", "Jl. Diponegoro", "Gg. Mawar", "Gg. Melati",
           "Kp. Sukamaju", "Dusun Krajan", "Jl. Masjid", "Lorong Pasar", "Banjar Kaja")  # fmt: skip

# Duplicate damage kinds and their weights. A kind that does not apply to a record (no
# "Muhammad" to rewrite, no NIK to damage) is drawn again, so the kinds that apply to
# few people (Andi, br., I/Ni) carry larger weights to appear at all in a small file.
DAMAGE_WEIGHTS = {
    "honorific": 8, "initial": 5, "nickname": 2, "muhammad_form": 16, "old_spelling": 8,
    "typo": 6, "typo_one_word": 8, "bali_prefix_dropped": 12, "batak_boru": 16,
    "andi_dropped": 40,
    "year_only": 4, "placeholder_date": 4, "day_pm1": 4, "year_pm1": 4, "day_month_swap": 3,
    "date_missing": 3,
    "nik_0000": 4, "nik_excel_15_digits": 4, "nik_typo": 4, "nik_as_number": 2,
    "nik_missing": 6,
    "moved_regency": 5, "moved_district": 3, "mother_missing": 2, "sex_missing": 1,
}  # fmt: skip
EXCLUSIVE = {
    **dict.fromkeys(("nik_0000", "nik_excel_15_digits", "nik_typo", "nik_as_number",
                     "nik_missing"), "nik"),
    **dict.fromkeys(("year_only", "placeholder_date", "day_pm1", "year_pm1", "day_month_swap",
                     "date_missing"), "date"),
    **dict.fromkeys(("moved_regency", "moved_district"), "region"),
}  # fmt: skip
# Kinds that belong to the person (every record of them shows it), not to one record.
PERSON_KINDS = ("no_nik", "nik_birth_mismatch", "nik_sex_wrong", "nik_not_date", "date_unknown")
DAMAGE_KINDS = tuple(DAMAGE_WEIGHTS) + PERSON_KINDS
LOOKALIKE_KINDS = ("namesake", "twin", "sibling")


def _load_regions():
    """Villages of the chosen provinces, by province, regency and district."""
    villages: dict[str, list[str]] = {p: [] for p in PROVINCES}
    with gzip.open(REGIONS / "villages.csv.gz", "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for code, _district, _name in reader:
            if code[:2] in villages:
                villages[code[:2]].append(code)
    by_regency: dict[str, list[str]] = {}
    by_district: dict[str, list[str]] = {}
    for codes in villages.values():
        codes.sort()
        for code in codes:
            by_regency.setdefault(code[:5], []).append(code)
            by_district.setdefault(code[:8], []).append(code)
    return villages, by_regency, by_district


class FieldPopulation:
    """All state of one run: the seeded RNG, the regions and the NIKs handed out."""

    def __init__(self, seed: int, duplicate_rate: float = 0.2):
        self.rng = random.Random(seed)
        self.duplicate_rate = duplicate_rate
        self.villages, self.by_regency, self.by_district = _load_regions()
        self.regencies = {p: sorted({c[:5] for c in v}) for p, v in self.villages.items()}
        self.provinces = [p for p, (w, _mix) in PROVINCES.items() for _ in range(w)]
        self.mixes = {
            p: [name for part in mix.split() for name in [part.split(":")[0]] * int(part[-1])]
            for p, (_w, mix) in PROVINCES.items()
        }
        self.niks: set[str] = set()
        self.kks: set[str] = set()
        self.next_id = 0
        self.kinds = list(DAMAGE_WEIGHTS)
        self.cum = []
        total = 0
        for kind in self.kinds:
            total += DAMAGE_WEIGHTS[kind]
            self.cum.append(total)

    # --- people ------------------------------------------------------------------------
    def pick(self, items):
        return items[int(self.rng.random() * len(items))]

    def given_name(self, pool_name: str, female: bool) -> str:
        pool = POOLS[pool_name]
        r = self.rng.random
        if pool_name == "bali":
            order = self.pick(pool["order"])
            given = self.pick(pool["f" if female else "m"])
            return f"{'Ni' if female else 'I'} {order} {given}"
        if pool_name == "batak":
            given = self.pick(pool["f" if female else "m"])
            clan = self.pick(pool["clan"])
            return f"{given} br. {clan}" if female and r() < 0.3 else f"{given} {clan}"
        given = self.pick(pool["f" if female else "m"])
        words = [given]
        if r() >= pool.get("one", 0.2):
            second = self.pick(pool.get("sf" if female else "sm") or pool["sm"])
            if second != given:
                words.append(second)
        if not female and r() < pool.get("muhammad", 0):
            words.insert(0, self.pick(MUHAMMAD_FORMS[:5]))
        if female and pool_name in ("arab", "jawa", "sunda") and r() < 0.15 and given != "Siti":
            words.insert(0, "Siti")
        if pool_name == "bugis" and r() < pool["andi"]:
            words.insert(0, "Andi")
        if pool_name in ("jawa", "chinese") and r() < 0.3:
            words = [_to_old(w) for w in words]  # the elderly often keep old spellings
        return " ".join(words)

    def born(self, child: bool) -> datetime.date:
        lo, hi = (2008, 2022) if child else (1938, 2004)
        start = datetime.date(lo, 1, 1).toordinal()
        return datetime.date.fromordinal(
            start + int(self.rng.random() * (datetime.date(hi, 12, 31).toordinal() - start))
        )

    def village(self, province: str) -> str:
        return self.pick(self.villages[province])

    def make_nik(self, village: str, born: datetime.date, female: bool) -> str:
        prefix = village[:8].replace(".", "")
        dd = born.day + (40 if female else 0)
        date_part = f"{dd:02d}{born.month:02d}{born.year % 100:02d}"
        while True:
            nik = prefix + date_part + f"{1 + int(self.rng.random() * 60):04d}"
            if nik not in self.niks:
                self.niks.add(nik)
                return nik

    def make_kk(self, village: str) -> str:
        while True:
            issued = 2005 + int(self.rng.random() * 19)
            day = 1 + int(self.rng.random() * 28)
            month = 1 + int(self.rng.random() * 12)
            kk = village[:8].replace(".", "") + f"{day:02d}{month:02d}{issued % 100:02d}"
            kk += f"{1 + int(self.rng.random() * 9999):04d}"
            if kk not in self.kks:
                self.kks.add(kk)
                return kk

    def person(self, province=None, *, pool=None, female=None, child=None, born=None,
               village=None, household=None, name=None) -> dict:  # fmt: skip
        """One real person: what their own card (KTP/KK) would say."""
        r = self.rng.random
        province = province or self.pick(self.provinces)
        pool = pool or self.pick(self.mixes[province])
        female = r() < 0.5 if female is None else female
        child = r() < 0.2 if child is None else child
        born = born or self.born(child)
        village = village or self.village(province)
        self.next_id += 1
        kinds: list[str] = []
        date_known = True
        if born.year < 1960 and r() < 0.25:
            date_known = False  # the registrar wrote the year: the card says 1 July
            born = datetime.date(born.year, 7, 1)
            kinds.append("date_unknown")
        if household is None:
            household = {
                "kk": self.make_kk(village) if r() < 0.8 else "",
                "mother": self.given_name(pool, True) if r() < 0.85 else "",
                "father": self.given_name(pool, False) if r() < 0.5 else "",
                "address": f"{self.pick(STREETS)} No. {1 + int(r() * 120)}",
                "rt_rw": f"RT {1 + int(r() * 12):03d}/RW {1 + int(r() * 8):03d}",
            }
        no_nik = r() < (0.3 if child else 0.1)
        nik = "" if no_nik else self.make_nik(village, born, female)
        if no_nik:
            kinds.append("no_nik")
        elif (x := r()) < 0.06:  # the card itself is wrong; every record repeats it
            if x < 0.03:
                other = born + datetime.timedelta(days=1 + int(r() * 60))
                dd = other.day + (40 if female else 0)
                nik = f"{nik[:6]}{dd:02d}{other.month:02d}{other.year % 100:02d}{nik[12:]}"
                kinds.append("nik_birth_mismatch")
            elif x < 0.045:
                dd = int(nik[6:8])
                nik = nik[:6] + f"{dd - 40 if dd > 40 else dd + 40:02d}" + nik[8:]
                kinds.append("nik_sex_wrong")
            else:
                nik = nik[:6] + self.pick(("00", "32", "35")) + f"{born.month:02d}" + nik[10:]
                kinds.append("nik_not_date")
        age = REF_YEAR - born.year
        group = "child" if age < 18 else "elder" if age >= 60 else "adult"
        return {
            "id": self.next_id, "pool": pool, "province": province, "female": female,
            "born": born, "date_known": date_known, "village": village, "nik": nik,
            "name": name or self.given_name(pool, female), "kinds": kinds,
            "birthplace": self.pick(POOLS[pool]["towns"]), "category": self.pick(CATEGORIES[group]),
            **household,
        }  # fmt: skip

    # --- records -----------------------------------------------------------------------
    def render(self, p: dict) -> dict:
        """A record of person ``p`` as one office typed it, before any damage."""
        r = self.rng.random
        if p["date_known"]:
            birth = p["born"]
        else:  # what offices write for a year-only person: the year, or a placeholder day
            x = r()
            year = p["born"].year
            birth = year if x < 0.5 else datetime.date(year, 1, 1) if x < 0.75 else p["born"]
        return {
            "name": p["name"], "nik": p["nik"], "nik_cell": "text", "kk": p["kk"],
            "sex": "P" if p["female"] else "L", "birthplace": p["birthplace"], "birth": birth,
            "address": p["address"], "rt_rw": p["rt_rw"], "village": p["village"],
            "mother": p["mother"], "father": p["father"], "category": p["category"],
            "kinds": list(p["kinds"]),
        }  # fmt: skip

    def damage(self, rec: dict, p: dict, kind: str) -> bool:
        """Apply one damage kind to ``rec`` in place; False when it does not apply.

        At most one kind per field group (NIK, date, region) on a record, so a second
        damage never hides the first and the answer key says what the cell shows."""
        r = self.rng.random
        group = EXCLUSIVE.get(kind)
        if group and any(EXCLUSIVE.get(k) == group for k in rec["kinds"]):
            return False
        words = rec["name"].split()
        born = rec["birth"] if isinstance(rec["birth"], datetime.date) else None
        if kind == "honorific":
            if p["born"].year > REF_YEAR - 20:
                return False
            if r() < 0.7:
                rec["name"] = self.pick(F_TITLES if p["female"] else M_TITLES) + " " + rec["name"]
            else:
                rec["name"] += self.pick(DEGREES)
        elif kind == "initial":
            if len(words) < 2 or len(words[-1]) < 3 or words[-1].endswith("."):
                return False
            rec["name"] = " ".join([*words[:-1], words[-1][0] + "."])
        elif kind == "nickname":
            calls = [NICKNAMES[w] for w in words if w in NICKNAMES]
            if not calls or len(words) < 2:
                return False
            rec["name"] = calls[0]
        elif kind == "muhammad_form":
            if not words or words[0] not in MUHAMMAD_FORMS:
                return False
            form = self.pick([f for f in MUHAMMAD_FORMS if f != words[0]])
            rec["name"] = " ".join([form, *words[1:]])
        elif kind == "old_spelling":
            options = [(i, v) for i, w in enumerate(words) for v in _spellings(w) if v != w]
            if not options:
                return False
            i, words[i] = self.pick(options)
            rec["name"] = " ".join(words)
        elif kind in ("typo", "typo_one_word"):
            if (len(words) == 1) != (kind == "typo_one_word"):
                return False
            candidates = [i for i, w in enumerate(words) if len(w) > 3 and w.isalpha()]
            if not candidates:
                return False
            i = self.pick(candidates)
            words[i] = _typo(words[i], r)
            rec["name"] = " ".join(words)
        elif kind == "bali_prefix_dropped":
            if p["pool"] != "bali" or words[0] not in ("I", "Ni"):
                return False
            rec["name"] = " ".join(words[1:])
        elif kind == "batak_boru":
            if p["pool"] != "batak" or not p["female"]:
                return False
            rec["name"] = rec["name"].replace(" br. ", " ") if " br. " in rec["name"] else (
                " ".join([*words[:-1], self.pick(("br.", "Boru")), words[-1]])
            )  # fmt: skip
        elif kind == "andi_dropped":
            if words[0] != "Andi" or len(words) < 2:
                return False
            rec["name"] = " ".join(words[1:])
        elif kind == "year_only":
            if born is None:
                return False
            rec["birth"] = born.year
        elif kind == "placeholder_date":
            if born is None or not p["date_known"]:
                return False
            placeholder = self.pick(((1, 1), (7, 1), (12, 31)))
            if (born.month, born.day) == placeholder:
                return False
            rec["birth"] = datetime.date(born.year, *placeholder)
        elif kind == "day_pm1":
            if born is None or not p["date_known"]:
                return False
            rec["birth"] = born + datetime.timedelta(days=self.pick((-1, 1)))
        elif kind == "year_pm1":
            if born is None or (born.month, born.day) == (2, 29):
                return False
            rec["birth"] = born.replace(year=born.year + self.pick((-1, 1)))
        elif kind == "day_month_swap":
            if born is None or born.day > 12 or born.day == born.month or not p["date_known"]:
                return False
            rec["birth"] = datetime.date(born.year, born.day, born.month)
        elif kind == "date_missing":
            if rec["birth"] is None:
                return False
            rec["birth"] = None
        elif kind.startswith("nik_"):
            if not rec["nik"] or rec["nik_cell"] != "text":
                return False
            if kind == "nik_0000":
                rec["nik"] = rec["nik"][:12] + "0000"
            elif kind == "nik_excel_15_digits":
                if rec["nik"].endswith("0"):
                    return False
                rec["nik"] = rec["nik"][:15] + "0"
                rec["nik_cell"] = "excel"  # a number in the workbook, 3.20405E+15 in a CSV
            elif kind == "nik_typo":
                i = int(r() * 16)
                digit = str((int(rec["nik"][i]) + 1 + int(r() * 9)) % 10)  # never the same
                rec["nik"] = rec["nik"][:i] + digit + rec["nik"][i + 1 :]
            elif kind == "nik_as_number":
                rec["nik_cell"] = "number"  # a full 16-digit number cell (not typed in Excel)
            elif kind == "nik_missing":
                rec["nik"] = ""
        elif kind in ("moved_regency", "moved_district"):
            here = rec["village"]
            if kind == "moved_district":
                districts = sorted({c[:8] for c in self.by_regency[here[:5]]} - {here[:8]})
                if not districts:
                    return False
                rec["village"] = self.pick(self.by_district[self.pick(districts)])
            else:
                province = here[:2] if r() < 0.7 else self.pick(self.provinces)
                regencies = [c for c in self.regencies[province] if c != here[:5]]
                rec["village"] = self.pick(self.by_regency[self.pick(regencies)])
            rec["address"] = f"{self.pick(STREETS)} No. {1 + int(r() * 120)}"
        elif kind == "mother_missing":
            if not rec["mother"]:
                return False
            rec["mother"] = ""
        elif kind == "sex_missing":
            rec["sex"] = ""
        else:  # pragma: no cover - a kind without a rule is a bug here
            raise ValueError(kind)
        rec["kinds"].append(kind)
        return True

    def draw_kind(self) -> str:
        x = self.rng.random() * self.cum[-1]
        for kind, edge in zip(self.kinds, self.cum, strict=True):
            if x < edge:
                return kind
        return self.kinds[-1]

    def records_of(self, p: dict, *, duplicated: bool) -> list[dict]:
        r = self.rng.random
        first = self.render(p)
        if r() < 0.05:
            self.damage(first, p, "honorific")
        out = [first]
        if duplicated:
            size = 2 if (x := r()) < 0.65 else 3 if x < 0.9 else 4
            for _ in range(size - 1):
                rec = self.render(p)
                wanted = 1 if r() < 0.6 else 2
                for _try in range(12):
                    if len(rec["kinds"]) - len(p["kinds"]) >= wanted:
                        break
                    kind = self.draw_kind()
                    if kind not in rec["kinds"]:
                        self.damage(rec, p, kind)
                out.append(rec)
        return out

    def rows(self, n: int) -> list[tuple[dict, str]]:
        """``n`` records, shuffled as a merged list is: (record, look-alike mark)."""
        r = self.rng.random
        out: list[tuple[dict, str]] = []
        while len(out) < n:
            x = r()
            people: list[tuple[dict, str]] = []
            if x < 0.04:  # the same common name and birth date in another regency
                a = self.person()
                other = [c for c in self.regencies[a["province"]] if c != a["village"][:5]]
                b = self.person(
                    a["province"], pool=a["pool"], female=a["female"], born=a["born"],
                    village=self.pick(self.by_regency[self.pick(other)]), name=a["name"],
                )  # fmt: skip
                people = [(a, ""), (b, f"namesake:{a['id']}")]
            elif x < 0.08:  # a family: twins or siblings share KK, mother, father, village
                a = self.person(child=True)
                household = {k: a[k] for k in ("kk", "mother", "father", "address", "rt_rw")}
                twin = r() < 0.5
                for _try in range(5):  # twins and siblings are not given one name
                    b = self.person(
                        a["province"], pool=a["pool"], child=True, village=a["village"],
                        born=a["born"] if twin else None, household=household,
                    )  # fmt: skip
                    if b["name"] != a["name"]:
                        break
                people = [(a, ""), (b, f"{'twin' if twin else 'sibling'}:{a['id']}")]
            else:
                people = [(self.person(), "")]
            for p, mark in people:
                for rec in self.records_of(p, duplicated=r() < self.duplicate_rate):
                    rec["truth_id"] = p["id"]
                    out.append((rec, mark))
        del out[n:]
        self.rng.shuffle(out)
        return out


def _to_old(word: str) -> str:
    for old, new in OLD_TO_NEW[:3]:
        if word.startswith(new) and not word.startswith(old):
            return old + word[len(new) :]
    return word


def _spellings(word: str) -> list[str]:
    """The other spellings of one word: old to new and new to old, one rule at a time (a
    one-letter new form only at the start, so "Budi" does not become "Boedi" at random)."""
    out = []
    for old, new in OLD_TO_NEW:
        if old in word:
            out.append(word.replace(old, new, 1))
        elif new in word and (len(new) > 1 or word.startswith(new)):
            out.append(word.replace(new, old, 1))
    return [w for w in dict.fromkeys(out) if w != word]


def _typo(word: str, r) -> str:
    """One letter wrong, left out or swapped with its neighbour (never the first)."""
    j = 1 + int(r() * (len(word) - 1))
    x = r()
    if x < 0.45:
        c = LETTERS[int(r() * 26)]
        c = c if c != word[j].lower() else ("e" if c == "a" else "a")
        return word[:j] + c + word[j + 1 :]
    if x < 0.75:
        return word[:j] + word[j + 1 :]
    j = min(j, len(word) - 2)
    if word[j] == word[j + 1]:
        return word[:j] + word[j + 1 :]
    return word[:j] + word[j + 1] + word[j] + word[j + 2 :]


# --- writing ---------------------------------------------------------------------------
def _date_text(birth, r) -> str:
    if birth is None:
        return ""
    if isinstance(birth, int):
        return str(birth)
    x = r()
    if x < 0.6:
        return birth.strftime("%d/%m/%Y")
    if x < 0.8:
        return birth.strftime("%d-%m-%Y")
    if x < 0.95:
        return f"{birth.day} {MONTH_WORDS[birth.month]} {birth.year}"
    return birth.isoformat()


def _nik_text(rec: dict) -> str:
    if rec["nik"] and rec["nik_cell"] == "excel":
        return f"{int(rec['nik']):.5E}"  # what a CSV saved from Excel shows: 3.20405E+15
    return rec["nik"]


def _name_case(name: str, r) -> str:
    return name.upper() if r() < 0.35 else name


def csv_rows(records: list[tuple[dict, str]], seed: int):
    """The CSV's rows, in the import's column names (one draw per cell style)."""
    r = random.Random(seed + 1).random
    for i, (rec, _mark) in enumerate(records, start=1):
        sex = rec["sex"]
        if sex and r() < 0.3:
            sex = "Laki-laki" if sex == "L" else "Perempuan"
        yield [
            i, _name_case(rec["name"], r), _nik_text(rec), rec["kk"], sex, rec["birthplace"],
            _date_text(rec["birth"], r), f"{rec['address']} {rec['rt_rw']}", rec["village"],
            _name_case(rec["mother"], r), rec["father"], rec["category"], rec["truth_id"],
        ]  # fmt: skip


def key_rows(records: list[tuple[dict, str]]):
    for i, (rec, mark) in enumerate(records):
        yield [i, rec["truth_id"], ";".join(rec["kinds"]), mark]


def write_csv(out: Path, rows: int, seed: int = 42, *, xlsx: Path | None = None,
              duplicate_rate: float = 0.2) -> dict:  # fmt: skip
    """Write the CSV (and its answer key, and the workbook if asked); a summary back."""
    population = FieldPopulation(seed, duplicate_rate)
    records = population.rows(rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        writer.writerows(csv_rows(records, seed))
    with open(key_path(out), "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(KEY_HEADER)
        writer.writerows(key_rows(records))
    if xlsx:
        write_xlsx(xlsx, records, seed)
    kinds: dict[str, int] = {}
    for rec, _mark in records:
        for kind in rec["kinds"]:
            kinds[kind] = kinds.get(kind, 0) + 1
    return {
        "rows": len(records),
        "people": len({rec["truth_id"] for rec, _m in records}),
        "kinds": kinds,
        "lookalikes": sum(1 for _r, m in records if m),
    }


def key_path(out: Path) -> Path:
    return out.with_name(out.stem + ".key.csv")


XLSX_TOP = ["No", "Nama", "NIK", "No. KK", "L/P", "Kelahiran", None, "Alamat", None,
            "Nama Ibu Kandung", "Nama Ayah", "Jenis PMKS", "truth_id"]  # fmt: skip
XLSX_SUB = [None, None, None, None, None, "Tempat", "Tanggal", "Jalan/RT/RW", "Desa",
            None, None, None, None]  # fmt: skip


def write_xlsx(path: Path, records: list[tuple[dict, str]], seed: int) -> None:
    """A district-style workbook with a two-level merged header, data from row 3.

    Written in openpyxl's write-only mode (a million rows fit in memory), which cannot
    merge cells; the merges are added to the sheet's XML afterwards."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    r = random.Random(seed + 2).random
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Data PPKS")
    sheet.append(XLSX_TOP)
    sheet.append(XLSX_SUB)
    for i, (rec, _mark) in enumerate(records, start=1):
        birth = rec["birth"]
        if isinstance(birth, datetime.date) and r() < 0.4:
            birth = _date_text(birth, r)  # typed as text in a date column
        nik = rec["nik"]
        if nik and rec["nik_cell"] in ("excel", "number"):
            nik = int(nik)
        sheet.append([
            i, _name_case(rec["name"], r), nik, rec["kk"], rec["sex"], rec["birthplace"], birth,
            f"{rec['address']} {rec['rt_rw']}", rec["village"], rec["mother"], rec["father"],
            rec["category"], rec["truth_id"],
        ])  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.xlsx")
    book.save(partial)
    merges = ["F1:G1", "H1:I1"] + [
        f"{get_column_letter(i + 1)}1:{get_column_letter(i + 1)}2"
        for i, label in enumerate(XLSX_TOP)
        if label and not XLSX_SUB[i]
    ]
    _add_merges(partial, path, merges)
    partial.unlink()


def _add_merges(source: Path, target: Path, merges: list[str]) -> None:
    """Copy the workbook, inserting <mergeCells> after the first sheet's <sheetData>."""
    element = f'<mergeCells count="{len(merges)}">'
    element += "".join(f'<mergeCell ref="{ref}"/>' for ref in merges) + "</mergeCells>"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with tempfile.TemporaryFile() as tmp:
                    with zin.open(item) as src:
                        shutil.copyfileobj(src, tmp)
                    tmp.seek(0)
                    data = tmp.read()
                data = data.replace(b"</sheetData>", b"</sheetData>" + element.encode(), 1)
                zout.writestr(item, data)
            else:
                zout.writestr(item, zin.read(item.filename))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--duplicate-rate", type=float, default=0.2,
                        help="share of people with 2-4 records")  # fmt: skip
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--xlsx", type=Path)
    args = parser.parse_args(argv)
    summary = write_csv(args.out, args.rows, args.seed, xlsx=args.xlsx,
                        duplicate_rate=args.duplicate_rate)  # fmt: skip
    sys.stdout.write(
        f"{summary['rows']:,} rows, {summary['people']:,} people, "
        f"{summary['lookalikes']:,} look-alike rows -> {args.out}\n"
    )


if __name__ == "__main__":
    main()
