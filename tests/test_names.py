"""Indonesian spelling variants fold onto one comparison key."""

import tomllib
from io import StringIO

import pytest
from django.core.management import call_command

from jejaring.registry.names import (
    RULES_FILE,
    NameFolder,
    NameRulesError,
    load_rules,
    name_key,
    name_words,
    similarity,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Muhammad Rizki", "Mohammad Rizky"),
        ("Muhamad Rizki", "M. Rizki"),
        ("Mochammad Rizki", "Muhammad Rizki"),
        ("Siti Aminah", "Sity Aminah"),
        ("Siti Aminah", "St. Aminah"),
        ("Djoko Susilo", "Joko Susilo"),
        ("Tjahjadi", "Cahyadi"),
        ("Soekarno", "Sukarno"),
        ("Jusuf Effendi", "Yusuf Efendi"),
        ("Chairul Anwar", "Khairul Anwar"),
        ("Hj. Siti Nurhayati, S.Pd.", "Siti Nurhayati"),
        ("Bapak Budi Santoso", "Budi Santoso"),
        ("Dewy Lestary", "Dewi Lestari"),
        ("Achmad Fauzan", "Ahmad Fauzan"),
    ],
)
def test_variants_share_a_key(a, b):
    assert name_key(a) == name_key(b)


def test_word_order_does_not_matter_for_similarity():
    assert similarity(name_key("Santoso Budi"), name_key("Budi Santoso")) == 100


def test_different_people_stay_apart():
    assert similarity(name_key("Budi Santoso"), name_key("Bambang Susanto")) < 85
    assert similarity(name_key(""), name_key("Budi")) == 0


# --- The rules are data: every rule in name_rules.toml holds, and contradictions are refused.

RULES = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
NAME = "Budi Santoso"


def _dotted(word: str) -> str:
    return ".".join(word) + "."


def _title_cases():
    for entry in RULES["title"]:
        for word in entry["words"]:
            yield pytest.param(entry, word, id=f"{entry['position']}-{word}")


@pytest.mark.parametrize(("entry", "word"), list(_title_cases()))
def test_every_title_is_dropped_in_its_position(entry, word):
    written = _dotted(word) if entry.get("strict") else word
    if entry["position"] == "prefix":
        names = [f"{written} {NAME}"]
    elif entry["position"] == "suffix":
        names = [f"{NAME}, {written}"] + ([] if entry.get("strict") else [f"{NAME} {written}"])
    else:
        names = [f"Budi {written} Santoso"]
    for name in names:
        assert name_key(name) == "budi santoso", name


KEPT = [w for entry in RULES["keep"] for w in entry["words"] if w not in RULES["join"]["articles"]]


@pytest.mark.parametrize("word", KEPT)
def test_every_kept_word_stays_in_every_position(word):
    for name in (f"{word} Budi Santoso", f"Budi {word} Santoso", f"Budi Santoso {word}"):
        assert len(name_words(name)) == 3, name


@pytest.mark.parametrize(
    ("entry", "form"),
    [pytest.param(e, f, id=f"{e['canonical']}-{f}") for e in RULES["variant"] for f in e["forms"]],
)
def test_every_variant_form_folds_to_its_word(entry, form):
    canonical = entry["canonical"].split()
    assert name_words(f"{form} Santoso") == [*canonical, "santoso"]
    if entry.get("position", "any") == "any":
        assert name_words(f"Budi {form} Santoso") == ["budi", *canonical, "santoso"]


@pytest.mark.parametrize("word", RULES["gelar"]["words"])
def test_every_gelar_word_ends_the_name(word):
    assert name_words(f"Budi {word} Rajo Lelo") == ["budi"]


@pytest.mark.parametrize("root", RULES["abdul"]["roots"])
def test_every_abdul_root_splits_off(root):
    assert name_words(f"Abdul{root}") == name_words(f"Abdul {root}")


