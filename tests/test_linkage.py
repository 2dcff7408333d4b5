"""Record linkage: comparison levels, blocking, clustering and deduplication.

The engine works on plain ``LinkRecord`` values, so these tests need no database. Names
are folded with the registry's own ``name_key``, as the import and the registry check do.
The model itself (u sampling, EM, term frequencies) is tested in ``test_linkage_model.py``.
"""

import datetime
import random

import numpy as np
import pytest

from jejaring.imports.linkage import (
    AUTO_LINK,
    MAX_BLOCK,
    REVIEW,
    WINDOW,
    LinkRecord,
    candidate_pairs,
    deduplicate,
    link_against,
    links,
    name_level,
    parent_level,
    score_pair,
    train,
)
from jejaring.imports.linkage.comparisons import COMPARISONS, compare
from jejaring.imports.linkage.records import Prepared
from jejaring.registry.names import name_key

D = datetime.date
# Villages of Sukajadi (14.71.01), Kota Pekanbaru, and one of another district.
JADIREJO, KAMPUNG_TENGAH, KAMPUNG_MELAYU = "14.71.01.1002", "14.71.01.1003", "14.71.01.1004"
KEDUNG_SARI, HARJOSARI, SUKAJADI = "14.71.01.1005", "14.71.01.1006", "14.71.01.1007"
SENAPELAN = "14.71.02.1001"


def person(
    ref=0,
    name="",
    sex="",
    nik="",
    born=None,
    *,
    year_only=False,
    village="",
    mother="",
    father="",
    unverified="",
):
    return LinkRecord(
        ref=ref,
        name_key=name_key(name),
        sex=sex,
        nik=nik,
        nik_unverified=unverified,
        birth_date=born,
        year_only=year_only,
        region=village,
        mother_key=name_key(mother) if mother else "",
        father_key=name_key(father) if father else "",
    )


def levels_of(a: LinkRecord, b: LinkRecord) -> dict[str, str]:
    """The level of each comparison for one pair, through the vectorised path."""
    prep = Prepared([a, b])
    row = compare(prep, np.array([0]), prep, np.array([1]))[0]
    return {name: names[row[k]] for k, (name, names) in enumerate(COMPARISONS)}


# --- name levels ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("Muhammad Fauzi", "Mohamad Fauzy", "exact"),  # folded alike
        ("Wibowo Heru", "Heru Wibowo", "reordered"),
        ("Nurhayati", "Nurhajati", "exact"),  # an old spelling, folded
        ("Nurhayati", "Nurhayat", "edit1"),  # a typo in a one-word name
        ("Rizki Saputra", "Muhammad Rizki Saputra", "contained"),  # a dropped given name
        ("Heru W.", "Heru Wibowo", "initials"),
        ("Sri W. Lestari", "Sri Wahyuni Lestari", "initials"),
        ("Dewi Lestari", "Dewi Lestaro", "edit1"),
        ("Agus Salimun", "Agus Salim", "edit2"),
        ("Eko", "Eko Aep", "contained_more"),  # one word inside a longer name
        ("Siti Aminah Lubis Harahap", "Siti Aminah", "contained_more"),
        # Call-names cut from the name: Javanese and Sundanese habits.
        ("Lastri", "Sulastri Mulyani", "fragment"),
        ("Yani", "Ngatini Handayani", "fragment"),
        ("Kurniawati Rahmawati", "Kurniawan Rahmawan", "similar"),
        ("Bambang Susanto", "Siti Aminah", "else"),
        ("Bambang Susanto", "", "null"),
    ],
)
def test_name_levels(a, b, level):
    assert levels_of(person(1, a), person(2, b))["name"] == level
    # The one-pair function the pages use says the same.
    assert name_level(name_key(a), name_key(b)) == level


