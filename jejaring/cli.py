"""The `jejaring` console command: Django's manage.py under the product's name.

`jejaring migrate`, `jejaring demo`, `jejaring load_regions`, `jejaring token USERNAME`…

Before Django loads anything the translation catalogues are compiled, so every command
speaks Indonesian from the first run. A configuration that is missing or wrong (no
SECRET_KEY with DEBUG off, an unreadable *_FILE, no ALLOWED_HOSTS for the server, a
database that cannot be used) ends in one translated line and exit status 2, not in a
traceback; `--traceback` still shows it.
"""

import contextlib
import gettext
import os
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
LOCALE_DIR = PACKAGE_DIR / "locale"
# The product's language (settings.LANGUAGE_CODE); the command line has no request to ask.
CLI_LANGUAGE = "id"
EXIT_CONFIGURATION = 2
# The commands that answer HTTP, and so need ALLOWED_HOSTS when DEBUG is off.
SERVERS = (["runserver"], ["serve"])


def gettext_noop(message: str) -> str:
    """Marks a msgid for `make messages` (the name is what xgettext looks for). Django's own
    needs the settings, and these messages say what is wrong with them."""
    return message


ALLOWED_HOSTS_MISSING = gettext_noop(
    "ALLOWED_HOSTS is not set, so with DEBUG off the server would answer no address. "
    "Set it, e.g. ALLOWED_HOSTS=127.0.0.1,localhost."
)
DATABASE_UNUSABLE = gettext_noop(
    "The database cannot be used (%(reason)s). Check DATABASE_URL, and run `jejaring setup` "
    "on a new database."
)
CONFIGURATION_WRONG = gettext_noop("The configuration is incomplete: %(reason)s")


class ConfigurationMissing(ImproperlyConfigured):
    """A setting that is missing or unusable. ``msgid`` is an entry of the catalogue
    (English, with %(name)s placeholders filled from ``params``) so that the command line
    can print it in the user's language before Django's translation machinery exists."""

    def __init__(self, msgid: str, **params: str):
        self.msgid = msgid
        self.params = params
        super().__init__(msgid % params if params else msgid)


def compile_messages() -> int:
    """Compile .po catalogues to .mo with polib (no GNU gettext needed on the machine).

    Needs no Django settings, so it runs before anything loads a translation catalogue
    (catalogues are cached for the life of the process): the command line and the test
    suite (tests/conftest.py) call it first. Returns how many it compiled.
    """
    import polib

    compiled = 0
    for po_path in LOCALE_DIR.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            # Written aside and renamed: a process reading the catalogue meanwhile (a test
            # worker, the server) sees the old file or the new one, never half of one.
            partial = mo_path.with_suffix(f".mo.{os.getpid()}")
            polib.pofile(str(po_path)).save_as_mofile(str(partial))
            os.replace(partial, mo_path)
            compiled += 1
    return compiled


def translate(msgid: str, params: dict | None = None) -> str:
    """The msgid in the command line's language, straight from the compiled catalogue."""
    catalogue = gettext.translation(
        "django", localedir=str(LOCALE_DIR), languages=[CLI_LANGUAGE], fallback=True
    )
    text = catalogue.gettext(msgid)
    return text % params if params else text


def explain(exc: BaseException) -> str:
    """One line saying what is wrong with the configuration, translated."""
    if isinstance(exc, ConfigurationMissing):
        return translate(exc.msgid, exc.params)
    reason = " ".join(str(exc).split()) or exc.__class__.__name__
    if isinstance(exc, ImproperlyConfigured):
        return translate(CONFIGURATION_WRONG, {"reason": reason})
    return translate(DATABASE_UNUSABLE, {"reason": reason})


def _check_configuration(argv: list[str]) -> None:
    """Load the settings now, so a missing one is reported before any command starts."""
    from django.conf import settings

    settings.INSTALLED_APPS  # noqa: B018 — loading the settings module is the check
    if argv[:1] in SERVERS and not settings.DEBUG and not settings.ALLOWED_HOSTS:
        raise ConfigurationMissing(ALLOWED_HOSTS_MISSING)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jejaring.settings")
    argv = sys.argv[1:]
    # An installed, read-only package ships its compiled catalogues.
    with contextlib.suppress(OSError):
        compile_messages()
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        _check_configuration(argv)
        execute_from_command_line(["jejaring", *argv])
    except (ImproperlyConfigured, OperationalError) as exc:
        if "--traceback" in argv:
            raise
        sys.stderr.write(f"jejaring: {explain(exc)}\n")
        sys.exit(EXIT_CONFIGURATION)


if __name__ == "__main__":
    main()
