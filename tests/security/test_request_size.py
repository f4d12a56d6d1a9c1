"""Bodies far over any upload cap are refused before Django parses them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.profiles import upload_corpus as corpus

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def test_an_oversized_upload_is_413_and_stores_nothing(client, freelancer):
    client.force_login(freelancer.user)
    big = SimpleUploadedFile("cv.pdf", b"%PDF-" + b"0" * (13 * MB), "application/pdf")
    response = client.post("/dashboard/profile/cv/", {"cv": big})
    assert response.status_code == 413
    freelancer.refresh_from_db()
    assert not freelancer.cv


def test_an_oversized_api_request_is_413_json(client, freelancer):
    client.force_login(freelancer.user)
    big = SimpleUploadedFile("p.jpg", b"\xff\xd8" + b"0" * (13 * MB), "image/jpeg")
    response = client.post(
        "/api/v1/me/profile/photo/", {"photo": big, "consent": "true"}
    )
    assert response.status_code == 413
    assert response.json()["errors"] == {}


def test_an_upload_under_the_request_cap_gets_the_upload_check(client, freelancer):
    client.force_login(freelancer.user)
    response = client.post("/dashboard/profile/cv/", {"cv": corpus.oversized_pdf_cv()})
    assert response.status_code == 200
    assert response.context["form"].errors["cv"]