def test_a_one_word_name_inside_a_longer_one_is_not_an_exact_match():
    # "Eko" against "Eko Aep" scored 95 with token_set_ratio: as good as the same name.
    model = train(population(2000))
    born = D(1990, 1, 2)
    eko, eko_aep = person(1, "Eko", "M", born=born), person(2, "Eko Aep", "M", born=born)
    same = score_pair(model, eko, person(3, "Eko", "M", born=born))
    contained = score_pair(model, eko, eko_aep)
    name_part = {p.comparison: p for p in contained.parts}["name"]
    assert name_part.level == "contained_more"
    assert name_part.weight < {p.comparison: p for p in same.parts}["name"].weight - 2
    assert contained.score < same.score - 2


# --- birth levels -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ((D(1980, 5, 17), False), (D(1980, 5, 17), False), "exact"),
        ((D(2015, 4, 3), False), (D(2015, 3, 4), False), "swapped"),
        ((D(1980, 5, 17), False), (D(1980, 5, 18), False), "days"),  # one day off
        ((D(1980, 12, 30), False), (D(1981, 1, 2), False), "days"),  # across a year's end
        ((D(1980, 5, 17), False), (D(1981, 5, 17), False), "year_pm1"),
        ((D(1951, 1, 20), False), (D(1951, 7, 1), True), "year_only"),
        # The placeholder days count as year-only, said so or not.
        ((D(1951, 1, 20), False), (D(1951, 1, 1), False), "year_only"),
        ((D(1951, 1, 20), False), (D(1951, 7, 1), False), "year_only"),
        ((D(1951, 1, 20), False), (D(1951, 12, 31), False), "year_only"),
        ((D(1951, 1, 1), False), (D(1951, 1, 1), False), "year_only"),  # both placeholders
        ((D(1951, 1, 20), False), (D(1952, 1, 1), False), "year_only_pm1"),
        ((D(1951, 1, 20), False), (D(1950, 6, 30), True), "year_only_pm1"),
        ((D(1951, 1, 20), False), (D(1953, 1, 1), False), "far"),
        ((D(1980, 5, 17), False), (D(1980, 8, 21), False), "far"),
        ((D(1980, 5, 17), False), (None, False), "null"),
    ],
)
def test_birth_levels(a, b, level):
    first = person(1, "Siti", born=a[0], year_only=a[1])
    second = person(2, "Siti", born=b[0], year_only=b[1])
    assert levels_of(first, second)["birth"] == level


def test_sex_levels():
    assert levels_of(person(1, "A", "M"), person(2, "A", "M"))["sex"] == "equal"
    assert levels_of(person(1, "A", "M"), person(2, "A", "F"))["sex"] == "differ"
    assert levels_of(person(1, "A", "M"), person(2, "A", ""))["sex"] == "null"


# --- NIK levels -------------------------------------------------------------------------

NIK = "1471011203140001"  # male, born 12-03-2014, Sukajadi


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ({"nik": NIK}, {"nik": NIK}, "equal"),
        ({"nik": NIK}, {"unverified": NIK}, "equal"),  # the same digits, one failed a rule
        # Excel keeps 15 significant digits: the 16th arrives as 0, or is gone.
        ({"nik": "1471011203140007"}, {"unverified": "1471011203140000"}, "loss15"),
        ({"nik": "1471011203140007"}, {"unverified": "147101120314000"}, "loss15"),
        ({"nik": NIK}, {"unverified": "1471011203150001"}, "edit1"),
        # Two valid NIKs one digit apart are twins, not a typo: consecutive serials.
        ({"nik": NIK}, {"nik": "1471011203140002"}, "conflict"),
        ({"nik": NIK}, {"nik": "3204054506900003"}, "conflict"),
        # The birth date's day and month typed the other way: two digits apart.
        ({"nik": NIK}, {"unverified": "1471010312140001"}, "near"),
        ({"nik": NIK}, {"unverified": "3204054506900003"}, "differ"),
        # Born the same day in another regency: the date digits agree, the region not.
        ({"nik": NIK}, {"unverified": "1406011203140003"}, "differ"),
        ({"nik": NIK}, {}, "null"),
    ],
)
def test_nik_levels(a, b, level):
    assert levels_of(person(1, "A", **a), person(2, "A", **b))["nik"] == level


