"""Name folding against real naming customs of Indonesia's regions.

Each case is how offices actually write the same person (or two different people). The rules
live in ``jejaring/registry/name_rules.toml``; the reason for each is written there.
"""

import pytest

from jejaring.registry.names import name_key, name_words


def same(*names: str) -> None:
    keys = {name: name_key(name) for name in names}
    assert len(set(keys.values())) == 1, keys


# --- The findings of issue 11 -------------------------------------------------------------


def test_ujang_alone_keeps_a_key():
    # Was folded to "" and the import refused the row as "the name has no letters".
    assert name_key("Ujang") != ""
    assert name_key("Neng") != ""


def test_ujang_dadang_keeps_both_words():
    # Was "dadang". ("j" folds to "y" with the old-spelling rule, so the key reads "uyang".)
    assert name_words("Ujang Dadang") == [name_key("Ujang"), "dadang"]
    assert name_key("Ujang Dadang") == "uyang dadang"


def test_moch_is_muhammad():
    # "Moch." went through ch->kh to "mokh" before the variant lookup.
    same("Moch. Rizki", "Muhammad Rizki")


def test_title_degree_and_old_spelling_together():
    assert name_key("Hj. Sity Noerhajati, S.Pd.") == "siti nurhayati"


# --- Java --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "M.", "Muh.", "Moh.", "Moch.", "Much.", "Mochamad", "Mochammad", "Mohamad", "Mohammad",
        "Muhamad", "Muhammad", "Mhd.", "Mukhamad", "Mokhamad", "Mohd.", "Muchammad", "Moehammad",
    ],
)  # fmt: skip
def test_the_muhammad_family(written):
    assert name_key(f"{written} Rizki") == "muhammad rizki"


def test_m_after_a_name_is_an_initial_not_muhammad():
    # "Heru M." is as likely Heru Mulyono: the linkage engine compares initials.
    assert name_key("Heru M.") == "heru m"
    assert name_key("Heru W.") == "heru w"


def test_dots_without_spaces_still_separate_words():
    same("M.Rizki", "M. Rizki", "Muhammad Rizki")
    same("Dr.Ir.Budi Santoso", "Budi Santoso")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Achmad Fauzi", "Ahmad Fauzi"),
        ("Ahmat Fauzi", "Ahmad Fauzi"),
        ("Akhmad Fauzi", "Ahmad Fauzi"),
        ("Soetjipto", "Sucipto"),
        ("Djojohadikoesoemo", "Joyohadikusumo"),
        ("Sry Rejeki", "Sri Rejeki"),
        ("Drs. H. M. Yusuf, M.Si.", "Muhammad Yusuf"),
        ("Ir. H. Joko Widodo", "Joko Widodo"),
    ],
)
def test_javanese_spellings_and_titles(a, b):
    same(a, b)


def test_javanese_nobility_dropped_but_a_bare_initial_kept():
    same("Rr. Siti Aminah", "Raden Roro Siti Aminah", "Siti Aminah")
    same("R.A. Kartini", "Kartini")
    # "R." alone may be Rudi: an initial stays.
    assert name_key("R. Suharto") == "r suharto"


# --- Sunda ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("Neng Euis Komalasari", 3),
        ("Asep Saepudin", 2),
        ("Cecep Supriatna", 2),
        ("Ujang", 1),
        ("Neng", 1),
    ],
)
def test_sundanese_given_names_stay(name, words):
    assert len(name_words(name)) == words


def test_sundanese_f_written_p():
    same("Yusup Supriadi", "Yusuf Supriadi", "Jusuf Supriadi", "Yoesoef Supriadi")


def test_a_form_of_address_alone_is_the_only_name_known():
    # A street child known only as "Bapak" or an old man as "Haji": keep it, never refuse.
    assert name_key("Bapak") == "bapak"
    assert name_key("Haji") != ""
    assert name_key("Pak Haji") == name_key("Haji")
    same("Bapak Dadang", "Pak Dadang", "Dadang")


# --- Bali -------------------------------------------------------------------------------


def test_balinese_sex_marker_dropped_birth_order_name_kept():
    same("I Wayan Sudarma", "Wayan Sudarma")
    same("Ni Made Sari", "Made Sari")
    assert name_key("Ni Made Sari") == "made sari"


@pytest.mark.parametrize(
    "name",
    ["Wayan", "Made", "Nyoman", "Ketut", "Putu", "Kadek", "Komang", "Gede"],
)
def test_birth_order_names_are_part_of_the_name(name):
    assert name_key(f"I {name} Arsana") == f"{name_key(name)} arsana"
    assert name_key(name) != ""


def test_an_initial_i_with_a_dot_is_not_the_balinese_marker():
    assert name_key("I. Suryani") == "i suryani"


def test_balinese_caste_names_and_their_abbreviations():
    same("IB Putu Gede", "Ida Bagus Putu Gede", "Ida Bagus Putu Gde")
    same("I Gusti Ngurah Rai", "I Gst. Ngurah Rai", "Gusti Ngurah Rai")
    assert name_key("Anak Agung Ayu Dewi") == "anak agung ayu dewi"


