"""GET/POST /api/v1/consents/ for the current user or visitor."""

import json

import pytest
from django.conf import settings as django_settings
from django.test import Client

from consent import selectors
from consent.models import ConsentRecord, Purpose

pytestmark = pytest.mark.usefixtures("catalogue")

URL = "/api/v1/consents/"
VISITOR = django_settings.CONSENT_VISITOR_COOKIE_NAME


def _post(client, data, **extra):
    return client.post(URL, json.dumps(data), content_type="application/json", **extra)


def test_a_new_visitor_has_no_consents(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == {"subject": None, "consents": []}


def test_a_visitor_gives_and_reads_a_cookie_consent(client):
    response = _post(client, {"purpose": "cookies_analytics", "granted": True})
    assert response.status_code == 201
    body = response.json()
    assert body["purpose"] == "cookies_analytics"
    assert body["granted"] is True and body["valid"] is True
    assert body["source"] == "api"
    assert len(body["version"]) == 64 and body["policy_version"] == "1"
    visitor_id = response.cookies[VISITOR].value
    assert selectors.cookie_choices(visitor_id=visitor_id)["analytics"] is True
    listing = client.get(URL).json()
    assert listing["subject"] == "visitor"
    assert [c["purpose"] for c in listing["consents"]] == ["cookies_analytics"]


def test_a_member_gives_and_withdraws_photo_consent(member_client, member):
    response = _post(
        member_client,
        {"purpose": "profile_photo", "granted": True, "shown_text": "Publish it."},
    )
    assert response.status_code == 201
    assert response.json()["text"] == "Publish it."
    assert selectors.consent_is_granted(purpose=Purpose.PROFILE_PHOTO, user=member)
    _post(member_client, {"purpose": "profile_photo", "granted": False})
    assert not selectors.consent_is_granted(purpose=Purpose.PROFILE_PHOTO, user=member)
    listing = member_client.get(URL).json()
    assert listing["subject"] == "user"
    assert listing["consents"][0]["granted"] is False


def test_invalid_input_gives_field_errors(client):
    response = _post(client, {"purpose": "cookies_spyware"})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Invalid input."
    assert set(body["errors"]) == {"purpose", "granted"}
    assert not ConsentRecord.objects.exists()


def test_purposes_other_than_cookies_need_a_login(client):
    response = _post(client, {"purpose": "marketing_email", "granted": True})
    assert response.status_code == 400
    assert "purpose" in response.json()["errors"]
    assert not ConsentRecord.objects.exists()


def test_a_forged_post_without_csrf_is_refused_logged_out_too(db, member):
    anonymous = Client(enforce_csrf_checks=True)
    response = _post(anonymous, {"purpose": "cookies_analytics", "granted": True})
    assert response.status_code == 403
    assert response.json()["errors"] == {}
    logged_in = Client(enforce_csrf_checks=True)
    logged_in.force_login(member)
    response = _post(logged_in, {"purpose": "marketing_email", "granted": True})
    assert response.status_code == 403
    assert not ConsentRecord.objects.exists()


def test_a_post_with_the_csrf_header_works(db):
    client = Client(enforce_csrf_checks=True)
    client.get("/cookies/")
    token = client.cookies["csrftoken"].value
    response = _post(
        client,
        {"purpose": "cookies_marketing", "granted": False},
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201


def test_a_one_megabyte_body_is_refused(client):
    response = _post(
        client,
        {
            "purpose": "cookies_analytics",
            "granted": True,
            "shown_text": "x" * 1_000_000,
        },
    )
    assert response.status_code == 413
    assert response.json()["errors"] == {}
    assert not ConsentRecord.objects.exists()


def test_the_endpoint_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/consents/" in schema
    assert "ConsentInput" in schema


def test_a_visitors_refusal_over_the_api_sets_no_unique_id(client):
    response = _post(client, {"purpose": "cookies_marketing", "granted": False})
    assert response.status_code == 201
    assert VISITOR not in response.cookies
    assert response.cookies["cookie_consent"].value == "marketing=-1"
    # Remembered without an id: the browser's choice reads as a refusal.
    assert "marketing=-1" in client.get("/").wsgi_request.COOKIES["cookie_consent"]
