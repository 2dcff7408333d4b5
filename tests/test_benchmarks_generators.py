"""The benchmark's second population (``benchmarks/synth_field.py``) and the FEBRL mapping
(``benchmarks/linkage.py``): the figures in docs/performance.md are only as good as the
answer key behind them."""

import csv
import datetime
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import febrl  # noqa: E402
import linkage as bench_linkage  # noqa: E402
import synth_field  # noqa: E402

ROWS = 6000


@pytest.fixture(scope="module")
def field_files(tmp_path_factory):
    out = tmp_path_factory.mktemp("field") / "field.csv"
    summary = synth_field.write_csv(out, ROWS, seed=7, xlsx=out.with_suffix(".xlsx"))
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(synth_field.key_path(out), encoding="utf-8", newline="") as handle:
        key = list(csv.DictReader(handle))
    return out, summary, rows, key


def test_same_seed_same_file_other_seed_other_file(tmp_path, field_files):
    out, *_ = field_files
    again = tmp_path / "again.csv"
    other = tmp_path / "other.csv"
    synth_field.write_csv(again, ROWS, seed=7)
    synth_field.write_csv(other, ROWS, seed=8)
    assert again.read_bytes() == out.read_bytes()
    assert synth_field.key_path(again).read_bytes() == synth_field.key_path(out).read_bytes()
    assert other.read_bytes() != out.read_bytes()


def test_answer_key_matches_the_file(field_files):
    _out, summary, rows, key = field_files
    assert len(rows) == len(key) == summary["rows"] == ROWS
    assert [r["truth_id"] for r in rows] == [k["truth_id"] for k in key]
    sizes = Counter(r["truth_id"] for r in rows)
    assert max(sizes.values()) <= 4  # duplicate clusters have 2-4 records
    assert {2, 3, 4} <= set(sizes.values())
    people = set(sizes)
    for k in key:
        if k["lookalike"]:
            kind, other = k["lookalike"].split(":")
            assert kind in synth_field.LOOKALIKE_KINDS
            assert other in people and other != k["truth_id"]  # a different, real person


def test_every_damage_kind_and_lookalike_appears(field_files):
    _out, summary, _rows, key = field_files
    assert set(summary["kinds"]) == set(synth_field.DAMAGE_KINDS)
    assert {k["lookalike"].split(":")[0] for k in key if k["lookalike"]} == set(
        synth_field.LOOKALIKE_KINDS
    )


def test_damage_is_in_the_cells_the_key_names(field_files):
    _out, _summary, rows, key = field_files
    checks = {
        "nik_0000": lambda r: r["NIK"].endswith("0000"),
        "nik_excel_15_digits": lambda r: "E+" in r["NIK"],
        "nik_missing": lambda r: r["NIK"] == "",
        "no_nik": lambda r: r["NIK"] == "",
        "year_only": lambda r: len(r["Tanggal Lahir"]) == 4,
        "date_missing": lambda r: r["Tanggal Lahir"] == "",
        "initial": lambda r: r["Nama Lengkap"].split()[-1].endswith("."),
        "sex_missing": lambda r: r["L/P"] == "",
    }
    for row, k in zip(rows, key, strict=True):
        for kind in k["damage"].split(";"):
            if kind in checks:
                assert checks[kind](row), (kind, row)


def test_person_level_nik_damage_breaks_the_rule_it_names(field_files):
    _out, _summary, rows, key = field_files
    for row, k in zip(rows, key, strict=True):
        kinds = set(k["damage"].split(";"))
        nik = row["NIK"]
        if "nik_not_date" in kinds and len(nik) == 16 and nik.isdigit():
            assert nik[6:8] in ("00", "32", "35")  # no day, as a man's or a woman's
        if "nik_sex_wrong" in kinds and len(nik) == 16 and nik.isdigit():
            female = row["L/P"] in ("P", "Perempuan")
            assert (int(nik[6:8]) > 40) != female or row["L/P"] == ""


def test_village_codes_are_real_region_codes(field_files):
    _out, _summary, rows, _key = field_files
    villages, _by_regency, _by_district = synth_field._load_regions()
    known = {code for codes in villages.values() for code in codes}
    assert {r["Kode Desa"] for r in rows} <= known


