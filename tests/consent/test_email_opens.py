"""The open pixel records the first open of a mail, only while the member
allows e-mail tracking, and always answers the same 1x1 GIF."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from consent.email_views import PIXEL_GIF
from consent.mail import open_pixel_url
from consent.models import EmailOpen, Purpose
from consent.services import consent_record
from privacy.models import DataSubjectRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _set(user, purpose, granted: bool) -> None:
    consent_record(purpose=purpose, granted=granted, source="settings", user=user)


def _pixel(user, tag="mailing:7") -> str:
    return open_pixel_url(user=user, tag=tag).split("://", 1)[1].split("/", 1)[1]


def _open(client, path: str):
    response = client.get("/" + path.lstrip("/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response.content == PIXEL_GIF
    return response


def test_an_open_is_recorded_once_with_consent_and_nothing_about_the_device(client):
    member = UserFactory()
    _set(member, Purpose.EMAIL_TRACKING, True)
    path = _pixel(member)
    _open(client, path)
    first = EmailOpen.objects.get()
    _open(client, path)
    _open(client, _pixel(member, "mailing:8"))
    assert EmailOpen.objects.count() == 2
    first.refresh_from_db()
    assert (first.user, first.tag) == (member, "mailing:7")
    fields = {f.name for f in EmailOpen._meta.get_fields()}
    assert fields == {"id", "user", "tag", "opened_at"}


@pytest.mark.parametrize("state", ["never_asked", "withdrawn", "restricted", "closed"])
def test_no_open_is_recorded_without_a_current_grant(client, state):
    member = UserFactory()
    if state != "never_asked":
        _set(member, Purpose.EMAIL_TRACKING, True)
    path = _pixel(member)  # the mail was sent while tracking was allowed
    if state == "withdrawn":
        _set(member, Purpose.EMAIL_TRACKING, False)
    elif state == "restricted":
        DataSubjectRequest.objects.create(
            kind=DataSubjectRequest.Kind.RESTRICTION,
            subject=member,
            email=member.email,
            due_at=timezone.now(),
            restriction_applied_at=timezone.now(),
        )
    elif state == "closed":
        member.closed_at = timezone.now()
        member.save()
    _open(client, path)
    assert not EmailOpen.objects.exists()


def test_withdrawing_tracking_stops_recording(client):
    member = UserFactory()
    _set(member, Purpose.EMAIL_TRACKING, True)
    _open(client, _pixel(member, "mailing:1"))
    _set(member, Purpose.EMAIL_TRACKING, False)
    _open(client, _pixel(member, "mailing:2"))
    assert list(EmailOpen.objects.values_list("tag", flat=True)) == ["mailing:1"]


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "a" * 5000,
        "eyJ1IjoxfQ:1abc:forged",
        "%F0%9F%92%A9",
    ],
)
def test_a_bad_token_gets_the_gif_and_records_nothing(client, token):
    UserFactory()
    _open(client, f"/privacy/email/open/{token}/")
    assert not EmailOpen.objects.exists()


@pytest.mark.parametrize("token", ["%00", "abc%00def"])
def test_a_nul_byte_is_refused_before_the_view_never_a_500(client, token):
    """core's middleware answers 404 to a NUL in the path (PostgreSQL refuses
    NUL in text); the pixel view never sees it."""
    response = client.get(f"/privacy/email/open/{token}/")
    assert response.status_code == 404
    assert not EmailOpen.objects.exists()


def test_a_token_of_a_deleted_member_or_without_a_tag_records_nothing(client):
    member = UserFactory()
    _set(member, Purpose.EMAIL_TRACKING, True)
    untagged = _pixel(member, tag="")
    _open(client, untagged)
    gone = UserFactory()
    path = _pixel(gone)
    gone.delete()
    _open(client, path)
    assert not EmailOpen.objects.exists()


def test_the_pixel_url_is_the_named_route():
    member = UserFactory()
    assert _pixel(member).startswith(
        reverse("consent:email_open", kwargs={"token": "x"}).split("x/")[0].lstrip("/")
    )