# --- geography and parents --------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        (JADIREJO, JADIREJO, "village"),
        (JADIREJO, KAMPUNG_TENGAH, "district"),
        (JADIREJO, SENAPELAN, "regency"),
        (JADIREJO, "14.71", "regency"),  # compared at the depth both have
        (JADIREJO, "14.06.01.2001", "province"),
        (JADIREJO, "32.04.05.2001", "elsewhere"),
        (JADIREJO, "", "null"),
    ],
)
def test_geo_levels(a, b, level):
    assert levels_of(person(1, "A", village=a), person(2, "A", village=b))["geo"] == level


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("Nurhayati", "Nurhajati", "exact"),
        ("Nurhayati", "Nurhayani", "close"),
        ("Siti Rahmah", "Siti Rohmah", "close"),
        ("Nurhayati", "Sulastri", "else"),
        ("Nurhayati", "", "null"),
    ],
)
def test_parent_levels(a, b, level):
    assert levels_of(person(1, "A", mother=a), person(2, "A", mother=b))["mother"] == level
    assert levels_of(person(1, "A", father=a), person(2, "A", father=b))["father"] == level
    assert parent_level(name_key(a) if a else "", name_key(b) if b else "") == level


# --- blocking ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Day and month swapped.
        (person(1, "Muhammad Fauzi", born=D(2015, 4, 3)),
         person(2, "Mohamad Fauzy", born=D(2015, 3, 4))),
        # A typo in a one-word name, on the same date in the same village.
        (person(1, "Nurhayati", born=D(1985, 10, 30), village=KEDUNG_SARI),
         person(2, "Murhayati", born=D(1985, 10, 30), village=KEDUNG_SARI)),
        # The same day and month, the year one apart, in another regency.
        (person(1, "Sri Wahyuni", born=D(1980, 5, 17), village=JADIREJO),
         person(2, "Sri Wahyuni", born=D(1981, 5, 17), village="14.06.01.2001")),
        # A date a few days off, across a week's boundary, and a misspelt surname.
        (person(1, "Dewi Lestari", born=D(2012, 7, 4)),
         person(2, "Dewi Lestary", born=D(2012, 7, 7))),
        # An initialled surname and a year-only date in the same regency.
        (person(1, "Heru W.", born=D(1980, 7, 1), year_only=True, village=JADIREJO),
         person(2, "Heru Wibowo", born=D(1980, 5, 17), village=SENAPELAN)),
        # A move across regencies, the year only on one side and one year apart.
        (person(1, "Hasanah Lubis", born=D(1950, 7, 1), year_only=True, village="14.06.01.2001"),
         person(2, "Hasanah Lubis", born=D(1951, 3, 3), village=JADIREJO)),
        # Excel's 15-digit loss, names unrelated (a NIK typed in another row's name).
        (person(1, "Budi", unverified="1471011203140000"), person(2, "Agus", nik=NIK)),
    ],
)  # fmt: skip
def test_the_levels_the_model_rewards_share_a_block(a, b):
    assert candidate_pairs([a, b]) == [(0, 1)]


def test_records_sharing_nothing_are_never_compared():
    a = person(1, "Dewi Lestari", "F", born=D(2012, 7, 5), village=JADIREJO)
    b = person(2, "Agus Salim", "M", born=D(1970, 3, 3), village=SENAPELAN)
    assert candidate_pairs([a, b]) == []


def test_an_oversized_block_is_walked_as_a_window_and_nobody_is_left_out():
    # Two hundred boys of one name born on one day in one village: far more than
    # MAX_BLOCK share every key. Each is compared with its neighbours only, so the pairs
    # grow linearly, and every boy is still compared with someone.
    boys = [
        person(i, "Muhammad Rizki", "M", born=D(2014, 3, 12), village=JADIREJO, mother="Siti")
        for i in range(200)
    ]
    pairs = candidate_pairs(boys)
    assert len(pairs) <= 200 * WINDOW
    assert len(pairs) < MAX_BLOCK * (MAX_BLOCK - 1) // 2 * 4
    assert {i for pair in pairs for i in pair} == set(range(200))
    # Under MAX_BLOCK, a block is compared all against all.
    assert len(candidate_pairs(boys[:MAX_BLOCK])) == MAX_BLOCK * (MAX_BLOCK - 1) // 2


