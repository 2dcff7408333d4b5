"""The duplicate guard at entry scores with the same Fellegi–Sunter model as the import
and the duplicate scan: the newest model trained on the registry, or, before one exists,
a model trained on what its blocking fetched."""

import datetime

import pytest

from jejaring.accounts.models import User
from jejaring.imports import linkage
from jejaring.imports.models import LinkageModel, LinkageModelSource
from jejaring.imports.pipeline import PERSON_LINK_FIELDS, link_record_from_person
from jejaring.registry import duplicates
from jejaring.registry.duplicates import find_candidates, identity_scope
from jejaring.registry.models import Person
from jejaring.registry.names import name_key
from tests.helpers import SUKAJADI_VILLAGE, register_person

pytestmark = pytest.mark.django_db

BORN = datetime.date(2013, 8, 17)
TYPED = {"full_name": "Rizal Ramadhan", "birth_date": BORN, "region_code": SUKAJADI_VILLAGE}


def worker() -> User:
    return User.objects.get(username="petugas.pekanbaru")


@pytest.fixture
def rizal(db):
    return register_person(full_name="Rizal Ramadhan", birth_date=BORN)


def as_linkage(person: Person) -> linkage.LinkRecord:
    row = Person.objects.values_list(*PERSON_LINK_FIELDS).get(pk=person.pk)
    return link_record_from_person(*row)


def incoming() -> linkage.LinkRecord:
    return linkage.LinkRecord(
        ref=0, name_key=name_key("Rizal Ramadhan"), birth_date=BORN, region=SUKAJADI_VILLAGE
    )


def store(params: dict) -> LinkageModel:
    return LinkageModel.objects.create(
        source=LinkageModelSource.REGISTRY, params=params, records=params.get("records", 0)
    )


def registry_model() -> dict:
    """A model trained on the registry as the duplicate scan trains it."""
    people = Person.objects.filter(merged_into__isnull=True).values_list(*PERSON_LINK_FIELDS)
    return linkage.train([link_record_from_person(*row) for row in people]).to_dict()


def guard(**typed):
    return find_candidates(**{**TYPED, **typed}, within=identity_scope(worker()))


def test_the_guard_scores_with_the_stored_registry_model(rizal):
    params = registry_model()
    store(params)
    (found,) = guard()
    expected = linkage.score_pair(linkage.Model.from_dict(params), incoming(), as_linkage(rizal))
    assert found.person == rizal
    assert found.score == pytest.approx(expected.score, abs=0.01)
    # Its reasons are the parts that weigh for the link, in words.
    positive = [p for p in expected.parts if p.weight > 0]
    assert len(found.reasons) == len(positive)
    assert any(str(linkage.COMPARISON_LABELS["name"]) in reason for reason in found.reasons)
    assert found.strong == linkage.links(expected)


def test_a_newer_model_with_other_name_weights_changes_the_score(rizal):
    params = registry_model()
    store(params)
    (before,) = guard()
    # The same model, but an exact name is now far commoner among non-matches (u up):
    # agreement on the name tells less, so the same pair weighs less.
    changed = {**params, "comparisons": {**params["comparisons"]}}
    name = dict(changed["comparisons"]["name"])
    exact = name["levels"].index("exact")
    u = list(name["u"])
    u[exact] = min(0.5, u[exact] * 64)
    name["u"] = u
    changed["comparisons"]["name"] = name
    store(changed)
    found = guard()
    expected = linkage.score_pair(linkage.Model.from_dict(changed), incoming(), as_linkage(rizal))
    if expected.score < linkage.REVIEW:
        assert found == []
    else:
        assert found[0].score == pytest.approx(expected.score, abs=0.01)
        assert found[0].score < before.score - 3


