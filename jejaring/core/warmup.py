"""What a server process does once, before its first request, instead of during it.

Django imports the URLconf — every view and API module, ninja building a pydantic model per
endpoint — on the first request a process serves, compiles each template on its first
render and loads a language's catalogues on its first use. That first request then takes
0.5–1 s. A gunicorn worker is replaced every ``max_requests`` (jejaring/gunicorn_conf.py), so
under load such first requests are not rare: in benchmarks/load.py they were the slow tail of
every page (p95 0.3–0.9 s at a median of 15–60 ms). ``jejaring/wsgi.py`` calls
:func:`warm_up` as the worker loads the application, before it accepts a connection.

Nothing here reads the database: a worker must start while PostgreSQL is still starting or
away (``/healthz`` answers, ``/readyz`` says what is missing)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

logger = logging.getLogger(__name__)


def template_names(engine) -> list[str]:
    """Every template the engine's loaders can find: its DIRS and each app's templates/."""
    from django.template.loaders.app_directories import get_app_template_dirs

    roots = [Path(d) for d in engine.dirs]
    if engine.app_dirs:
        roots += [Path(d) for d in get_app_template_dirs("templates")]
    names = set()
    for root in roots:
        if root.is_dir():
            names.update(
                path.relative_to(root).as_posix()
                for path in root.rglob("*")
                if path.is_file() and path.suffix in {".html", ".txt", ".xml", ".ics"}
            )
    return sorted(names)


def warm_up() -> dict[str, float]:
    """Import the URLconf, compile every template, load every language's catalogue.
    Returns the seconds each step took (logged at INFO)."""
    from django.conf import settings
    from django.template import TemplateSyntaxError, engines
    from django.urls import get_resolver
    from django.utils import translation

    took = {}
    started = time.perf_counter()
    get_resolver().url_patterns  # noqa: B018 — imports every view and API module
    took["urls"] = time.perf_counter() - started

    started = time.perf_counter()
    for engine in engines.all():
        django_engine = getattr(engine, "engine", None)
        if django_engine is None:
            continue
        for name in template_names(django_engine):
            try:
                django_engine.get_template(name)  # cached by the cached loader
            except TemplateSyntaxError:
                # A template meant to be included with its own libraries, or a
                # third-party one that fails standalone: it compiles on first use instead.
                logger.debug("warm-up: template %s did not compile standalone", name)
    took["templates"] = time.perf_counter() - started

    started = time.perf_counter()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Home")
    took["languages"] = time.perf_counter() - started
    logger.info(
        "warm-up: URLconf %.2f s, templates %.2f s, languages %.2f s",
        took["urls"],
        took["templates"],
        took["languages"],
    )
    return took