# --- scale and populations -------------------------------------------------------------

# Thirty distinct people (name, sex, birth date, village, NIK, mother), with hard cases:
# namesakes, a father and son of one name, girls born the same day in one village.
DISTINCT = [
    ("Rahmat Hidayat", "M", D(2011, 5, 17), SUKAJADI, "", "Nurlela"),
    ("Muhammad Fauzi", "M", D(2015, 4, 3), HARJOSARI, "", "Nurhayati"),
    ("Djoko Susilo", "M", D(1978, 9, 1), KAMPUNG_TENGAH, "", "Sulastri"),
    ("Soeharti", "F", D(1949, 2, 14), KAMPUNG_MELAYU, "", ""),
    ("Dewi Lestari", "F", D(2012, 7, 5), JADIREJO, "1471014507120003", "Rosmawati"),
    ("Siti Aminah", "F", D(1951, 1, 20), JADIREJO, "", ""),
    ("Muhammad Rizki Saputra", "M", D(2014, 3, 12), KAMPUNG_TENGAH, "", "Yuliani"),
    ("Nurhayati", "F", D(1985, 10, 30), KEDUNG_SARI, "", ""),
    ("Budi Hartono", "M", D(1990, 6, 15), JADIREJO, "1471011506900002", ""),
    ("Andika Pratama", "M", D(2015, 7, 25), KAMPUNG_TENGAH, "", "Marlina"),
    ("Siti Aminah", "F", D(1987, 11, 3), KAMPUNG_MELAYU, "", ""),  # a namesake
    ("Ahmad Yani", "M", D(1962, 8, 17), SUKAJADI, "", ""),  # father …
    ("Ahmad Yani", "M", D(1990, 1, 2), SUKAJADI, "", "Salmah"),  # … and son
    ("Putri Handayani", "F", D(2016, 9, 9), HARJOSARI, "", "Sri Wahyuni"),
    ("Putri Rahayu", "F", D(2016, 9, 9), HARJOSARI, "", "Endang"),  # same day, same village
    ("Rina Marlina", "F", D(2010, 2, 1), KAMPUNG_TENGAH, "", ""),
    ("Agus Salim", "M", D(1970, 3, 3), KEDUNG_SARI, "", ""),
    ("Yusuf Maulana", "M", D(1985, 8, 20), JADIREJO, "1471012008850003", ""),
    ("Zulkifli", "M", D(1960, 12, 1), KAMPUNG_MELAYU, "", ""),
    ("Zulkarnain", "M", D(1960, 12, 1), KAMPUNG_MELAYU, "", ""),
    ("Wulan Sari", "F", D(2013, 6, 18), SUKAJADI, "", ""),
    ("Taufik Hidayat", "M", D(2012, 5, 17), SUKAJADI, "", ""),
    ("Fajar Nugroho", "M", D(2011, 4, 4), SUKAJADI, "", "Sumiati"),
    ("Eka Putri", "F", D(2012, 2, 29), JADIREJO, "", ""),
    ("Candra Wijaya", "M", D(2013, 8, 8), JADIREJO, "", ""),
    ("Salmah", "F", D(2014, 3, 12), KAMPUNG_TENGAH, "", ""),
    ("Hasanah", "F", D(1950, 7, 1), SUKAJADI, "", ""),
    ("Dimas Saputra", "M", D(2016, 1, 1), HARJOSARI, "", "Yuliani"),
    ("Dimas Pratama", "M", D(2016, 1, 1), HARJOSARI, "", ""),
    ("Bunga Citra", "F", D(2014, 3, 12), JADIREJO, "1471015203140002", "Rosmawati"),
]

