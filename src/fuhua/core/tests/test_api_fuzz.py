"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis), as the
platform administrator: whatever it is sent, the API answers without a server error, with a status
the schema documents, the documented content type and a body that matches the documented schema.

Bounded (15 examples per operation, examples and fuzzing phases) so that it runs with the normal
suite in well under a minute. For a deeper run add the boundary-value phase:

    FUHUA_FUZZ_PHASES=examples,fuzzing,coverage .venv/bin/python -m pytest src/fuhua/core/tests/test_api_fuzz.py
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from fuhua.accounts.models import ApiToken
from fuhua.api import api

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
schema.app = get_wsgi_application()  # in-process: same thread, same test database transaction
schema.config.phases.update(phases=os.environ.get("FUHUA_FUZZ_PHASES", "examples,fuzzing").split(","))

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Requests go straight to the WSGI handler, whose start/finish signals close connections that
    # are not in autocommit mode: on PostgreSQL that is the test's own transaction. Django's test
    # client disconnects the same handler for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_headers(world):
    return {"Authorization": f"Bearer {ApiToken.issue(world.users.admin, 'fuzz')[1]}"}


@pytest.mark.fuzz
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_survives_fuzzing(case, admin_headers):
    case.call_and_validate(headers=admin_headers, checks=CHECKS)
