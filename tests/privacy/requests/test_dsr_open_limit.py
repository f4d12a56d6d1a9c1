"""One open data-subject request per kind per member (issue 15 item 7)."""

import pytest
from django.core import mail

from privacy.models import DataSubjectRequest
from privacy.requests import services as dsr
from profiles import services

pytestmark = pytest.mark.django_db

URL = "/api/v1/privacy/requests/"


def _api_headers(user) -> dict:
    _token, key = services.api_token_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_api_refuses_a_second_open_request_of_the_same_kind(client, member):
    headers = _api_headers(member)
    first = client.post(URL, {"kind": "access"}, **headers)
    assert first.status_code == 201
    sent = len(mail.outbox)
    again = client.post(URL, {"kind": "access"}, **headers)
    assert again.status_code == 400
    body = again.json()
    assert set(body) == {"detail", "errors"} and "kind" in body["errors"]
    assert len(mail.outbox) == sent  # nobody mailed, no deadline opened
    # Another kind is fine.
    assert client.post(URL, {"kind": "erasure"}, **headers).status_code == 201
    assert DataSubjectRequest.objects.filter(subject=member).count() == 2


def test_web_form_says_so_and_refuses_with_a_form_error(member_client, member):
    page = member_client.get("/privacy/requests/new/").content.decode()
    assert "one open request of each kind" in page
    assert (
        member_client.post("/privacy/requests/new/", {"kind": "objection"}).status_code
        == 302
    )
    again = member_client.post("/privacy/requests/new/", {"kind": "objection"})
    assert again.status_code == 400
    assert "kind" in again.context["form"].errors
    assert DataSubjectRequest.objects.filter(subject=member).count() == 1


def test_a_closed_request_allows_a_new_one_of_its_kind(member):
    first = dsr.dsr_submit(user=member, kind="rectification")
    DataSubjectRequest.objects.filter(pk=first.pk).update(
        status=DataSubjectRequest.Status.COMPLETED
    )
    second = dsr.dsr_submit(user=member, kind="rectification")
    assert second.pk != first.pk