# Ten more records of people above (index into DISTINCT), each changed the way district
# files change them.
PLANTED = [
    (0, ("Rahmad Hidayat", "M", D(2011, 5, 17), SUKAJADI, "", "Nurlela")),  # typo
    (1, ("Mohamad Fauzy", "M", D(2015, 3, 4), HARJOSARI, "", "Nurhajati")),  # spelling, swap
    (2, ("Joko Susilo", "M", D(1978, 9, 1), KAMPUNG_MELAYU, "", "Sulastri")),  # dj, moved
    (3, ("Suharti", "F", D(1949, 2, 14), KAMPUNG_MELAYU, "", "")),  # oe
    (4, ("Dewi Lestari", "F", D(2012, 7, 5), JADIREJO, "", "Rosmawati")),  # NIK missing
    (5, ("Hj. Siti Aminah", "F", D(1951, 7, 1), JADIREJO, "", "")),  # title, year only
    (6, ("Rizki Saputra", "M", D(2014, 3, 12), KAMPUNG_TENGAH, "", "Yuliani")),  # middle name
    (7, ("Nurhajati", "F", D(1985, 10, 30), KEDUNG_SARI, "", "")),  # old spelling
    (8, ("Budi Hartono", "M", D(1990, 6, 15), SENAPELAN, "1471011506900002", "")),  # moved
    (9, ("Andhika Pratama", "M", D(2015, 7, 25), KAMPUNG_TENGAH, "", "Marlina")),  # dh
]
YEAR_ONLY = {30 + 5}  # the planted record whose birth date is a year


def planted_set():
    rows = DISTINCT + [row for _truth, row in PLANTED]
    truth = list(range(len(DISTINCT))) + [t for t, _row in PLANTED]
    records = [
        person(i, name, sex, nik, born, year_only=i in YEAR_ONLY, village=village, mother=mother)
        for i, (name, sex, born, village, nik, mother) in enumerate(rows)
    ]
    return records, truth


MALE = (
    "Ahmad Budi Joko Agus Rizki Fauzi Hendra Dedi Asep Dadang Rahmat Zulkifli Yusuf Ilham "
    "Taufik Fajar Bayu Dimas Eko Wahyu Andi Rudi Irwan Hasan Umar Iqbal Reza Arif Doni Togar "
    "Poltak Wayan Made Gede Yohanes Markus Steven Kevin Baso Syafrizal"
).split()
FEMALE = (
    "Siti Dewi Putri Nur Rina Sri Ayu Fitri Indah Euis Neng Lilis Aminah Fatimah Salmah Nurul "
    "Wulan Intan Maya Ratna Butet Rosmawati Yulianti Besse Luh Ketut Maria Yohana Linda "
    "Jessica Sari Tuti Endang Lestari Ani Rini Yuni Dian Annisa Zahra"
).split()
FAMILY = (
    "Saputra Hidayat Pratama Santoso Nugroho Wijaya Setiawan Kurniawan Gunawan Hartono "
    "Siregar Nasution Lubis Harahap Sinaga Chaniago Tanjung Koto Rahman Hakim Lestari Wahyuni "
    "Handayani Rahmawati Susanti Marlina Hasanah Fitriani Anggraini Sari Maulana Firmansyah "
    "Ramadhan Permana Sembiring Ginting Rumbiak Wenda Sondakh Halim"
).split()
PROVINCES = (11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61)
REGENCIES = [f"{p}.{r:02d}" for p in PROVINCES for r in range(1, 21)]
PEOPLE_PER_REGENCY = 100


