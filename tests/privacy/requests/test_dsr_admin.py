"""Each kind end to end over HTTP: intake -> admin action (the admin's own URLs)
-> what the member sees. Plus the queue's filters and permissions."""

import datetime as dt
import io
import json
import re
import zipfile

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from consent.models import Purpose
from consent.selectors import consent_is_granted, marketing_is_suppressed
from privacy.models import AuditEvent, DataSubjectRequest
from profiles.models import FreelancerProfile, User
from tests.factories import PASSWORD
from tests.privacy.dsr_support import ALL_PERMS, recipient_company, rich_member, staff

CHANGELIST = "/admin/privacy/datasubjectrequest/"


@pytest.fixture
def eager_celery():
    from worksome.celery import app

    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(staff(*ALL_PERMS))
    return client


def _file(client, user, kind, details="") -> DataSubjectRequest:
    client.force_login(user)
    response = client.post("/privacy/requests/new/", {"kind": kind, "details": details})
    assert response.status_code == 302
    return DataSubjectRequest.objects.get(subject=user, kind=kind)


def _act(admin_client, action, request, **extra):
    return admin_client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [request.pk], **extra},
        follow=True,
    )


def _status_page(client, request) -> str:
    return client.get(f"/privacy/requests/{request.pk}/").content.decode()


def test_access_end_to_end(
    client, admin_client, eager_celery, django_capture_on_commit_callbacks
):
    zelda = rich_member("zelda")
    request = _file(client, zelda.user, "access")
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(admin_client, "build_export", request)
    assert response.status_code == 200
    page = _status_page(client, request)
    assert "Completed" in page and "Download your data (ZIP)" in page
    download = client.get(f"/privacy/requests/{request.pk}/download/")
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    data = json.loads(archive.read("data.json"))
    assert data["data"]["profiles.User"][0]["email"] == zelda.strings["email"]


def test_portability_end_to_end(
    client, admin_client, eager_celery, django_capture_on_commit_callbacks
):
    zelda = rich_member("zelda", files=False)
    request = _file(client, zelda.user, "portability")
    with django_capture_on_commit_callbacks(execute=True):
        _act(admin_client, "build_export", request)
    download = client.get(f"/privacy/requests/{request.pk}/download/")
    assert download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert "profiles.FreelancerProfile" in json.loads(archive.read("data.json"))["data"]


