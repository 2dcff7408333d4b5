"""Indonesian spelling variants fold onto one comparison key."""

import pytest

from jejaring.registry.names import name_key, similarity


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
