"""NIK rules: every invalid NIK gets its precise reason."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from jejaring.registry import nik

BOY = "1471011203140001"  # Sukajadi, Kota Pekanbaru; male born 12-03-2014
GIRL = "1471015203140002"  # same district; female born 12-03-2014 (day + 40)


@pytest.fixture(autouse=True)
def english():
    # The reasons are asserted in the source language; Indonesian is tested via the API.
    with translation.override("en"):
        yield


def messages(exc_info) -> str:
    return " ".join(exc_info.value.messages)


def test_parse_reads_region_birth_date_and_sex():
    parts = nik.parse("14 7101 120314 0001")
    assert (parts.province, parts.regency, parts.district) == ("14", "14.71", "14.71.01")
    assert parts.birth_date() == datetime.date(2014, 3, 12)
    assert not parts.is_female
    girl = nik.parse(GIRL)
    assert girl.is_female and girl.birth_date() == datetime.date(2014, 3, 12)


def test_two_digit_year_never_lands_in_the_future():
    assert nik.parse("3204051203500001").birth_date() == datetime.date(1950, 3, 12)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("147101120314", "16 digits; this one has 12"),
        ("14710112031400011", "16 digits; this one has 17"),
        ("14710112O3140001", "digits only"),
        ("1471013203140001", "not a possible birth date (320314)"),
        ("1471011213140001", "not a possible birth date (121314)"),
        ("1471012902150001", "not a possible birth date (290215)"),
        ("1471011203140000", "cannot be 0000"),
    ],
)
def test_malformed_nik_reasons(value, reason):
    with pytest.raises(ValidationError) as exc_info:
        nik.parse(value)
    assert reason in messages(exc_info)


def test_leap_day_is_possible():
    assert nik.parse("1471012902160001").birth_date() == datetime.date(2016, 2, 29)


@pytest.mark.parametrize(
    ("value", "bad_code"),
    [("9971011203140001", "99"), ("1499011203140001", "14.99"), ("1471991203140001", "14.71.99")],
)
def test_unknown_region_prefix(value, bad_code):
    known = {"14", "14.71", "14.71.01"}
    with pytest.raises(ValidationError) as exc_info:
        nik.check_region(nik.parse(value), known)
    assert bad_code in messages(exc_info)


def test_birth_date_and_sex_must_agree():
    parts = nik.parse(BOY)
    nik.check_agrees(parts, datetime.date(2014, 3, 12), "M")
    with pytest.raises(ValidationError) as exc_info:
        nik.check_agrees(parts, datetime.date(2014, 3, 12), "F")
    assert "add 40" in messages(exc_info)
    with pytest.raises(ValidationError) as exc_info:
        nik.check_agrees(parts, datetime.date(2014, 3, 13), "M")
    assert "12-03-14" in messages(exc_info) and "13-03-2014" in messages(exc_info)
    # With only the year known, the year is what must agree.
    nik.check_agrees(parts, datetime.date(2014, 1, 1), "M", birth_date_exact=False)
    with pytest.raises(ValidationError):
        nik.check_agrees(parts, datetime.date(2015, 1, 1), "M", birth_date_exact=False)


def test_mask_keeps_region_and_serial_only():
    assert nik.mask(BOY) == "147101••••••0001"
    assert nik.mask("") == ""
