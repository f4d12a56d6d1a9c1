"""/api/v1/privacy/requests/: own requests only, errors in the project's shape."""

from privacy.models import DataSubjectRequest
from privacy.requests import services as dsr
from profiles.services import api_token_create
from tests.factories import UserFactory

URL = "/api/v1/privacy/requests/"


def _auth(user) -> dict:
    _token, key = api_token_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_member_files_and_lists_requests(client, member):
    response = client.post(
        URL, {"kind": "access", "details": "Everything"}, **_auth(member)
    )
    assert response.status_code == 201
    body = response.json()
    # Verified by the token's member; the export is queued without staff.
    assert body["kind"] == "access" and body["status"] == "in_progress"
    assert body["due_at"] and body["url"].endswith(f"{URL}{body['id']}/")
    listed = client.get(URL, **_auth(member)).json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    detail = client.get(f"{URL}{body['id']}/", **_auth(member)).json()
    assert detail["details"] == "Everything"


def test_someone_elses_request_is_a_404(client, member):
    other = dsr.dsr_submit(user=UserFactory(), kind="erasure")
    response = client.get(f"{URL}{other.pk}/", **_auth(member))
    assert response.status_code == 404
    assert set(response.json()) == {"detail", "errors"}
    assert response.json()["errors"] == {}
    assert other.pk not in [
        r["id"] for r in client.get(URL, **_auth(member)).json()["results"]
    ]


def test_unknown_kind_is_a_400_in_the_error_shape_and_stores_nothing(client, member):
    response = client.post(URL, {"kind": "everything"}, **_auth(member))
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Invalid input." and "kind" in body["errors"]
    assert not DataSubjectRequest.objects.exists()


def test_too_long_details_are_a_400(client, member):
    response = client.post(
        URL, {"kind": "access", "details": "x" * 5001}, **_auth(member)
    )
    assert response.status_code == 400 and "details" in response.json()["errors"]
    assert not DataSubjectRequest.objects.exists()


def test_anonymous_callers_are_refused(client, db):
    assert client.get(URL).status_code in (401, 403)
    assert client.post(URL, {"kind": "access"}).status_code in (401, 403)
    assert not DataSubjectRequest.objects.exists()


def test_schema_documents_the_endpoints(client, db):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/privacy/requests/{id}/" in schema
    assert "File a privacy request" in schema
