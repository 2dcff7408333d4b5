"""The persona matrix, generated from tests/personas/declarations.py (issue 13, item 5):
one test per declared model × persona × surface (page or API, list or detail)."""

import pytest
from django.apps import apps
from django.db import transaction

from tests.personas import PERSONAS, build_world, check
from tests.personas.declarations import DECLARATIONS, NOT_DECLARED


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The personas and one record per model, made once for the module inside a
    transaction that is rolled back at its end (each test nests in a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world(DECLARATIONS)
        transaction.set_rollback(True)


def cases():
    for declaration in DECLARATIONS:
        for surface in declaration.surfaces():
            for persona in PERSONAS:
                reason = declaration.known_wrong.get((persona, surface))
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                yield pytest.param(
                    declaration,
                    persona,
                    surface,
                    id=f"{declaration.name}-{surface}-{persona}".replace(" ", "_"),
                    marks=marks,
                )


@pytest.mark.parametrize(("declaration", "persona", "surface"), list(cases()))
def test_persona_gets_what_the_declaration_says(world, db, declaration, persona, surface):
    check(declaration, persona, surface, world)


def test_every_scoped_model_is_declared():
    # A model with a scope policy is declared (or says why not), so none is forgotten.
    scoped = {m._meta.label for m in apps.get_models() if hasattr(m, "scope_policy")}
    declared = {d.name.split(" ")[0] for d in DECLARATIONS}
    assert scoped - declared - set(NOT_DECLARED) == set()
    for label in NOT_DECLARED:
        apps.get_model(label)  # a real model, not a stale name