def test_old_spelling_nj():
    same("Njoman Sukerta", "Nyoman Sukerta")


# --- Batak, Minang ----------------------------------------------------------------------


def test_batak_clan_name_stays_boru_connector_goes():
    assert name_key("Sahat Martua Simanjuntak").split()[-1] == name_key("Simanjuntak")
    same("Rosmawati br. Siregar", "Rosmawati boru Siregar", "Rosmawati Siregar")
    # Two men with one given name and different marga are different people.
    assert name_key("Sahat Siregar") != name_key("Sahat Nasution")


def test_minang_gelar_runs_to_the_end_of_the_name():
    same("Ahmad Dt. Rajo Lelo", "Ahmad Datuk Rajo Lelo", "Ahmad")
    same("H. Ahmad Datuak Bandaro, S.H.", "Ahmad")
    # Opening a name, Datuk is the only name known: kept.
    assert name_key("Datuk") == "datuk"


# --- Bugis, Aceh ------------------------------------------------------------------------


def test_bugis_andi_is_part_of_the_name():
    assert name_key("Andi Baso Amir") == "andi baso amir"
    assert name_key("Andi Amir") != name_key("Amir")


def test_acehnese_nobility_kept_religious_title_dropped():
    assert name_key("Cut Nyak Dhien") == "cut nyak dien"
    assert name_key("Teuku Umar") == "teuku umar"
    assert name_key("Cut Intan") != name_key("Intan")
    same("Tgk. Abdul Wahab", "Teungku Abdul Wahab", "Abdul Wahab")


# --- Arab-Indonesian --------------------------------------------------------------------


def test_abdul_with_an_assimilated_sun_letter():
    same(
        "Abdurrahman Wahid",
        "Abdurahman Wahid",
        "Abdul Rahman Wahid",
        "Abdulrahman Wahid",
        "Abd. Rahman Wahid",
        "Abdur Rahman Wahid",
    )
    same("Abdussalam", "Abdul Salam")
    same("Abdulqadir", "Abdul Kadir")
    # Not every Abd- word splits: Abdullah is one word.
    assert name_words("Abdullah") == [name_key("Abdullah")]


def test_arabic_article_joins_the_word_after_it():
    same("Husein Al-Attas", "Husein Al Attas", "Husein Alatas")
    same("Muhammad Al Fatih", "Muhammad Alfatih")


def test_patronymic_connector():
    same("Ahmad bin Abdullah", "Ahmad Abdullah")
    same("Fatimah binti Umar", "Fatimah Umar")


def test_apostrophe_does_not_split_a_word():
    same("Ma'ruf Amin", "Maruf Amin", "Ma’ruf Amin")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Taufiq Hidayat", "Taufik Hidayat"),
        ("Ramadhan", "Ramadan"),
        ("Fathimah", "Fatimah"),
        ("Ustadz Zulkifli", "Zulkifli"),
        ("Dzulkifli", "Zulkifli"),
        ("Noor Huda", "Nur Huda"),
    ],
)
def test_arabic_transliterations(a, b):
    same(a, b)


def test_nur_and_nurul_are_different_words():
    assert name_key("Nurul Huda") != name_key("Nur Huda")


def test_habib_and_syarifah_are_names():
    assert name_key("Habib Ali") == "habib ali"
    assert name_key("Syarifah Fatimah") == "syarifah fatimah"


# --- Chinese-Indonesian -----------------------------------------------------------------


def test_chinese_family_names_stay_and_fold_their_spellings():
    assert name_key("Tan Siok Lan") == "tan siok lan"
    assert len(name_words("The Kian Wie")) == 3
    same("Liem Swie King", "Lim Swie King")
    same("Oey Hong Lie", "Oei Hong Lie")


def test_a_short_degree_needs_dots_or_a_comma():
    # "Ma" is a Chinese-Indonesian surname; M.A. after a name is a degree.
    assert name_key("Ma Ling") == "ma ling"
    same("Budi Santoso, M.A.", "Budi Santoso, MA", "Budi Santoso")
    assert name_key("An Budi") == "an budi"
    same("a.n. Budi", "Budi")


# --- NTT, Maluku, Papua -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Johannes Bria", "Yohanes Bria"),
        ("Yoseph Kambu", "Yosef Kambu"),
        ("Christina Bria", "Kristina Bria"),
        ("Elisabeth Wona", "Elisabet Wona"),
        ("Theresia Lein", "Teresia Lein"),
        ("Pdt. Yohanes Kambu, S.Th.", "Yohanes Kambu"),
    ],
)
def test_christian_baptismal_names(a, b):
    same(a, b)


# --- Positions --------------------------------------------------------------------------


def test_st_is_siti_first_and_a_degree_last():
    same("St. Aminah", "Siti Aminah")
    same("Budi Santoso, S.T.", "Budi Santoso, ST", "Budi Santoso")


def test_a_title_is_only_a_title_in_its_position():
    # "Haji" and "Ibu" are prefix titles; at the end of a name they are left alone.
    assert name_key("Ahmad H.") == "ahmad h"
    # A degree before the name is not a degree.
    assert name_key("Se Budi") == "se budi"