def population(n: int) -> list[LinkRecord]:
    """``n`` distinct people, the same way every time. A bigger file covers more of the
    country: the people per regency stay the same, as when provinces' files are joined."""
    rng = random.Random(1)  # noqa: S311 - test data, not secrets
    regencies = REGENCIES[: n // PEOPLE_PER_REGENCY]
    people = []
    for i in range(n):
        female = rng.random() < 0.5
        given = FEMALE if female else MALE
        words = [rng.choice(given)]
        if rng.random() < 0.3:
            words.append(rng.choice(given))
        if rng.random() < 0.8:
            words.append(rng.choice(FAMILY))
        born = D(1945, 1, 1) + datetime.timedelta(days=rng.randrange(78 * 365))
        village = f"{rng.choice(regencies)}.{rng.randrange(1, 20):02d}.{rng.randrange(2001, 2015)}"
        mother = f"{rng.choice(FEMALE)} {rng.choice(FAMILY)}" if rng.random() < 0.7 else ""
        people.append(
            person(
                i,
                " ".join(words),
                "F" if female else "M",
                born=born,
                year_only=rng.random() < 0.1,
                village=village,
                mother=mother,
            )
        )
    return people


def test_candidate_pairs_grow_about_linearly():
    n = 2000
    small = len(candidate_pairs(population(n)))
    large = len(candidate_pairs(population(4 * n)))
    assert small > 0
    assert large < 6 * small, (small, large)


# --- deduplication ----------------------------------------------------------------------


def test_deduplicate_finds_every_planted_pair_and_links_no_two_people():
    records, truth = planted_set()
    # The thirty-odd records of the test alone are too few to learn from: a district's
    # population around them, as in a real file.
    background = population(3000)
    for i, r in enumerate(background):
        r.ref = 1000 + i
    representative, review = deduplicate(records + background)
    for i, (original, _row) in enumerate(PLANTED, start=len(DISTINCT)):
        assert representative[i] == representative[original], records[i].name_key
    people = {}
    for i, rep in enumerate(representative[: len(records)]):
        people.setdefault(rep, set()).add(truth[i])
    assert all(len(truths) == 1 for truths in people.values())
    assert len(people) == len(DISTINCT)
    # The look-alikes are left to a person at most, never linked.
    assert all(not links(m) for m in review)


def with_background(*records: LinkRecord) -> list[LinkRecord]:
    """The records under test first, then a population to learn the model from."""
    background = population(2000)
    for i, r in enumerate(background):
        r.ref = 1000 + i
    return list(records) + background


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (person(1, "Heru W.", "M", born=D(1980, 5, 17), village=JADIREJO, mother="Sulastri"),
         person(2, "Heru Wibowo", "M", born=D(1980, 5, 17), village=JADIREJO, mother="Sulastri")),
        (person(1, "Sri Wahyuni", "F", born=D(1980, 5, 17), village=JADIREJO, mother="Aminah"),
         person(2, "Sri Wahyuni", "F", born=D(1981, 5, 17), village=JADIREJO, mother="Aminah")),
        # A year-only date typed as 1 January.
        (person(1, "Siti Aminah", "F", born=D(1951, 1, 20), village=JADIREJO, mother="Salmah"),
         person(2, "Siti Aminah", "F", born=D(1951, 1, 1), village=JADIREJO, mother="Salmah")),
        (person(1, "Dewi Lestari", "F", born=D(2012, 7, 5), village=JADIREJO, mother="Rosmawati"),
         person(2, "Dewi Lestari", "F", born=D(2012, 7, 6), village=JADIREJO, mother="Rosmawati")),
    ],
)  # fmt: skip
def test_variants_the_old_engine_missed_are_linked(a, b):
    representative, _review = deduplicate(with_background(a, b))
    assert representative[1] == representative[0]


def test_namesakes_born_years_apart_are_not_linked():
    a = person(1, "Ahmad Yani", "M", born=D(1962, 8, 17), village=HARJOSARI)
    b = person(2, "Ahmad Yani", "M", born=D(1990, 1, 2), village=HARJOSARI)
    representative, review = deduplicate(with_background(a, b))
    assert representative[1] == 1
    assert not any({m.a, m.b} == {0, 1} and links(m) for m in review)


def test_twins_are_not_linked_automatically():
    hasan = person(1, "Hasan Basri", "M", born=D(2016, 2, 9), village=HARJOSARI, mother="Fatimah")
    husein = person(2, "Husein Basri", "M", born=D(2016, 2, 9), village=HARJOSARI, mother="Fatimah")
    representative, _review = deduplicate(with_background(hasan, husein))
    assert representative[1] == 1


