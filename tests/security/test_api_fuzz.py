"""API fuzzing with schemathesis against /api/schema/, in process (WSGI).

Every operation, anonymous and authenticated as a member (API token), with the
demo data loaded (``seed_demo``), a fixed, derandomized generation and a
bounded number of examples so the whole file runs in about two minutes: no
response may be a 5xx, and every documented response must match its schema.
"""

import io

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from profiles.services import api_token_create
from tests.factories import FreelancerProfileFactory, UserFactory

MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


# The schema as the running app serves it (generating it needs no database).
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def _keep_test_connection():
    """Calls through the WSGI app run inside the test's transaction: like
    Django's test client, do not close the connection at the end of a request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["anonymous", "token"])
def auth_headers(
    request, db, settings, catalogue, _keep_test_connection
) -> dict[str, str]:
    # Fuzzing is not a flood: keep the consent and CPR limits out of the way.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "consent": (100_000, 60)}
    settings.CPR_CHANGE_RATE_LIMIT = (100_000, 60)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=io.StringIO())
    FreelancerProfileFactory(slug="public-one", skills=["Django"])
    if request.param == "anonymous":
        return {}
    member = UserFactory()
    FreelancerProfileFactory(user=member, published=False)
    return {"Authorization": f"Token {api_token_create(user=member)[1]}"}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_operation_never_errors_and_matches_its_schema(case, auth_headers):
    case.call_and_validate(headers=auth_headers, checks=CHECKS)


def test_unmatched_api_path_answers_json(client):
    response = client.get("/api/v1/privacy/requests/null,null/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}
    assert client.get("/no-such-page/")["Content-Type"].startswith("text/html")
