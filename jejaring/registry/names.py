"""Comparing Indonesian names despite spelling variants, titles and naming customs.

The same person is written Muhammad, Mohammad, Moch. or M.; Siti or Sity; in the old
spelling (ejaan lama) Djoko for Joko, Tjahjadi for Cahyadi, Soekarno for Sukarno; with
titles and degrees (H., Hj., Dr., S.Pd., Bapak, Ibu…) or without. ``name_key`` folds all of
these into one comparison key; ``similarity`` scores two keys with rapidfuzz.

The rules are reference data in ``name_rules.toml``, each with the reason it exists: which
words are titles and in which position, which are part of the name whatever they look like
(Sundanese Ujang and Neng, Balinese Wayan and Made, Acehnese Teuku and Cut), which forms are
one word, and the old-spelling rewrites. This module only applies them.

Changing the rules changes stored keys (``Person.name_key``, ``PersonAlias.name_key``,
``Person.search_key``): run ``manage.py refold_names`` after editing the data.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from rapidfuzz import fuzz

RULES_FILE = Path(__file__).with_name("name_rules.toml")
POSITIONS = ("prefix", "suffix", "infix")

_APOSTROPHES = re.compile(r"['`\u2018\u2019\u02bc]")
# A chunk is letters and dots; anything else (spaces, hyphens, digits, slashes) separates.
_CHUNKS = re.compile(r"[a-z.]+")
_DOUBLES = re.compile(r"(.)\1+")


@dataclass(frozen=True)
class TitleRule:
    """One word as a title in one position (see the header of name_rules.toml)."""

    strict: bool = False  # only dotted ("M.A.") or after a comma
    plain_only: bool = False  # only without a dot (Balinese "I", not the initial "I.")


class Token(NamedTuple):  # a tuple: created for every word of every name folded
    word: str
    dotted: bool  # written with a dot: an abbreviation or an initial
    after_comma: bool  # degrees follow a comma


@dataclass
class NameRules:
    """The folding rules read from name_rules.toml, indexed for lookup."""

    titles: dict[str, dict[str, TitleRule]] = field(default_factory=dict)
    gelar: frozenset[str] = frozenset()
    keep: frozenset[str] = frozenset()
    variants: dict[str, dict[str, str]] = field(default_factory=lambda: {"any": {}, "prefix": {}})
    articles: frozenset[str] = frozenset()
    abdul_roots: frozenset[str] = frozenset()
    abdul_sun_letters: tuple[str, ...] = ()
    abdul_forms: frozenset[str] = frozenset()  # "abdur", "abdus"… written apart from the root
    spelling: tuple[tuple[str, str], ...] = ()
    # Every word that may be written with dots as one abbreviation ("S.Pd.", "a.n.", "R.A.").
    abbreviations: frozenset[str] = frozenset()

    def fold_spelling(self, word: str) -> str:
        """Fold old and new spellings onto one form, in the data's order; then doubled
        letters collapse and a final y is i (Rizky/Rizki), both written in every era."""
        for old, new in self.spelling:
            word = word.replace(old, new)
        word = _DOUBLES.sub(r"\1", word)
        return word[:-1] + "i" if len(word) > 2 and word.endswith("y") else word


class NameRulesError(ValueError):
    """The reference data contradicts itself (a kept word listed as a title, a form in
    two variant groups) or lacks a reason."""


def _reasoned(entry: dict, where: str) -> dict:
    if not str(entry.get("reason", "")).strip():
        raise NameRulesError(f"{where}: every rule needs a reason")
    return entry


def load_rules(source: Path | str = RULES_FILE) -> NameRules:
    """Read and check the rules. ``source`` is a path, or TOML text (for tests)."""
    if isinstance(source, Path):
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    else:
        data = tomllib.loads(source)
    rules = NameRules()
    rules.spelling = tuple(
        (_reasoned(s, "spelling")["from"], s["to"]) for s in data.get("spelling", [])
    )
    fold = rules.fold_spelling

    keep: set[str] = set()
    for entry in data.get("keep", []):
        keep.update(_reasoned(entry, "keep")["words"])
    rules.keep = frozenset(keep | {fold(w) for w in keep})

    for entry in data.get("title", []):
        position = _reasoned(entry, "title").get("position")
        if position not in POSITIONS:
            raise NameRulesError(f"title position {position!r} is not one of {POSITIONS}")
        rule = TitleRule(bool(entry.get("strict")), bool(entry.get("plain_only")))
        # Titles are matched as written, not spelling-folded: folding collapses "mm" (Magister
        # Manajemen) into "m", which would then drop the initial in "Heru M.".
        for word in entry["words"]:
            # A kept word may only collide with a title that needs a dot, a comma or the
            # absence of a dot to apply: otherwise the two rules contradict each other.
            if word in rules.keep and not (rule.strict or rule.plain_only):
                raise NameRulesError(f"{word!r} is both a title and a kept name word")
            rules.titles.setdefault(word, {})[position] = rule

    gelar = data.get("gelar")
    if gelar:
        words = set(_reasoned(gelar, "gelar")["words"])
        if words & rules.keep:
            raise NameRulesError(f"gelar words kept as names: {sorted(words & rules.keep)}")
        rules.gelar = frozenset(words | {fold(w) for w in words})

    seen: dict[tuple[str, str], str] = {}
    for entry in data.get("variant", []):
        position = _reasoned(entry, "variant").get("position", "any")
        if position not in rules.variants:
            raise NameRulesError(f"variant position {position!r} is not 'any' or 'prefix'")
        canonical = entry["canonical"]
        for word in entry["forms"]:
            for form in {word, fold(word)}:
                if seen.setdefault((position, form), canonical) != canonical:
                    raise NameRulesError(
                        f"{form!r} folds to both {seen[(position, form)]!r} and {canonical!r}"
                    )
                rules.variants[position][form] = canonical

    join = data.get("join")
    if join:
        rules.articles = frozenset(_reasoned(join, "join")["articles"])
    abdul = data.get("abdul")
    if abdul:
        rules.abdul_roots = frozenset(fold(r) for r in _reasoned(abdul, "abdul")["roots"])
        rules.abdul_sun_letters = tuple(abdul["sun_letters"])
        rules.abdul_forms = frozenset("abdu" + s for s in abdul["sun_letters"])

    rules.abbreviations = frozenset(
        set(rules.titles) | rules.gelar | set(rules.variants["any"]) | set(rules.variants["prefix"])
    )
    return rules


def _ascii_lower(text: str) -> str:
    if text.isascii():
        return text.lower()  # nearly every name: skip the decomposition
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


class NameFolder:
    """Applies one set of rules. The module uses one built from name_rules.toml."""

    def __init__(self, rules: NameRules):
        self.rules = rules
        # Names are many, their words few: fold each word once.
        self._fold_word = lru_cache(maxsize=1 << 16)(self._fold_word_uncached)

    def tokens(self, name: str) -> list[Token]:
        # "Ma'ruf" is one word; an apostrophe never separates.
        text = _APOSTROPHES.sub("", _ascii_lower(name or ""))
        tokens: list[Token] = []
        for index, segment in enumerate(text.split(",")):
            for chunk in _CHUNKS.findall(segment):
                joined = chunk.replace(".", "")
                if not joined:
                    continue
                if "." not in chunk:
                    tokens.append(Token(chunk, False, index > 0))
                elif joined in self.rules.abbreviations:
                    # "S.Pd." is the degree spd; "a.n." is atas nama.
                    tokens.append(Token(joined, True, index > 0))
                else:
                    # "M.Rizki", "Hj.Siti": dots without spaces between words.
                    parts = chunk.split(".")
                    for i, part in enumerate(parts):
                        if part:
                            tokens.append(Token(part, i < len(parts) - 1, index > 0))
        return tokens

    def _is_title(self, token: Token, position: str) -> bool:
        rules = self.rules.titles.get(token.word)
        rule = rules.get(position) if rules else None
        if rule is None:
            return False
        if rule.strict and not (token.dotted or token.after_comma):
            return False
        return not (rule.plain_only and token.dotted)

    def _name_part(self, tokens: list[Token]) -> list[str]:
        """The words left once titles are dropped, each only in its position and only
        while a name remains ("Bapak" alone is kept: it is the only name known)."""
        start, end = 0, len(tokens)
        while start < end - 1:
            pair = f"{tokens[start].word} {tokens[start + 1].word}" if start + 2 < end else ""
            if pair in self.rules.titles and "prefix" in self.rules.titles[pair]:
                start += 2  # "Raden Roro": a two-word title, where "Roro" alone is a name
            elif self._is_title(tokens[start], "prefix"):
                start += 1
            else:
                break
        for k in range(start + 1, end):
            if tokens[k].word in self.rules.gelar:
                end = k  # a Minang gelar runs from its title word to the end
                break
        while end - 1 > start and self._is_title(tokens[end - 1], "suffix"):
            end -= 1
        kept = tokens[start:end]
        inner = [t for t in kept[1:-1] if not self._is_title(t, "infix")]
        return [t.word for t in (kept[:1] + inner + kept[1:][-1:])]

    def _variant(self, word: str, opening: bool) -> str | None:
        variants = self.rules.variants
        if opening and word in variants["prefix"]:
            return variants["prefix"][word]
        return variants["any"].get(word)

    def _fold_word_uncached(self, raw: str, opening: bool, followed: bool) -> tuple[str, ...]:
        # The written form first: "Moch." must reach muhammad before ch->kh turns it into "mokh".
        canonical = self._variant(raw, opening)
        folded = self.rules.fold_spelling(raw)
        if canonical is None:
            canonical = self._variant(folded, opening)
        if canonical is not None:
            return tuple(canonical.split())
        rules = self.rules
        if followed and folded in rules.abdul_forms:
            return ("abdul",)  # "Abdur Rahman"
        if folded.startswith("abdul") and folded[5:] in rules.abdul_roots:
            return ("abdul", folded[5:])  # "Abdulrahman"
        if folded.startswith("abdu") and folded[4:] in rules.abdul_roots:
            rest = folded[4:]
            # "Abdurrahman": the l of Abdul assimilated to the root's sun letter.
            if rest.startswith(rules.abdul_sun_letters):
                return ("abdul", rest)
        return (folded,) if folded else ()

    def words(self, name: str) -> list[str]:
        raw = self._name_part(self.tokens(name))
        joined: list[str] = []
        i = 0
        while i < len(raw):
            # "Al Attas", "Al-Attas" and "Alatas" meet: the article joins the next word.
            if raw[i] in self.rules.articles and i + 1 < len(raw):
                joined.append(raw[i] + raw[i + 1])
                i += 2
            else:
                joined.append(raw[i])
                i += 1
        out: list[str] = []
        for i, word in enumerate(joined):
            # Prefix variants ("M." = Muhammad) apply to the opening word of a longer name.
            opening = i == 0 and len(joined) > 1
            out.extend(self._fold_word(word, opening, i + 1 < len(joined)))
        return out


_FOLDER = NameFolder(load_rules())


def name_words(name: str) -> list[str]:
    """The folded words, titles dropped: 'Hj. Sity Noerhajati, S.Pd.' → ['siti', 'nurhayati']."""
    return _FOLDER.words(name)


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