def test_one_nik_under_a_very_different_name_is_not_linked_automatically():
    a = person(1, "Siti Aminah", nik=NIK)
    b = person(2, "Bambang Susanto", nik=NIK)
    records = with_background(a, b)
    representative, _review = deduplicate(records)
    assert representative[1] == 1
    pair = score_pair(train(records), a, b, population=len(records))
    assert pair.reasons == ("nik:equal",)
    assert not links(pair)


def test_one_nik_under_another_name_and_another_sex_is_not_linked_automatically():
    a = person(1, "Siti Aminah", "F", NIK, D(2014, 3, 12), village=JADIREJO)
    b = person(2, "Bambang Susanto", "M", NIK, D(2014, 3, 12), village=JADIREJO)
    representative, _review = deduplicate(with_background(a, b))
    assert representative[1] == 1


def test_one_nik_under_a_call_name_is_one_person():
    # "Ujang" is what the village calls Dadang Suherman; the NIK and the rest agree.
    common = {"sex": "M", "nik": NIK, "born": D(2014, 3, 12), "village": JADIREJO}
    a = person(1, "Dadang Suherman", mother="Euis", **common)
    b = person(2, "Ujang", mother="Euis", **common)
    representative, _review = deduplicate(with_background(a, b))
    assert representative[1] == 0


def test_the_same_unverified_digits_and_birth_date_link_a_call_name():
    # A NIK that failed a rule on both records (its region code unknown), the very same
    # digits and birth date, a call-name the words do not reveal ("Butet" for Rosmaida).
    common = {"sex": "F", "unverified": "9971015203140004", "born": D(2014, 3, 12)}
    a = person(1, "Rosmaida Siregar", village=JADIREJO, **common)
    b = person(2, "Butet", village=JADIREJO, **common)
    representative, _review = deduplicate(with_background(a, b))
    assert representative[1] == 0


def test_the_same_unverified_digits_without_the_birth_date_wait_for_a_person():
    # Unverified digits may be a NIK copied from a relative's row: without the very birth
    # date, a name this different is not linked by them.
    a = person(1, "Rosmaida Siregar", "F", unverified="9971015203140004", born=D(2014, 3, 12))
    b = person(2, "Butet", "F", unverified="9971015203140004", born=D(2016, 8, 1))
    representative, _review = deduplicate(with_background(a, b))
    assert representative[1] == 1


def test_a_chain_through_a_record_without_nik_never_joins_two_verified_niks():
    # A(NIK 1) – B(no NIK) – C(NIK 2): each link alone is strong, both together would put
    # two valid NIKs in one person.
    common = {"sex": "F", "born": D(1985, 10, 30), "village": KEDUNG_SARI, "mother": "Salmah"}
    a = person(1, "Nurhayati", nik="1471017010850001", **common)
    b = person(2, "Nurhayati", **common)
    c = person(3, "Nurhajati", nik="1471017010850002", **common)
    representative, review = deduplicate(with_background(a, b, c))
    assert representative[0] != representative[2]
    assert representative[1] in (representative[0], representative[2])
    # The refused link goes to a person; the pair holding the two NIKs never does.
    assert any({m.a, m.b} == {1, 0 if representative[1] == 2 else 2} for m in review)
    assert not any({m.a, m.b} == {0, 2} for m in review)


def test_every_match_explains_its_weight():
    records = with_background(
        person(1, "Heru W.", "M", born=D(1980, 5, 17), village=JADIREJO),
        person(2, "Heru Wibowo", "M", born=D(1980, 5, 17), village=SENAPELAN),
    )
    model = train(records)
    found = link_against(records[:1], records[1:2], model, population=len(records))
    match = found[0][0]
    assert match.b == 2
    assert match.parts[0].comparison == "prior"
    assert [p.comparison for p in match.parts[1:]] == [name for name, _l in COMPARISONS]
    assert match.score == pytest.approx(sum(p.weight for p in match.parts), abs=1e-3)
    assert "name:initials" in match.reasons and "birth:exact" in match.reasons
    assert all(p.weight > 0 for p in match.parts if f"{p.comparison}:{p.level}" in match.reasons)
    assert REVIEW < AUTO_LINK
