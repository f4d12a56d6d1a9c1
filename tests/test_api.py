import pytest


@pytest.mark.django_db
def test_api_root_lists_endpoints(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response.json()["me"].endswith("/api/v1/me/")


@pytest.mark.django_db
def test_me_needs_login_and_answers_json(client):
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "errors": {},
    }


def test_me_returns_the_members_own_account(member_client, member):
    response = member_client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["email"] == member.email


@pytest.mark.django_db
def test_me_refuses_writes(member_client):
    response = member_client.post("/api/v1/me/", {"email": "x@example.com"})
    assert response.status_code == 405


@pytest.mark.django_db
def test_openapi_schema_and_docs_are_served_offline(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/me/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_validation_errors_have_the_stable_shape():
    from rest_framework import serializers
    from rest_framework.exceptions import ValidationError

    from core.api import exception_handler

    class S(serializers.Serializer):
        email = serializers.EmailField()

    serializer = S(data={"email": "nope"})
    assert not serializer.is_valid()
    response = exception_handler(ValidationError(serializer.errors), {})
    assert response.status_code == 400
    assert response.data["detail"] == "Invalid input."
    assert list(response.data["errors"]) == ["email"]
