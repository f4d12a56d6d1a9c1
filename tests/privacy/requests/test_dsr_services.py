"""The request workflow, service by service."""

import datetime as dt
import secrets

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from consent.models import MarketingSuppression, Purpose
from consent.selectors import (
    consent_current,
    consent_is_granted,
    marketing_is_suppressed,
)
from privacy.models import AuditEvent, DataSubjectRequest
from privacy.requests import notices
from privacy.requests import services as dsr
from privacy.retention import retention_purge
from privacy.selectors import dsr_open_subject_ids, subject_is_restricted
from profiles.models import FreelancerProfile, User
from tests.factories import FreelancerProfileFactory, UserFactory
from tests.privacy.dsr_support import recipient_company, rich_member, staff

Status = DataSubjectRequest.Status


def _actions(request) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_id=str(request.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_member_request_is_verified_by_session_and_audited(
    member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = dsr.dsr_submit(user=member, kind="rectification", details="All of it")
    assert request.status == Status.VERIFIED
    assert request.verification_method == "session"
    assert _actions(request) == ["dsr.received", "dsr.verified"]
    assert [m.to for m in mail.outbox] == [[member.email]]
    event = AuditEvent.objects.get(action="dsr.received")
    assert "All of it" not in str(event.details)


def test_replies_name_the_controller_from_settings(
    member, settings, django_capture_on_commit_callbacks
):
    settings.PRIVACY_CONTROLLER = {
        "name": "Testfirma ApS",
        "address": "Vestergade 1, 8000 Aarhus C",
        "cvr": "24256790",
        "email": "dpo@testfirma.example",
        "phone": "+45 70 00 00 00",
    }
    with django_capture_on_commit_callbacks(execute=True):
        dsr.dsr_submit(user=member, kind="access")
    body = mail.outbox[0].body
    assert (
        "Data controller: Testfirma ApS, Vestergade 1, 8000 Aarhus C, CVR 24256790"
        in body
    )
    assert "dpo@testfirma.example · +45 70 00 00 00" in body


def test_unknown_kind_is_refused_and_nothing_is_stored(member):
    with pytest.raises(ValidationError) as excinfo:
        dsr.dsr_submit(user=member, kind="everything")
    assert "kind" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        dsr.dsr_submit_anonymous(email="a@example.com", kind="nope")
    assert not DataSubjectRequest.objects.exists()


def test_link_verifies_once_and_links_the_account(
    member, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n: "known-token")
    with django_capture_on_commit_callbacks(execute=True):
        request = dsr.dsr_submit_anonymous(email=member.email.upper(), kind="access")
    assert request.status == Status.RECEIVED and request.subject is None
    assert request.token_hash and "known-token" not in request.token_hash
    assert "/privacy/requests/verify/known-token/" in mail.outbox[0].body
    verified = dsr.dsr_verify_token(token="known-token")
    assert verified.status == Status.VERIFIED and verified.subject == member
    with pytest.raises(ValidationError) as excinfo:
        dsr.dsr_verify_token(token="known-token")
    assert excinfo.value.code == "invalid_token"


def test_expired_link_is_refused_and_nothing_changes(db, monkeypatch):
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n: "old-token")
    request = dsr.dsr_submit_anonymous(email="late@example.com", kind="erasure")
    DataSubjectRequest.objects.filter(pk=request.pk).update(
        token_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(ValidationError) as excinfo:
        dsr.dsr_verify_token(token="old-token")
    assert excinfo.value.code == "expired_token"
    request.refresh_from_db()
    assert request.status == Status.RECEIVED and request.verified_at is None


def test_reject_needs_a_reason_and_names_the_authority(
    member, django_capture_on_commit_callbacks
):
    request = dsr.dsr_submit(user=member, kind="erasure")
    with pytest.raises(ValidationError):
        dsr.dsr_reject(request=request, actor=None, reason="  ")
    request.refresh_from_db()
    assert request.status == Status.VERIFIED
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dsr.dsr_reject(request=request, actor=None, reason="Legal claims pending")
    request.refresh_from_db()
    assert request.status == Status.REJECTED
    assert "Datatilsynet, Carl Jacobsens Vej 35, 2500 Valby" in mail.outbox[0].body
    assert "dt@datatilsynet.dk" in mail.outbox[0].body
    with pytest.raises(ValidationError):
        dsr.dsr_complete(request=request, actor=None)


def test_extension_tells_the_requester_why(member, django_capture_on_commit_callbacks):
    request = dsr.dsr_submit(user=member, kind="access")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dsr.dsr_extend(request=request, actor=None, months=2, reason="Many files")
    assert "Many files" in mail.outbox[0].body
    assert mail.outbox[0].to == [member.email]


def test_open_requests_hold_their_subjects_data_from_the_purge(db):
    profile = FreelancerProfileFactory()
    User.objects.filter(pk=profile.user_id).update(
        closed_at=timezone.now() - dt.timedelta(days=400)
    )
    request = dsr.dsr_submit(user=profile.user, kind="access")
    assert dsr_open_subject_ids() == [profile.user_id]
    retention_purge(rule_key="profiles.freelancer.closed")
    profile.refresh_from_db()
    assert profile.anonymised_at is None
    dsr.dsr_reject(request=request, actor=None, reason="Duplicate request")
    assert dsr_open_subject_ids() == []
    retention_purge(rule_key="profiles.freelancer.closed")
    profile.refresh_from_db()
    assert profile.anonymised_at is not None


def test_restriction_hides_the_profile_everywhere_until_lifted(
    client, db, django_capture_on_commit_callbacks
):
    recipient = recipient_company()
    zelda = rich_member("zelda", recipient=recipient, files=False)
    FreelancerProfile.objects.filter(pk=zelda.profile.pk).update(
        published_at=timezone.now()
    )
    slug = zelda.profile.slug
    assert client.get(f"/freelancers/{slug}/").status_code == 200
    request = dsr.dsr_submit(user=zelda.user, kind="restriction")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dsr.dsr_restriction_apply(request=request, actor=None)
    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert subject_is_restricted(user=zelda.user)
    assert client.get(f"/freelancers/{slug}/").status_code == 404
    assert client.get(f"/api/v1/freelancers/{slug}/").status_code == 404
    assert (
        zelda.strings["full_name"] not in client.get("/freelancers/").content.decode()
    )
    # Art. 19: the company that downloaded the CV is told, and listed.
    assert recipient["company"].contact_email in [m.to[0] for m in mail.outbox]
    assert request.recipients_notified[0]["name"] == recipient["company"].name
    # The data stays stored.
    profile = FreelancerProfile.objects.get(pk=zelda.profile.pk)
    assert profile.full_name == zelda.strings["full_name"]
    # Lifting needs the member told first.
    with pytest.raises(ValidationError):
        dsr.dsr_restriction_lift(request=request, actor=None)
    assert subject_is_restricted(user=zelda.user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dsr.dsr_restriction_lift_notify(request=request, actor=None)
    assert mail.outbox[0].to == [zelda.strings["email"]]
    dsr.dsr_restriction_lift(request=request, actor=None)
    assert not subject_is_restricted(user=zelda.user)
    assert client.get(f"/freelancers/{slug}/").status_code == 200


def test_objection_stops_marketing_at_once_and_survives_erasure(
    db, django_capture_on_commit_callbacks
):
    zelda = rich_member("zelda", files=False)
    assert consent_is_granted(purpose=Purpose.MARKETING_EMAIL, user=zelda.user)
    with django_capture_on_commit_callbacks(execute=True):
        dsr.dsr_submit(user=zelda.user, kind="objection")
    assert marketing_is_suppressed(email=zelda.strings["email"].upper())
    assert not consent_is_granted(purpose=Purpose.MARKETING_EMAIL, user=zelda.user)
    assert not marketing_is_suppressed(email="other@example.com")
    erasure = dsr.dsr_submit(user=zelda.user, kind="erasure")
    with django_capture_on_commit_callbacks(execute=True):
        dsr.dsr_erasure_execute(request=erasure, actor=None)
    assert marketing_is_suppressed(email=zelda.strings["email"])
    assert MarketingSuppression.objects.count() == 1


def test_consent_withdrawal_withdraws_every_consent(
    db, django_capture_on_commit_callbacks
):
    zelda = rich_member("zelda")
    granted = {p for p, r in consent_current(user=zelda.user).items() if r.granted}
    assert {Purpose.MARKETING_EMAIL, Purpose.PROFILE_PHOTO} <= granted
    with django_capture_on_commit_callbacks(execute=True):
        request = dsr.dsr_submit(user=zelda.user, kind="consent_withdrawal")
    current = consent_current(user=zelda.user)
    assert not any(r.granted for r in current.values())
    # The photo consent's withdrawal removed the photo (profiles' receiver).
    assert not FreelancerProfile.objects.get(pk=zelda.profile.pk).photo
    dsr.dsr_complete(request=request, actor=staff())
    request.refresh_from_db()
    assert request.status == Status.COMPLETED


def test_rectification_completion_tells_recipients(
    db, django_capture_on_commit_callbacks
):
    recipient = recipient_company()
    zelda = rich_member("zelda", recipient=recipient, files=False)
    request = dsr.dsr_submit(
        user=zelda.user, kind="rectification", details="My city is wrong"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dsr.dsr_complete(request=request, actor=None)
    to = [m.to[0] for m in mail.outbox]
    assert recipient["company"].contact_email in to
    notice = next(
        m for m in mail.outbox if m.to == [recipient["company"].contact_email]
    )
    assert zelda.strings["full_name"] in notice.body and "corrected" in notice.body
    request.refresh_from_db()
    assert request.recipients_notified == [
        {
            "name": recipient["company"].name,
            "since": request.recipients_notified[0]["since"],
            "notified": True,
        }
    ]


def test_recipients_of_a_danish_request_are_told_in_danish_throughout(
    db, django_capture_on_commit_callbacks
):
    recipient = recipient_company()
    zelda = rich_member("zelda", recipient=recipient, files=False)
    with translation.override("da"):
        request = dsr.dsr_submit(user=zelda.user, kind="rectification")
    mail.outbox.clear()
    # Staff work in English; the request's language decides.
    with django_capture_on_commit_callbacks(execute=True):
        dsr.dsr_complete(request=request, actor=None)
    notice = next(
        m for m in mail.outbox if m.to == [recipient["company"].contact_email]
    )
    assert "hvis oplysninger du modtog" in notice.body
    assert "sine personoplysninger berigtiget" in notice.body
    assert "corrected" not in notice.body


def test_access_is_completed_by_its_export_not_by_hand(member):
    request = dsr.dsr_submit(user=member, kind="access")
    with pytest.raises(ValidationError):
        dsr.dsr_complete(request=request, actor=None)
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS  # its export is queued


def test_digest_goes_to_staff_who_may_see_requests(
    db, django_capture_on_commit_callbacks
):
    viewer = staff()
    UserFactory(is_staff=True)  # staff without the permission
    UserFactory()  # not staff
    member = UserFactory()
    overdue = dsr.dsr_submit(user=member, kind="access")
    DataSubjectRequest.objects.filter(pk=overdue.pk).update(
        due_at=timezone.now() - dt.timedelta(days=1)
    )
    soon = dsr.dsr_submit(user=member, kind="erasure")
    DataSubjectRequest.objects.filter(pk=soon.pk).update(
        due_at=timezone.now() + dt.timedelta(days=3)
    )
    dsr.dsr_submit(user=member, kind="objection")  # due in a month: not listed
    mail.outbox.clear()
    assert notices.dsr_digest_send() == 1
    [message] = mail.outbox
    assert message.to == [viewer.email]
    assert f"#{overdue.pk}" in message.body and f"#{soon.pk}" in message.body
    assert "1 overdue, 1 due soon" in message.subject
    assert member.email not in message.body


def test_digest_reaches_the_other_staff_when_one_address_fails(db, monkeypatch):
    unreachable, reachable = staff(), staff()
    overdue = dsr.dsr_submit(user=UserFactory(), kind="access")
    DataSubjectRequest.objects.filter(pk=overdue.pk).update(
        due_at=timezone.now() - dt.timedelta(days=1)
    )
    mail.outbox.clear()
    real = notices.send_mail

    def refused_for_one(subject, body, sender, to):
        if to == [unreachable.email]:
            raise OSError("mailbox unavailable")
        return real(subject, body, sender, to)

    monkeypatch.setattr(notices, "send_mail", refused_for_one)
    assert notices.dsr_digest_send() == 1
    assert [m.to for m in mail.outbox] == [[reachable.email]]


def test_digest_sends_nothing_when_nothing_is_due(db):
    staff()
    assert notices.dsr_digest_send() == 0
    assert mail.outbox == []


def test_digest_is_scheduled_daily(beat_schedule_synced):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="privacy.requests.tasks.dsr_digest_send")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("7", "0")
    assert str(task.crontab.timezone) == "Europe/Copenhagen"
