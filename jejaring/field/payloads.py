"""What a phone's draft carries, per kind: checked like an API body, so a damaged draft
is refused with a message on its field instead of failing somewhere inside an action."""

from __future__ import annotations

import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from jejaring.registry.models import BirthDatePrecision, Sex


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class RegisterPerson(_Payload):
    full_name: str = Field(..., min_length=2, max_length=200)
    nik: str = Field("", max_length=30)
    nik_unverified_reason: str = Field("", max_length=150)
    sex: Sex
    birth_date: datetime.date | None = None
    birth_date_precision: BirthDatePrecision = BirthDatePrecision.EXACT
    region: str | None = Field(None, max_length=20)
    rt: str = Field("", max_length=10)
    rw: str = Field("", max_length=10)
    address: str = Field("", max_length=1000)
    phone: str = Field("", max_length=40)
    categories: list[str] = Field(default_factory=list, max_length=10)
    aliases: list[str] = Field(default_factory=list, max_length=10)
    # A report from outreach: the person's case opens as "reported" with this category.
    report_category: str = Field("", max_length=60)
    # A photo taken on the phone, as a data URL (JPEG or PNG), checked like any upload.
    photo: str = Field("", max_length=3_000_000)


class RecordService(_Payload):
    # The person: a registry id, or the key of the worker's own registration draft (a
    # child registered in the shelter and given a food package before any signal).
    person: int | None = None
    person_draft: str = Field("", max_length=64)
    service_type: str = Field(..., max_length=60)
    delivered_on: datetime.date
    quantity: int = Field(1, ge=1, le=1000)
    # The PMKS category of the case to open when the worker's office has none open.
    category: str = Field("", max_length=60)

    @model_validator(mode="after")
    def one_person(self):
        if (self.person is None) == (not self.person_draft):
            raise ValueError("give either person or person_draft")
        return self


class SamePerson(_Payload):
    same: int  # the id of the candidate the worker recognised


# What a worker may change offline on a person's record: the address below the village
# and how to reach them (the identity fields are changed at the desk, with the card).
UPDATABLE = ("rt", "rw", "address", "phone")


class UpdatePerson(_Payload):
    person: int
    version: int  # the version the phone had when the worker typed the change
    rt: str = Field("", max_length=10)
    rw: str = Field("", max_length=10)
    address: str = Field("", max_length=1000)
    phone: str = Field("", max_length=40)


class Overwrite(_Payload):
    overwrite: int  # the server's version the worker was shown and chose to replace


class Attended(_Payload):
    organisation: int
    names: str = Field("", max_length=255)  # empty: absent


class Attendance(_Payload):
    meeting: int
    attendance: list[Attended] = Field(..., max_length=200)