def test_rectification_end_to_end(
    client, admin_client, django_capture_on_commit_callbacks
):
    recipient = recipient_company()
    zelda = rich_member("zelda", recipient=recipient, files=False)
    request = _file(client, zelda.user, "rectification", "My city is Ærøskøbing")
    _act(admin_client, "start", request)
    # Staff apply the change through the profile admin (the profile services).
    profile = FreelancerProfile.objects.get(pk=zelda.profile.pk)
    from profiles.services import freelancer_profile_update

    freelancer_profile_update(
        profile=profile,
        actor=User.objects.filter(is_staff=True).first(),
        data={"city": "Ærøskøbing"},
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _act(admin_client, "complete", request)
    page = _status_page(client, request)
    assert "Completed" in page and recipient["company"].name in page
    assert recipient["company"].contact_email in [m.to[0] for m in mail.outbox]


def test_erasure_end_to_end(client, admin_client, django_capture_on_commit_callbacks):
    zelda = rich_member("zelda")
    request = _file(client, zelda.user, "erasure")
    before = Client()
    before.post(
        "/accounts/login/", {"login": zelda.strings["email"], "password": PASSWORD}
    )
    assert before.get("/dashboard/").status_code == 200
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(admin_client, "execute_erasure", request)
    assert b"Execute erasure: 1 request." in response.content
    # The member is logged out and cannot log in again.
    assert client.get(f"/privacy/requests/{request.pk}/").status_code == 302
    login = Client()
    login.post(
        "/accounts/login/", {"login": zelda.strings["email"], "password": PASSWORD}
    )
    assert login.get("/dashboard/").status_code == 302
    assert not User.objects.filter(email=zelda.strings["email"]).exists()
    request.refresh_from_db()
    assert request.status == "completed"
    # The reply still reaches the address the erasure removed.
    done = [m for m in mail.outbox if "complete" in m.subject]
    assert done[0].to == [zelda.strings["email"]]
    assert "erased" in done[0].body


def test_restriction_end_to_end(
    client, admin_client, django_capture_on_commit_callbacks
):
    zelda = rich_member("zelda", files=False)
    FreelancerProfile.objects.filter(pk=zelda.profile.pk).update(
        published_at=timezone.now()
    )
    request = _file(client, zelda.user, "restriction")
    with django_capture_on_commit_callbacks(execute=True):
        _act(admin_client, "apply_restriction", request)
    page = _status_page(client, request)
    assert "Processing of your data is restricted" in page
    assert Client().get(f"/freelancers/{zelda.profile.slug}/").status_code == 404
    # Lifting: the member is told first; lifting before that is refused.
    response = _act(admin_client, "lift_restriction", request)
    assert b"Tell the member first" in response.content
    _act(admin_client, "notify_restriction_lift", request)
    _act(admin_client, "lift_restriction", request)
    assert Client().get(f"/freelancers/{zelda.profile.slug}/").status_code == 200


def test_objection_end_to_end(client, admin_client, django_capture_on_commit_callbacks):
    zelda = rich_member("zelda", files=False)
    with django_capture_on_commit_callbacks(execute=True):
        request = _file(client, zelda.user, "objection")
    # At once, before any staff action.
    assert marketing_is_suppressed(email=zelda.strings["email"])
    assert not consent_is_granted(purpose=Purpose.MARKETING_EMAIL, user=zelda.user)
    _act(admin_client, "complete", request)
    assert "Completed" in _status_page(client, request)


def test_consent_withdrawal_end_to_end(
    client, admin_client, django_capture_on_commit_callbacks
):
    zelda = rich_member("zelda", files=False)
    with django_capture_on_commit_callbacks(execute=True):
        request = _file(client, zelda.user, "consent_withdrawal")
    assert not consent_is_granted(purpose=Purpose.MARKETING_EMAIL, user=zelda.user)
    _act(admin_client, "complete", request)
    assert "Completed" in _status_page(client, request)


def test_anonymous_request_verified_by_staff_then_completed(
    client, admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/privacy/requests/new/",
            {"email": "stranger@example.com", "kind": "access"},
        )
    request = DataSubjectRequest.objects.get()
    _act(admin_client, "verify", request)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _act(admin_client, "complete", request)
    request.refresh_from_db()
    assert request.status == "completed"
    assert "no account" in mail.outbox[0].body


def test_reject_without_a_reason_shows_the_form_and_changes_nothing(
    client, admin_client
):
    zelda = rich_member("zelda", files=False)
    request = _file(client, zelda.user, "erasure")
    page = _act(admin_client, "reject", request)
    assert page.status_code == 200 and b'name="reason"' in page.content
    refused = _act(admin_client, "reject", request, apply="1", reason="")
    assert refused.status_code == 400
    request.refresh_from_db()
    assert request.status == "verified"
    _act(admin_client, "reject", request, apply="1", reason="Identity unclear")
    request.refresh_from_db()
    assert request.status == "rejected"
    assert "Identity unclear" in _status_page(client, request)


def test_extend_without_a_reason_changes_nothing(client, admin_client):
    zelda = rich_member("zelda", files=False)
    request = _file(client, zelda.user, "access")
    refused = _act(admin_client, "extend", request, apply="1", months="1", reason="")
    assert refused.status_code == 400
    request.refresh_from_db()
    assert request.extended_due_at is None
    bad = _act(admin_client, "extend", request, apply="1", months="5", reason="x")
    assert bad.status_code == 400
    _act(admin_client, "extend", request, apply="1", months="2", reason="Many files")
    request.refresh_from_db()
    assert request.extended_due_at is not None
    assert "Many files" in _status_page(client, request)


def test_queue_filters_overdue_and_due_this_week(client, admin_client):
    zelda = rich_member("zelda", files=False)
    overdue = _file(client, zelda.user, "access")
    soon = _file(client, zelda.user, "erasure")
    later = _file(client, zelda.user, "objection")
    now = timezone.now()
    DataSubjectRequest.objects.filter(pk=overdue.pk).update(
        due_at=now - dt.timedelta(days=2)
    )
    DataSubjectRequest.objects.filter(pk=soon.pk).update(
        due_at=now + dt.timedelta(days=3)
    )

    def ids(query):
        html = admin_client.get(CHANGELIST + query).content.decode()
        return set(map(int, re.findall(r'name="_selected_action" value="(\d+)"', html)))

    assert ids("?due=overdue") == {overdue.pk}
    assert ids("?due=week") == {soon.pk}
    assert ids("?kind=objection") == {later.pk}
    assert ids(f"?q={zelda.strings['email']}") == {overdue.pk, soon.pk, later.pk}
    detail = admin_client.get(f"{CHANGELIST}{overdue.pk}/change/").content.decode()
    assert "dsr.received" in detail and "dsr.verified" in detail


def test_staff_without_the_permissions_can_neither_see_nor_act(client, db):
    zelda = rich_member("zelda", files=False)
    request = _file(client, zelda.user, "erasure")
    plain_staff = Client()
    plain_staff.force_login(staff())  # view only
    plain_staff_user_view = plain_staff.get(CHANGELIST)
    assert plain_staff_user_view.status_code == 200
    assert b"execute_erasure" not in plain_staff_user_view.content
    response = plain_staff.post(
        CHANGELIST, {"action": "execute_erasure", "_selected_action": [request.pk]}
    )
    assert response.status_code in (200, 302, 403)
    request.refresh_from_db()
    assert request.status == "verified"
    assert User.objects.filter(email=zelda.strings["email"]).exists()
    nobody = Client()
    from tests.factories import UserFactory
    from tests.security.totp import activate_totp

    clerk = UserFactory(is_staff=True)
    activate_totp(clerk)  # without it the admin only redirects to set it up
    nobody.force_login(clerk)
    assert nobody.get(CHANGELIST).status_code == 403
    assert nobody.get(f"{CHANGELIST}{request.pk}/change/").status_code == 403
    # Processing permission without the erasure one cannot erase either.
    processor = Client()
    processor.force_login(staff("process_datasubjectrequest"))
    processor.post(
        CHANGELIST, {"action": "execute_erasure", "_selected_action": [request.pk]}
    )
    request.refresh_from_db()
    assert request.status == "verified"
    assert not AuditEvent.objects.filter(action="dsr.erasure_executed").exists()
