"""Record linkage: the score of a pair, the blocks that find candidates, deduplication.

The engine works on plain ``LinkRecord`` values, so these tests need no database. Names
are folded with the registry's own ``name_key``, as the import and the registry check do.
"""

import datetime
import random

import pytest

from jejaring.imports.linkage import (
    AUTO_LINK,
    MAX_BLOCK,
    REVIEW,
    LinkRecord,
    blocking_keys,
    candidate_pairs,
    deduplicate,
    score,
)
from jejaring.registry.names import name_key

D = datetime.date
# Villages of Sukajadi (14.71.01), Kota Pekanbaru, and one of another district.
JADIREJO, KAMPUNG_TENGAH, KAMPUNG_MELAYU = "14.71.01.1002", "14.71.01.1003", "14.71.01.1004"
KEDUNG_SARI, HARJOSARI, SUKAJADI = "14.71.01.1005", "14.71.01.1006", "14.71.01.1007"
SENAPELAN = "14.71.02.1001"


def person(ref=0, name="", sex="", nik="", born=None, *, year_only=False, village="", mother=""):
    return LinkRecord(
        ref=ref,
        name_key=name_key(name),
        sex=sex,
        nik=nik,
        birth_date=born,
        year_only=year_only,
        region=village,
        mother_key=name_key(mother) if mother else "",
    )


# --- score --------------------------------------------------------------------------------


def test_exact_nik_links_whatever_else_differs():
    nik = "1471011203140001"  # male, born 12-03-2014, Sukajadi
    a = person(1, "Muhammad Rizki", "M", nik, D(2014, 3, 12), village=JADIREJO)
    # Another office typed a wrong birth date and the village of the school.
    b = person(2, "M. Rizki", "M", nik, D(2014, 3, 21), village=SENAPELAN)
    total, reasons = score(a, b)
    assert total >= AUTO_LINK
    assert "nik" in reasons


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Muhammad Fauzi", "Mohamad Fauzy"),
        ("Djoko Santoso", "Joko Santoso"),
        ("Sri Wahjoeni", "Sri Wahyuni"),
        ("Soeharti", "Suharti"),
    ],
)
def test_spelling_variants_with_the_same_birth_link(a, b):
    first = person(1, a, "M", born=D(1980, 5, 17), village=KAMPUNG_TENGAH)
    second = person(2, b, "M", born=D(1980, 5, 17), village=KAMPUNG_TENGAH)
    total, reasons = score(first, second)
    assert total >= AUTO_LINK
    assert "name" in reasons  # the folded names are equal, not merely close


def test_day_and_month_swapped_still_counts_as_the_birth_date():
    a = person(1, "Muhammad Fauzi", "M", born=D(2015, 4, 3), mother="Nurhayati")
    b = person(2, "Mohamad Fauzy", "M", born=D(2015, 3, 4), mother="Nurhajati")
    total, reasons = score(a, b)
    assert "birth_date_swapped" in reasons and "mother" in reasons
    assert total >= AUTO_LINK
    # A different date, not a swap, takes evidence away.
    far = person(3, "Mohamad Fauzy", "M", born=D(2015, 8, 21), mother="Nurhajati")
    assert score(a, far)[0] < total - 5


def test_year_only_birth_date_is_compared_by_year():
    exact = person(1, "Siti Aminah", "F", born=D(1951, 1, 20), village=JADIREJO)
    year_only = person(2, "Siti Aminah", "F", born=D(1951, 7, 1), year_only=True, village=JADIREJO)
    total, reasons = score(exact, year_only)
    assert "birth_year" in reasons and "birth_date" not in reasons
    assert total >= AUTO_LINK
    other_year = person(3, "Siti Aminah", "F", born=D(1953, 7, 1), year_only=True)
    total, reasons = score(exact, other_year)
    assert "birth_year" not in reasons
    assert total < REVIEW


def test_different_niks_keep_namesakes_apart():
    a = person(1, "Siti Aminah", "F", "1471015203140002", D(2014, 3, 12), village=JADIREJO)
    b = person(2, "Siti Aminah", "F", "1471016805100004", D(2010, 5, 28), village=JADIREJO)
    total, reasons = score(a, b)
    assert total < REVIEW
    assert "nik" not in reasons and "nik_typo" not in reasons