def test_without_a_stored_model_the_guard_learns_from_the_registry_and_keeps_it(rizal, monkeypatch):
    assert not LinkageModel.objects.exists()
    far = register_person(
        full_name="Wulan Permatasari", sex="F", birth_date=datetime.date(1971, 2, 3)
    )
    monkeypatch.setattr(duplicates, "MIN_TRAINING", 2)
    trained = []
    original = linkage.train

    def spy(records, **kwargs):
        trained.append(list(records))
        return original(records, **kwargs)

    monkeypatch.setattr(linkage, "train", spy)
    (found,) = guard()
    assert found.person == rizal
    (records,) = trained
    refs = {r.ref for r in records}
    # The registry at large, not the blocked candidates: a woman born in 1971 is in the
    # sample although no block of the 2013 boy would fetch her; the incoming record is not.
    assert far.pk in refs and rizal.pk in refs and 0 not in refs
    stored = LinkageModel.objects.get()
    assert stored.source == "registry" and stored.records == len(records)
    # Kept: the next registration scores with it and learns nothing again.
    guard()
    assert len(trained) == 1


def test_the_registry_sample_is_bounded(rizal, monkeypatch):
    for i in range(12):
        register_person(full_name=f"Anak Ke{i} Lain", birth_date=BORN)
    monkeypatch.setattr(duplicates, "REGISTRY_SAMPLE", 3)
    monkeypatch.setattr(duplicates, "MIN_TRAINING", 2)
    trained = []
    original = linkage.train
    monkeypatch.setattr(
        linkage, "train", lambda records, **kw: trained.append(len(records)) or original(records)
    )
    guard()
    assert trained and 2 <= trained[0] <= 3


def test_the_registry_sample_stays_bounded_when_the_ids_are_sparse(rizal, monkeypatch):
    """Ids far sparser than their range (people merged away, a sequence that jumped) make
    the random draw find almost no one: the sample must still be a bounded read of the
    registry, not the handful of candidates, nor everyone."""
    import random

    for i in range(8):
        register_person(full_name=f"Anak Ke{i} Jarang", birth_date=BORN)
    monkeypatch.setattr(duplicates, "REGISTRY_SAMPLE", 3)
    monkeypatch.setattr(duplicates, "MIN_TRAINING", 2)

    class DrawsOnlyGaps:
        def __init__(self, seed):
            pass

        def sample(self, population, k):
            return [10**9 + n for n in range(k)]  # ids nobody holds

    monkeypatch.setattr(random, "Random", DrawsOnlyGaps)
    living = Person.objects.filter(merged_into__isnull=True).count()
    assert living > 3 * 2  # the random branch, not the small-range read
    sample = duplicates._registry_sample()
    assert len(sample) == 3


def test_a_nearly_empty_registry_is_not_kept_as_the_registry_model(rizal):
    guard()
    assert not LinkageModel.objects.exists()


def test_a_far_name_is_not_a_candidate_even_born_the_same_day(rizal):
    register_person(full_name="Wulan Permatasari", sex="F", birth_date=BORN)
    found = guard()
    assert [c.person.pk for c in found] == [rizal.pk]


def test_the_same_unverified_digits_make_a_candidate_but_never_a_refusal(rizal):
    Person.objects.filter(pk=rizal.pk).update(nik_unverified="1471011708130000")
    (found,) = guard(full_name="Rizal Ramadan", nik_unverified="1471011708130000")
    assert found.person == rizal and not found.same_nik
    assert any(str(linkage.COMPARISON_LABELS["nik"]) in r for r in found.reasons)


def test_the_same_verified_nik_is_always_listed_and_strong(db):
    holder = register_person(
        full_name="Ahmad Fauzan", nik="1471011106150007", birth_date=datetime.date(2015, 6, 11)
    )
    # A quite different name: the model alone might not list it, the NIK does.
    found = guard(full_name="Budi Santoso", nik="1471011106150007", birth_date=None)
    assert [c.person for c in found] == [holder]
    assert found[0].same_nik and found[0].strong


def test_a_hidden_record_is_never_scored_for_the_user(db):
    victim = register_person(
        full_name="Rizal Ramadhan",
        birth_date=BORN,
        categories=("anak_korban_tindak_kekerasan",),
    )
    outsider = User.objects.get(username="dukcapil.pekanbaru")
    assert not identity_scope(outsider).filter(pk=victim.pk).exists()
    assert find_candidates(**TYPED, within=identity_scope(outsider)) == []