def test_workbook_has_the_merged_two_level_header(field_files):
    from openpyxl import load_workbook

    out, *_ = field_files
    book_path = out.with_suffix(".xlsx")
    with zipfile.ZipFile(book_path) as book:
        sheet_xml = book.read("xl/worksheets/sheet1.xml").decode()
    assert '<mergeCell ref="F1:G1"/>' in sheet_xml and '<mergeCell ref="H1:I1"/>' in sheet_xml
    sheet = load_workbook(book_path, read_only=True).worksheets[0]
    top, sub, first = (list(r) for r in sheet.iter_rows(min_row=1, max_row=3, values_only=True))
    assert top[5:9] == ["Kelahiran", None, "Alamat", None]
    assert sub[5:9] == ["Tempat", "Tanggal", "Jalan/RT/RW", "Desa"]
    assert first[0] == 1  # data from row 3
    assert sum(1 for _row in sheet.iter_rows(values_only=True)) == ROWS + 2


def test_febrl_record_ids_and_dates():
    assert febrl.truth_of("rec-552-dup-3") == "552"
    assert febrl.truth_of("rec-1496-org") == "1496"
    assert febrl.iso_date("19560409") == "1956-04-09"
    assert febrl.iso_date("19561340") == ""  # FEBRL corrupts dates in duplicates
    with pytest.raises(ValueError):
        febrl.truth_of("1496")


# No query here; the mark only gives the session's end-of-run audit fixture
# (tests/conftest.py) a test database when this file runs alone.
@pytest.mark.django_db
def test_febrl_mapping_on_three_rows():
    from jejaring.registry.names import name_key

    rows = [
        {"given_name": "mitchell", "surname": "green", "birth_date": "1956-04-09",
         "soc_sec_id": "1804974", "postcode": "2119", "state": "sa", "suburb": "cleveland"},
        {"given_name": "isabelle", "surname": "", "birth_date": "", "soc_sec_id": "",
         "postcode": "2193", "state": "wa", "suburb": "utakarra"},
        {"given_name": "", "surname": "hathaway", "birth_date": "1999-12-07",
         "soc_sec_id": "9144092", "postcode": "", "state": "", "suburb": ""},
    ]  # fmt: skip
    first, second, third = (bench_linkage.febrl_record(r, name_key) for r in rows)
    assert first == {
        "name_key": name_key("mitchell green"), "sex": "", "nik": "",
        "nik_unverified": "1804974", "kk": "", "birth_date": "1956-04-09", "year_only": "0",
        "region": "05.2119", "mother_key": "", "father_key": "",
    }  # fmt: skip
    assert second["name_key"] == name_key("isabelle")
    assert second["region"] == "08.2193" and second["nik_unverified"] == ""
    assert second["birth_date"] == ""
    assert third["region"] == "" and third["nik"] == ""  # a soft id is never a verified NIK
    assert datetime.date.fromisoformat(third["birth_date"]).year == 1999


def test_scores_by_damage_kind_and_lookalike():
    truth = ["a", "a", "b", "b", "c", "d"]
    predicted = [1, 1, 2, 3, 4, 4]  # b split, c and d (look-alikes) joined
    kinds = [frozenset(), frozenset({"typo"}), frozenset(), frozenset({"year_pm1"}),
             frozenset(), frozenset()]  # fmt: skip
    scored = bench_linkage.recall_by_kind(predicted, truth, kinds)
    by_kind = {k: (n, rec) for k, n, _f, rec in scored}
    assert by_kind == {"typo": (1, 1.0), "year_pm1": (1, 0.0)}
    marks = ["", "", "", "", "", "namesake:c"]
    assert bench_linkage.lookalike_links(predicted, truth, marks) == [("namesake", 1, 1, 1.0)]
    niks = ["3204050101900001", "", "3204050101900002", "", "", ""]
    assert bench_linkage.clusters_with_two_niks([1, 1, 1, 2, 3, 4], niks) == 1
    assert bench_linkage.clusters_with_two_niks(predicted, niks) == 0


def test_missed_pairs_grouped_by_the_fields_that_agree(tmp_path):
    prepared = tmp_path / "prepared.csv"
    rows = [  # truth, name, birth date, soft id
        ("t1", "jinni dreyer", "1942-01-27", "3787407"),
        ("t1", "jinny dreyr", "1942-01-27", "3787407"),  # left apart: name differs only
        ("t2", "jonah browne", "1925-04-13", ""),
        ("t2", "jonah browne", "", ""),  # found
    ]
    with open(prepared, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(bench_linkage.PREPARED_COLUMNS)
        for i, (truth, name, born, soft) in enumerate(rows):
            writer.writerow([i, truth, name, "", "", soft, "", born, "0", "", "", ""])
    missed = bench_linkage.missed_by_agreement(prepared, [0, 1, 2, 2])
    assert missed == [("birth_date + nik_unverified", 1)]