def test_namesakes_without_nik_born_years_apart_are_not_linked():
    a = person(1, "Ahmad Yani", "M", born=D(1962, 8, 17), village=HARJOSARI)
    b = person(2, "Ahmad Yani", "M", born=D(1990, 1, 2), village=HARJOSARI)
    assert score(a, b)[0] < AUTO_LINK


def test_one_nik_under_a_very_different_name_is_not_linked_automatically():
    nik = "1471011203140001"
    a = person(1, "Siti Aminah", nik=nik)
    b = person(2, "Bambang Susanto", nik=nik)
    total, reasons = score(a, b)
    assert reasons == ["nik"]
    assert total < AUTO_LINK


def test_one_nik_under_a_very_different_name_with_the_nik_birth_date():
    nik = "1471011203140001"  # male, born 12-03-2014: both records agree with it
    a = person(1, "Rahmat Hidayat", "M", nik, D(2014, 3, 12))
    b = person(2, "Bambang Susanto", "M", nik, D(2014, 3, 12))
    assert score(a, b)[0] < AUTO_LINK


def test_twins_are_not_linked_automatically():
    hasan = person(1, "Hasan Basri", "M", born=D(2016, 2, 9), village=HARJOSARI, mother="Fatimah")
    husein = person(2, "Husein Basri", "M", born=D(2016, 2, 9), village=HARJOSARI, mother="Fatimah")
    assert score(hasan, husein)[0] < AUTO_LINK


# --- blocking -----------------------------------------------------------------------------


def test_day_month_swap_shares_a_block():
    a = person(1, "Muhammad Fauzi", "M", born=D(2015, 4, 3))
    b = person(2, "Mohamad Fauzy", "M", born=D(2015, 3, 4))
    shared = set(blocking_keys(a)) & set(blocking_keys(b))
    assert ("df", (2015, 3, 4), "muh") in shared
    assert ("dl", (2015, 3, 4), "fau") in shared
    assert list(candidate_pairs([a, b])) == [(0, 1)]


def test_a_typo_in_a_one_word_name_shares_the_date_and_village_block():
    a = person(1, "Nurhayati", "F", born=D(1985, 10, 30), village=KAMPUNG_TENGAH)
    b = person(2, "Nurhajati", "F", born=D(1985, 10, 30), village=KAMPUNG_TENGAH)
    c = person(3, "Murhayati", "F", born=D(1985, 10, 30), village=KAMPUNG_TENGAH)
    assert ("dv", (1985, 10, 30), KAMPUNG_TENGAH) in set(blocking_keys(a)) & set(blocking_keys(c))
    assert list(candidate_pairs([a, b, c])) == [(0, 1), (0, 2), (1, 2)]


def test_records_sharing_nothing_are_never_compared():
    a = person(1, "Dewi Lestari", "F", born=D(2012, 7, 5), village=JADIREJO)
    b = person(2, "Agus Salim", "M", born=D(1970, 3, 3), village=SENAPELAN)
    assert not set(blocking_keys(a)) & set(blocking_keys(b))
    assert list(candidate_pairs([a, b])) == []


# --- deduplicate --------------------------------------------------------------------------

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


def test_deduplicate_finds_every_planted_pair_and_links_no_two_people():
    records, truth = planted_set()
    representative, review = deduplicate(records)
    for i, (original, _row) in enumerate(PLANTED, start=len(DISTINCT)):
        assert representative[i] == representative[original], records[i].name_key
    people = {}
    for i, rep in enumerate(representative):
        people.setdefault(rep, set()).add(truth[i])
    assert all(len(truths) == 1 for truths in people.values())
    assert len(people) == len(DISTINCT)
    # The namesakes and look-alikes are not even worth a reviewer's time.
    assert review == []


# --- scale --------------------------------------------------------------------------------

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
    small = sum(1 for _pair in candidate_pairs(population(n)))
    large = sum(1 for _pair in candidate_pairs(population(4 * n)))
    assert small > 0
    assert large < 6 * small, (small, large)


def test_an_oversized_block_is_cut():
    # Two hundred boys of one name born on one day in one village: one block per key,
    # each cut to its first MAX_BLOCK members, so the pairs are those of the first 60.
    boys = [
        person(i, "Muhammad Rizki", "M", born=D(2014, 3, 12), village=JADIREJO, mother="Siti")
        for i in range(200)
    ]
    pairs = list(candidate_pairs(boys))
    assert len(pairs) == MAX_BLOCK * (MAX_BLOCK - 1) // 2
    assert max(j for _i, j in pairs) == MAX_BLOCK - 1
