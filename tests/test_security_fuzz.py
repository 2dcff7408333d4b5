"""Schemathesis over every API operation, for a case worker and a data officer (issue 12).

Property: whatever the input, the API answers a 2xx, 3xx or 4xx — never a server error —
and what it answers matches the documented response schema.
The run is bounded and reproducible (a fixed seed, derandomized, a few examples per
operation) so it fits in the PostgreSQL pass of CI; every example is rolled back to a
savepoint afterwards, so one example's writes cannot hide or cause another's failure.

The requests go in-process through Django's WSGI handler on the test database's
connection, as the test client's requests do.
"""

import traceback

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from jejaring.core.api import api
from tests.test_security_leak_matrix import PATH_MODELS

PERSONAS = ["petugas.pekanbaru", "data.pekanbaru"]
MAX_EXAMPLES = 12
# Server errors are what must never happen; a 2xx body must also match the documented
# schema, so that clients generated from /api/v1/openapi.json keep working.
CHECKS = [not_a_server_error, response_schema_conformance]

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 12,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        # Coverage cases run in the hundreds per operation; the bounded CI run keeps the
        # schema's own examples and the random (but seeded) fuzzing phase.
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)

# Django's own handler, so every middleware a real request meets is on the path.
application = WSGIHandler()
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)
schema.app = application

_known_ids: dict = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the ids name a real record (in scope or not), so that the fuzzer reaches the
    code behind the lookup instead of meeting 404 at every turn."""
    choices = {}
    for name, value in (path_parameters or {}).items():
        model = PATH_MODELS.get(name)
        if model is None or not isinstance(value, int):
            continue
        if model not in _known_ids:
            _known_ids[model] = list(model.objects.order_by("pk").values_list("pk", flat=True))
        if _known_ids[model]:
            choices[name] = st.sampled_from(_known_ids[model])
    if not choices:
        return st.just(path_parameters)
    real = st.fixed_dictionaries(choices).map(lambda ids: {**path_parameters, **ids})
    return st.one_of(st.just(path_parameters), real)


@pytest.fixture
def fuzz_client(db, settings, bearer, persona):
    """Headers for ``persona`` and a recorder of server-side tracebacks."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    errors: list[str] = []

    def record(sender, request=None, **kwargs):
        errors.append(traceback.format_exc())

    # As Django's test client does: the handler would otherwise close the connection
    # that holds the test's transaction at the end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    signals.got_request_exception.connect(record)
    try:
        token = bearer(persona)["HTTP_AUTHORIZATION"]
        yield {"Authorization": token}, errors
    finally:
        signals.got_request_exception.disconnect(record)
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.slow  # ~60 s: 300 generated cases
@pytest.mark.fuzz
@pytest.mark.parametrize("persona", PERSONAS)
@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_no_server_error(case, persona, fuzz_client):
    headers, errors = fuzz_client
    savepoint = transaction.savepoint()
    try:
        del errors[:]
        response = case.call(headers=headers)
        if errors:
            # The server-side traceback says more than the 500 the check reports.
            pytest.fail(f"{case.as_curl_command()}\n\n{''.join(errors)}")
        case.validate_response(response, checks=CHECKS)
    finally:
        transaction.savepoint_rollback(savepoint)
