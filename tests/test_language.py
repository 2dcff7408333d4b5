"""The pages read in Bahasa Indonesia (issue 14, point 5).

1. No text is left outside the translation tags in a template: every template under
   jejaring/templates is split by Django's own template lexer; its text tokens outside
   ``{% blocktranslate %}`` / ``{% comment %}`` are read as HTML, and any visible text node
   or attribute a person reads or hears (``title``, ``aria-label``, ``placeholder``,
   ``alt``, the ``value`` of a submit button) holding a word is a finding, unless the word
   is in ``SAME_IN_EVERY_LANGUAGE`` (the brand, acronyms, currency). Such text would stay
   English (or stay Indonesian) whatever language the reader chose.
2. Every message the code and the templates use has an Indonesian translation: Django's
   ``makemessages`` runs over a temporary copy of the package (never the real catalogue)
   and merges the real translations in; a message left without a translation, or only
   with msgmerge's fuzzy guess, is a finding. The real catalogue holds no fuzzy entry and
   no "translation" that is just the English text of two or more words.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.template.base import DebugLexer, TokenType
from django.utils import translation

PROJECT = Path(__file__).resolve().parents[1]
PACKAGE = PROJECT / "jejaring"
TEMPLATES = PACKAGE / "templates"
CATALOGUE = PACKAGE / "locale" / "id" / "LC_MESSAGES" / "django.po"

# Words that read the same in Indonesian and English, so may stand outside the tags.
SAME_IN_EVERY_LANGUAGE = {
    "Jejaring",  # the product's name
    "API",
    "NIK",  # Nomor Induk Kependudukan
    "NIP",  # Nomor Induk Pegawai (a civil servant's number, on the report's signature)
    "SPM",
    "IKM",  # Indeks Kepuasan Masyarakat (PermenPANRB 14/2017)
    "NRR",  # nilai rata-rata of a survey element (PermenPANRB 14/2017)
    "LKSA",
    "LKS",
    "PMKS",
    "PSKS",
    "Rp",  # rupiah
    "MoU",
    "PKS",
    "RT",  # Rukun Tetangga, the level below the village (and its number on an address)
    "RW",  # Rukun Warga
}
# Attributes whose text a person reads or a screen reader speaks.
SPOKEN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
SUBMIT_TYPES = ("submit", "button", "reset")
# Template blocks whose insides are not page text (translated, or never rendered).
SKIPPED_BLOCKS = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "comment": "endcomment",
    "verbatim": "endverbatim",
}
WORD = re.compile(r"[^\W\d_][\w'’-]*")


def template_files() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt"))


# A literal a variable or tag shows instead of a value: {{ x|default:"None" }}.
SHOWN_LITERAL = re.compile(r"""(?:\|(?:default|default_if_none|yesno):|firstof .*?)(["'])(.*?)\1""")


LITERALS_NOT_TEXT = {"id"}  # lang="{{ LANGUAGE_CODE|default:'id' }}": a language code


def shown_literals(source: str) -> list[tuple[int, str, str]]:
    """(line, where, text) of the literals in variables and ``firstof`` tags, which are
    printed as they are, outside any translation."""
    found = []
    for token in DebugLexer(source).tokenize():
        if token.token_type in (TokenType.VAR, TokenType.BLOCK) and "_(" not in token.contents:
            for match in SHOWN_LITERAL.finditer(token.contents):
                if match.group(2) in LITERALS_NOT_TEXT:
                    continue
                found.append((token.lineno, "literal in {{ }}", match.group(2)))
    return found


def text_outside_tags(source: str) -> str:
    """The template with every template tag and variable, and every translated or
    commented-out block, replaced by a space (newlines kept, so lines still count)."""
    parts: list[str] = []
    closing = None
    for token in DebugLexer(source).tokenize():
        start, end = token.position
        raw = source[start:end]
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if closing is None and name in SKIPPED_BLOCKS:
                closing = SKIPPED_BLOCKS[name]
            elif name == closing:
                closing = None
        if token.token_type == TokenType.TEXT and closing is None:
            parts.append(raw)
        else:
            parts.append(" " + "\n" * raw.count("\n"))
    return "".join(parts)


class _Reader(HTMLParser):
    """Collects (line, where, text) for every text node and spoken attribute."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []
        self.inside_code = None

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.inside_code = tag
        values = {name: value or "" for name, value in attrs}
        line = self.getpos()[0]
        for name in SPOKEN_ATTRIBUTES:
            if values.get(name, "").strip():
                self.found.append((line, f'{tag} {name}="…"', values[name]))
        if tag == "input" and values.get("type") in SUBMIT_TYPES and values.get("value"):
            self.found.append((line, "input value", values["value"]))

    def handle_endtag(self, tag):
        if tag == self.inside_code:
            self.inside_code = None

    def handle_data(self, data):
        if self.inside_code is None and data.strip():
            self.found.append((self.getpos()[0], "text", data))


def untranslated_text(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    reader = _Reader()
    reader.feed(text_outside_tags(source))
    reader.close()
    problems = []
    for line, where, text in sorted(reader.found + shown_literals(source)):
        words = [w for w in WORD.findall(text) if w not in SAME_IN_EVERY_LANGUAGE]
        if words:
            shown = " ".join(text.split())[:80]
            name = path.relative_to(PROJECT) if path.is_relative_to(PROJECT) else path.name
            problems.append(f"{name}:{line} {where}: {shown!r}")
    return problems


def test_the_reader_finds_text_outside_the_tags(tmp_path):
    """The check itself: it sees bare text and attributes, and leaves translated ones."""
    sample = tmp_path / "sample.html"
    sample.write_text(
        "{% load i18n %}<h1>{% translate 'Cases' %}</h1>\n"
        '<p title="Open">{{ count }} Jejaring</p>\n'
        "{% blocktranslate %}Nothing here{% endblocktranslate %}{# Note #}\n"
        '<a aria-label="{% translate "Menu" %}" href="#">Back</a>'
        '<input type="submit" value="Save"><button value="kept_apart">{% translate "Keep" %}'
        "</button><script>var text = 'not page text';</script>\n"
        '{{ name|default:"Unknown" }} {{ other|default:"—" }}\n',
        encoding="utf-8",
    )
    found = untranslated_text(sample)
    assert [line.split(" ", 1)[1] for line in found] == [
        "p title=\"…\": 'Open'",
        "input value: 'Save'",
        "text: 'Back'",
        "literal in {{ }}: 'Unknown'",
    ]


def test_no_text_is_left_outside_the_translation_tags():
    problems = [problem for path in template_files() for problem in untranslated_text(path)]
    assert not problems, (
        "Text outside {% translate %} in templates (wrap it, or add a word that reads the "
        "same in every language to SAME_IN_EVERY_LANGUAGE):\n" + "\n".join(problems)
    )


# --- The catalogue ---------------------------------------------------------------------

# msgstr identical to a msgid of two or more words, on purpose (Indonesian terms that
# are the English source too).
SAME_TEXT_ALLOWED = {
    "RT/RW",  # rukun tetangga / rukun warga
    "No. KK",  # nomor kartu keluarga
    "Bahasa Indonesia",  # the language's own name in the language menu
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
IGNORED_WHILE_COPYING = shutil.ignore_patterns("static", "__pycache__", "*.mo", "media")


def catalogue_from_the_code(workdir: Path) -> polib.POFile:
    """The catalogue makemessages would make today, run over a copy of the package so
    that the real one is never written."""
    copy = workdir / "project"
    shutil.copytree(PACKAGE, copy / "jejaring", ignore=IGNORED_WHILE_COPYING)
    # Settings of their own: LOCALE_PATHS must point into the copy.
    (copy / "copy_settings.py").write_text(
        "from jejaring.test_settings import *  # noqa\n"
        "from pathlib import Path\n"
        f"LOCALE_PATHS = [Path({str(copy / 'jejaring' / 'locale')!r})]\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(copy),
        "DJANGO_SETTINGS_MODULE": "copy_settings",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "id", "--no-obsolete", "-v", "0"],
        cwd=copy / "jejaring",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return polib.pofile(str(copy / "jejaring" / "locale" / "id" / "LC_MESSAGES" / "django.po"))


def where(entry: polib.POEntry) -> str:
    """Where the code uses a message (makemessages ran inside jejaring/)."""
    return (
        ", ".join(
            f"{'' if file.startswith('jejaring/') else 'jejaring/'}{file}:{line}"
            for file, line in entry.occurrences[:2]
        )
        or "?"
    )


@pytest.fixture(scope="module")
def merged(tmp_path_factory) -> polib.POFile:
    if not shutil.which("msgmerge"):
        # CI must never pass without this check (see .ci/run).
        missing = pytest.fail if os.environ.get("CI") == "true" else pytest.skip
        missing("gettext is required: apt-get install gettext")
    before = hashlib.sha256(CATALOGUE.read_bytes()).hexdigest()
    catalogue = catalogue_from_the_code(tmp_path_factory.mktemp("messages"))
    assert hashlib.sha256(CATALOGUE.read_bytes()).hexdigest() == before, "catalogue touched"
    return catalogue


def translated_by_django(entry: polib.POEntry) -> bool:
    """Whether Django's own Indonesian catalogues translate the message ("Yes", "No"…),
    as they do at run time for a message the project's catalogue lacks."""
    with translation.override("id"):
        if entry.msgid_plural:
            if entry.msgctxt:
                shown = translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
            else:
                shown = translation.ngettext(entry.msgid, entry.msgid_plural, 1)
        elif entry.msgctxt:
            shown = translation.pgettext(entry.msgctxt, entry.msgid)
        else:
            shown = translation.gettext(entry.msgid)
    return shown != entry.msgid


def untranslated(merged: polib.POFile) -> list[polib.POEntry]:
    real = {(e.msgctxt, e.msgid) for e in polib.pofile(str(CATALOGUE)) if e.translated()}
    return [
        entry
        for entry in merged
        if not entry.obsolete
        and (entry.msgctxt, entry.msgid) not in real
        and not translated_by_django(entry)
    ]


def test_every_message_in_use_has_an_indonesian_translation(merged: polib.POFile):
    missing = [
        f"{entry.msgid!r} ({where(entry)})"
        + (" — only a fuzzy guess" if "fuzzy" in entry.flags else "")
        for entry in untranslated(merged)
    ]
    assert not missing, (
        f"{len(missing)} messages have no Indonesian translation in {CATALOGUE.name} "
        "(append them there, with msgstr):\n" + "\n".join(missing)
    )


def test_the_catalogue_has_no_fuzzy_or_untranslated_english():
    problems = []
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        if not entry.msgstr and not entry.msgstr_plural:
            problems.append(f"empty: {entry.msgid!r}")
        if (
            entry.msgstr == entry.msgid
            and len(WORD.findall(PLACEHOLDER.sub(" ", entry.msgid))) >= 2
            and entry.msgid not in SAME_TEXT_ALLOWED
        ):
            problems.append(f"left in English: {entry.msgid!r}")
    assert not problems, "\n".join(problems)
