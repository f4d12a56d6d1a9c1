"""A member's own access or portability request needs no staff: the export is
queued at once, the page polls its JSON status (owner only), says what
happens next and by when, and the "ready" mail goes out in the member's
language. Flagged requests (the volume rule) wait for staff."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format

from privacy.models import AuditEvent, DataSubjectRequest, ExportArchive
from privacy.requests import services as dsr
from privacy.requests.progress import dsr_next_step
from tests.factories import UserFactory
from tests.privacy.dsr_support import rich_member

pytestmark = pytest.mark.django_db

Kind = DataSubjectRequest.Kind
Status = DataSubjectRequest.Status


@pytest.fixture
def eager_celery():
    """Tasks run in-process (tests/integration uses a real worker)."""
    from worksome.celery import app

    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


def _status(client, request):
    return client.get(f"/privacy/requests/{request.pk}/status/")


@pytest.mark.parametrize("kind", ["access", "portability"])
def test_a_members_export_request_is_queued_without_staff(kind):
    member = UserFactory()
    request = dsr.dsr_submit(user=member, kind=kind)
    assert request.status == Status.IN_PROGRESS and not request.flagged_reason
    assert ExportArchive.objects.get(request=request).status == "pending"
    actions = set(
        AuditEvent.objects.filter(target_id=str(request.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"dsr.verified", "dsr.export_requested"} <= actions
    assert "dsr.flagged" not in actions


def test_the_fourth_export_in_30_days_is_flagged_and_waits_for_staff():
    member = UserFactory()
    for days_ago in (2, 10, 20):
        DataSubjectRequest.objects.create(
            kind=Kind.ACCESS,
            subject=member,
            email=member.email,
            received_at=timezone.now() - dt.timedelta(days=days_ago),
            due_at=timezone.now(),
            status=Status.COMPLETED,
        )
    request = dsr.dsr_submit(user=member, kind="portability")
    assert request.flagged_reason == DataSubjectRequest.Flag.VOLUME
    assert request.status == Status.VERIFIED
    assert not ExportArchive.objects.filter(request=request).exists()
    assert AuditEvent.objects.filter(
        action="dsr.flagged", target_id=str(request.pk)
    ).exists()
    client = Client()
    client.force_login(member)
    assert "staff checks this request" in _status(client, request).json()["next_step"]


def test_exports_older_than_30_days_do_not_flag():
    member = UserFactory()
    for days_ago in (31, 40, 60):
        DataSubjectRequest.objects.create(
            kind=Kind.ACCESS,
            subject=member,
            email=member.email,
            received_at=timezone.now() - dt.timedelta(days=days_ago),
            due_at=timezone.now(),
            status=Status.COMPLETED,
        )
    assert not dsr.dsr_submit(user=member, kind="access").flagged_reason


def test_other_kinds_are_never_flagged_nor_exported():
    member = UserFactory()
    request = dsr.dsr_submit(user=member, kind="erasure")
    assert request.status == Status.VERIFIED and not request.flagged_reason
    assert not ExportArchive.objects.exists()


def test_status_json_is_the_owners_only():
    owner, other = UserFactory(), UserFactory()
    request = dsr.dsr_submit(user=owner, kind="access")
    client = Client()
    client.force_login(owner)
    response = _status(client, request)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["id"] == request.pk and body["status"] == "in_progress"
    assert body["export"] == {"phase": "queued", "progress": 0, "download_url": None}
    assert body["final"] is False and "queued" in body["next_step"]
    client.force_login(other)
    assert _status(client, request).status_code == 404
    assert client.get("/privacy/requests/999999/status/").status_code == 404
    assert client.get("/privacy/requests/abc/status/").status_code == 404
    assert client.post(f"/privacy/requests/{request.pk}/status/").status_code == 405
    anonymous = _status(Client(), request)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_status_json_follows_the_build_to_ready(
    eager_celery, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    zelda = rich_member("zelda", files=False)
    client = Client()
    client.force_login(zelda.user)
    with django_capture_on_commit_callbacks(execute=True):
        request = dsr.dsr_submit(user=zelda.user, kind="access", base_url="http://t/")
    with django_assert_max_num_queries(12):
        body = _status(client, request).json()
    assert body["status"] == "completed" and body["final"] is True
    assert body["export"]["phase"] == "ready"
    assert body["export"]["download_url"] == (
        f"/privacy/requests/{request.pk}/download/"
    )
    assert client.get(body["export"]["download_url"]).status_code == 200


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_ready_mail_goes_out_in_the_members_language(
    language, eager_celery, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "http://t"
    zelda = rich_member("zelda", files=False)
    zelda.user.language = language
    zelda.user.save(update_fields=["language"])
    mail.outbox.clear()
    # Filed from an English page: the mail still follows the member's language.
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        request = dsr.dsr_submit(user=zelda.user, kind="access", base_url="http://t/")
    archive = ExportArchive.objects.get(request=request)
    [message] = [m for m in mail.outbox if "/privacy/exports/" in m.body]
    assert message.to == [zelda.user.email]
    assert message.extra_headers["X-Mail-Kind"] == "service"
    html = message.alternatives[0][0]
    assert f'<html lang="{language}">' in html
    expires = timezone.localtime(archive.expires_at)
    with translation.override(language):
        assert date_format(expires, "DATE_FORMAT") in message.body


def test_every_kind_and_state_says_what_happens_next():
    member = UserFactory()
    client = Client()
    client.force_login(member)
    for kind in Kind.values:
        for status in Status.values:
            request = DataSubjectRequest.objects.create(
                kind=kind,
                subject=member,
                email=member.email,
                due_at=timezone.now() + dt.timedelta(days=20),
                status=status,
                completed_at=timezone.now() if status == "completed" else None,
            )
            text = dsr_next_step(request)
            assert text, (kind, status)
            if status in ("verified", "in_progress"):
                due = timezone.localtime(request.effective_due_at)
                assert date_format(due, "DATE_FORMAT") in text, (kind, status)
            page = client.get(f"/privacy/requests/{request.pk}/")
            assert page.status_code == 200
            assert text in page.content.decode().replace("&#x27;", "'")


def test_the_staff_digest_lists_flagged_requests(django_capture_on_commit_callbacks):
    from privacy.requests import notices
    from tests.privacy.dsr_support import staff

    viewer = staff()
    member = UserFactory()
    request = dsr.dsr_submit(user=member, kind="access")
    DataSubjectRequest.objects.filter(pk=request.pk).update(
        flagged_reason=DataSubjectRequest.Flag.VOLUME
    )
    mail.outbox.clear()
    assert notices.dsr_digest_send() == 1
    [message] = mail.outbox
    assert message.to == [viewer.email]
    assert "Flagged for staff" in message.body and f"#{request.pk}" in message.body