GOOD_TITLE = '[[title]]\nposition = "prefix"\nwords = ["bapak"]\nreason = "address"\n'


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[title]]\nposition = "prefix"\nwords = ["bapak"]\n', "reason"),
        ('[[title]]\nposition = "before"\nwords = ["bapak"]\nreason = "x"\n', "position"),
        (GOOD_TITLE + '[[keep]]\nwords = ["bapak"]\nreason = "a nickname"\n', "both a title"),
        (
            '[[variant]]\ncanonical = "siti"\nforms = ["st"]\nreason = "x"\n'
            '[[variant]]\ncanonical = "sutan"\nforms = ["st"]\nreason = "y"\n',
            "folds to both",
        ),
        (GOOD_TITLE + '[gelar]\nwords = ["datuk"]\nreason = "x"\n[[keep]]\nwords = ["datuk"]\n'
         'reason = "y"\n', "gelar"),
    ],
)  # fmt: skip
def test_contradicting_rules_are_refused(text, problem):
    with pytest.raises(NameRulesError, match=problem):
        load_rules(text)


def test_a_kept_word_may_share_a_strict_title():
    # "Ma" is a surname, M.A. a degree: allowed because the degree needs its dots.
    text = '[[title]]\nposition = "suffix"\nstrict = true\nwords = ["ma"]\nreason = "x"\n'
    rules = load_rules(text + '[[keep]]\nwords = ["ma"]\nreason = "surname"\n')
    folder = NameFolder(rules)
    assert folder.words("Budi Ma") == ["budi", "ma"]
    assert folder.words("Budi M.A.") == ["budi"]


# --- Stored keys follow the rules: manage.py refold_names ----------------------------------


def test_refold_names_recomputes_stored_keys(db):
    from jejaring.accounts.models import User
    from jejaring.registry.actions import _derive, add_alias
    from jejaring.registry.models import Person, PersonAlias
    from tests.helpers import register_person

    worker = User.objects.get(username="petugas.pekanbaru")
    person = register_person(full_name="Moch. Rizki Saputra", nik="")
    add_alias(person, "Ujang Terminal", "street", acting_user=worker)
    untouched = register_person(full_name="Siti Aminah", sex="F", nik="")
    # The keys as the rules before issue 11 stored them.
    Person.objects.filter(pk=person.pk).update(
        name_key="mokh rizki saputra", search_key="mokh rizki saputra | terminal"
    )
    PersonAlias.objects.filter(person=person).update(name_key="terminal")

    dry = StringIO()
    call_command("refold_names", dry_run=True, stdout=dry)
    assert "would change: 1; aliases would change: 1" in dry.getvalue()
    assert Person.objects.get(pk=person.pk).name_key == "mokh rizki saputra"

    out = StringIO()
    call_command("refold_names", batch_size=1, stdout=out)
    person.refresh_from_db()
    assert person.name_key == "muhammad rizki saputra"
    assert person.search_key == "muhammad rizki saputra | uyang terminal"
    assert PersonAlias.objects.get(person=person).name_key == "uyang terminal"
    # Exactly what saving the person through the registry's actions derives.
    fresh = Person.objects.get(pk=person.pk)
    _derive(fresh)
    assert (fresh.name_key, fresh.search_key) == (person.name_key, person.search_key)
    checked = Person.objects.count()  # the demo network's people too
    assert f"People checked: {checked}; people changed: 1; aliases changed: 1" in out.getvalue()
    assert "Rizki" not in out.getvalue()  # counts only, never a name in a log
    assert Person.objects.get(pk=untouched.pk).name_key == "siti aminah"

    # Run again: nothing left to change.
    again = StringIO()
    call_command("refold_names", stdout=again)
    assert "people changed: 0; aliases changed: 0" in again.getvalue()


def test_search_finds_a_person_however_the_name_was_written(bearer):
    from django.test import Client

    from tests.helpers import register_person

    abdurrahman = register_person(full_name="Abdurrahman Wahid", nik="")
    ujang = register_person(full_name="Ujang Dadang", nik="", birth_date=None)
    headers = bearer("petugas.pekanbaru")

    def found(query):
        # The search posts: a name never goes into a URL (and so into access logs).
        answer = Client().post(
            "/api/v1/persons/search", {"q": query}, content_type="application/json", **headers
        )
        return [p["id"] for p in answer.json()["items"]]

    assert found("Abdul Rahman") == [abdurrahman.pk]
    assert found("Abd. Rahman Wahid") == [abdurrahman.pk]
    # "Ujang" was a title: the query folded to nothing and matched everyone.
    assert found("Ujang") == [ujang.pk]
