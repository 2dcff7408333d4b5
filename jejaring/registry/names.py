"""Comparing Indonesian names despite spelling variants.

The same person is written Muhammad, Mohammad, Muhamad or M.; Siti or Sity; in the old
spelling (ejaan lama) Djoko for Joko, Tjahjadi for Cahyadi, Soekarno for Sukarno,
Jusuf for Yusuf, Chairul for Khairul; with doubled letters or without; with titles
and honorifics (H., Hj., Dr., S.Pd., Bapak, Ibu…). ``name_key`` folds all of these into
one comparison key; ``similarity`` scores two keys with rapidfuzz.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz

# Titles, honorifics and degrees dropped before comparing (lower case, no dots).
TITLES = frozenset(
    """
    h hj haji hajjah dr drs dra ir prof kh ust ustadz ustadzah
    bapak bpk pak ibu bu ib sdr sdri saudara saudari tn tuan ny nyonya nn nona an alm almh
    kak mas mbak bang abang adik dik neng ujang
    spd sag sh se ssos sip skm skep sked mpd msi mm mh amd amk sst ssi skom ners
    """.split()
)

# Whole-word variants after old-spelling folding (see _fold_spelling).
WORD_VARIANTS = {
    "muhamad": "muhammad",
    "muhammad": "muhammad",
    "mohamad": "muhammad",
    "mohammad": "muhammad",
    "mohamed": "muhammad",
    "muhamed": "muhammad",
    "mukhammad": "muhammad",
    "mokhammad": "muhammad",
    "mukhamad": "muhammad",
    "mokhamad": "muhammad",
    "mhd": "muhammad",
    "moh": "muhammad",
    "muh": "muhammad",
    "m": "muhammad",
    "sity": "siti",
    "st": "siti",
    "nur": "nur",
    "noor": "nur",
    "nurul": "nurul",
    "akhmad": "ahmad",
    "ahmat": "ahmad",
    "abd": "abdul",
    "abdul": "abdul",
}

_NON_LETTERS = re.compile(r"[^a-z\s]")
_SPACES = re.compile(r"\s+")
_DOUBLES = re.compile(r"(.)\1+")


def _ascii_lower(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _fold_spelling(word: str) -> str:
    """Fold old and new spellings onto one form.

    Old 'dj' is new 'j' and old 'j' is new 'y', so j, dj and y all become 'y' — a key
    may merge a true j and y, which is acceptable for finding candidates. Old 'tj' is
    'c', 'oe' is 'u', 'ch' is 'kh'; doubled letters collapse; a final 'y' is 'i'.
    """
    word = word.replace("dj", "y").replace("tj", "c").replace("oe", "u")
    word = word.replace("ch", "kh").replace("j", "y")
    word = _DOUBLES.sub(r"\1", word)
    # A final y is written i as often as not (Rizky/Rizki, Dewy/Dewi).
    return word[:-1] + "i" if len(word) > 2 and word.endswith("y") else word


def name_words(name: str) -> list[str]:
    text = _ascii_lower(name or "")
    # "M." and "Hj." lose their dots; "S.Pd." becomes "spd" so it is recognised as a degree.
    text = re.sub(r"\b([a-z])\.(?=[a-z])", r"\1", text)
    text = _NON_LETTERS.sub(" ", text.replace(".", " "))
    words = [w for w in _SPACES.split(text) if w]
    # "St." opening a name is Siti; after a name it is a degree (Sarjana Teknik).
    kept = [w for i, w in enumerate(words) if w not in TITLES and not (w == "st" and i > 0)]
    folded = [_fold_spelling(w) for w in kept]
    return [WORD_VARIANTS.get(w, w) for w in folded if w]


@lru_cache(maxsize=1 << 18)
def name_key(name: str) -> str:
    """The comparison key: 'Hj. Sity Noerhajati, S.Pd.' → 'siti nurhayati'.

    Cached: a national import folds the same common names hundreds of thousands of times.
    """
    return " ".join(name_words(name))


def similarity(key_a: str, key_b: str) -> float:
    """0–100. Word order does not matter (Indonesian names have no fixed surname)."""
    if not key_a or not key_b:
        return 0.0
    return max(fuzz.token_sort_ratio(key_a, key_b), fuzz.token_set_ratio(key_a, key_b) - 5)
