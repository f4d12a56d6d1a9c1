"""A rich dataset: every kind of object the product holds, for the crawls.

Built with tests/factories.py and the services, so the rows look like the
ones the running site makes. ``Dataset.url_kwargs`` fills the path parameters
of every named URL pattern with real keys from it; a pattern it cannot fill
makes the crawl fail, so a new URL is never skipped silently.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, IntervalSchedule, SolarSchedule

from compliance.models import PolicyAcknowledgement
from consent.models import Purpose
from consent.services import consent_record
from core.models import FileDeletion
from privacy.models import DataSubjectRequest, ExportArchive, PurgeRunRule
from privacy.retention import retention_policies_sync
from profiles import services as profile_services
from profiles.models import CvDownload
from tests.beat import beat_rows_write
from tests.factories import (
    BreachFactory,
    CompanyFactory,
    DataSubjectRequestFactory,
    FreelancerProfileFactory,
    LegalHoldFactory,
    PolicyVersionFactory,
    PurgeRunFactory,
    UserFactory,
)
from tests.security.totp import activate_totp

ROLES = ("anonymous", "freelancer", "company_owner", "staff_viewer", "superuser")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0jpeg"


@dataclass
class Dataset:
    users: dict = field(default_factory=dict)
    profile: object = None
    company: object = None
    dsr: object = None
    invitation_token: str = ""
    keep_token: str = ""
    api_token: object = None
    policy_version: object = None
    engagement: dict = field(default_factory=dict)  # URL name -> kwargs

    def client(self, role: str) -> Client:
        client = Client(raise_request_exception=False)
        user = self.users.get(role)
        if user is not None:
            client.force_login(user)
        return client

    def url_kwargs(self) -> dict[str, dict[str, str]]:
        """Path parameters per URL name (``namespace:name``)."""
        slug, company = self.profile.slug, self.company.slug
        random = secrets.token_urlsafe(16)
        return {
            "account_confirm_email": {"key": random},
            "account_reset_password_from_key": {"uidb36": "1", "key": random},
            "privacy:request_detail": {"pk": str(self.dsr.pk)},
            "privacy:export_download": {"pk": str(self.dsr.pk)},
            "privacy:request_verify": {"token": random},
            "privacy:export_token": {"token": random},
            "consent:email_open": {"token": random},
            "consent:unsubscribe": {"token": random},
            "profiles:account_keep": {"token": self.keep_token},
            "profiles:freelancer_detail": {"slug": slug},
            "profiles:freelancer_cv": {"slug": slug},
            "profiles:company_invitation": {"token": self.invitation_token},
            "profiles:company_detail": {"slug": company},
            "profiles:company_edit": {"slug": company},
            "profiles:company_invite": {"slug": company},
            "photo_file": {"name": self.profile.photo.name.removeprefix("photos/")},
            "api:privacy-request-detail": {"pk": str(self.dsr.pk)},
            "api:freelancer-detail": {"slug": slug},
            "api:company-detail": {"slug": company},
            "api:my-token-detail": {"pk": str(self.api_token.pk)},
            "profiles:api_token_revoke": {"pk": str(self.api_token.pk)},
            "compliance:policy_version_detail": {
                "version": self.policy_version.version
            },
            "engagements:inquiry_new": {"slug": slug},
            **self.engagement,
        }


def build_dataset() -> Dataset:
    data = Dataset()
    now = timezone.now()

    # Roles.
    freelancer = UserFactory()
    owner = UserFactory()
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    activate_totp(viewer)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    activate_totp(superuser)
    data.users = {
        "freelancer": freelancer,
        "company_owner": owner,
        "staff_viewer": viewer,
        "superuser": superuser,
    }

    # A published profile with photo, thumbnail, CV, CPR and skills.
    profile = FreelancerProfileFactory(
        user=freelancer, full_name="Rich Person", skills=["Python", "Django"]
    )
    consent_record(
        purpose=Purpose.PROFILE_PHOTO, granted=True, source="profile", user=freelancer
    )
    profile.photo = default_storage.save("photos/rich.jpg", ContentFile(JPEG))
    profile.photo_thumbnail = default_storage.save(
        "photos/thumbs/rich.jpg", ContentFile(JPEG)
    )
    profile.cv.save("cv.pdf", ContentFile(PDF), save=False)
    profile.cv_content_type = "application/pdf"
    profile.save()
    profile_services.freelancer_cpr_set(
        profile=profile, actor=freelancer, cpr="0101901234"
    )
    data.profile = profile
    # Unpublished, restricted and closed ones beside it.
    FreelancerProfileFactory(published=False)
    FreelancerProfileFactory(restricted_at=now)
    closed = FreelancerProfileFactory()
    profile_services.account_close(user=closed.user, actor=closed.user)

    # A verified company with an owner, a member, invitations and a logo.
    company = CompanyFactory(verified=True, contact_email="hello@example.com")
    company.logo = default_storage.save("photos/logo.jpg", ContentFile(JPEG))
    company.save()
    company.memberships.create(user=owner, role="owner")
    company.memberships.create(user=UserFactory(), role="member")
    _invitation, data.invitation_token = profile_services.company_invite(
        company=company, actor=owner, email="invited@example.com", role="member"
    )
    accepted, _token = profile_services.company_invite(
        company=company, actor=owner, email=freelancer.email, role="member"
    )
    profile_services.company_invitation_accept(invitation=accepted, user=freelancer)
    CompanyFactory(closed_at=now)
    data.company = company
    CvDownload.objects.create(
        profile=profile, company=company, company_name=company.name, downloaded_by=owner
    )

    # Data-subject requests of every kind and status, the freelancer's.
    for kind in DataSubjectRequest.Kind.values:
        for status in DataSubjectRequest.Status.values:
            DataSubjectRequestFactory(subject=freelancer, kind=kind, status=status)
    DataSubjectRequestFactory(
        subject=None,
        email="outsider@example.com",
        due_at=now - timezone.timedelta(days=1),
    )
    data.dsr = DataSubjectRequest.objects.filter(
        subject=freelancer, kind="access", status="completed"
    ).first()
    # Exports in every state; the ready one has its file.
    for status, request in zip(
        ExportArchive.Status.values,
        DataSubjectRequest.objects.filter(
            subject=freelancer, kind__in=["access", "portability"]
        ).order_by("pk"),
        strict=False,
    ):
        archive = ExportArchive(request=request, subject=freelancer, status=status)
        if status == ExportArchive.Status.READY:
            archive.file.save(
                "x.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False
            )
            archive.expires_at = now + timezone.timedelta(days=7)
        archive.save()

    # Legal holds, breaches, policy versions, consents, purge runs.
    LegalHoldFactory(subject=freelancer, created_by=superuser)
    LegalHoldFactory(subject=owner, released_at=now)
    BreachFactory(created_by=superuser)
    BreachFactory(
        discovered_at=now - timezone.timedelta(days=4),
        authority_notified_at=now,
        subjects_notified_at=now,
    )
    draft = PolicyVersionFactory()
    published = PolicyVersionFactory(published_at=now, significant=True)
    data.policy_version = published
    PolicyAcknowledgement.objects.create(
        user=freelancer, version=published, notified_at=now, acknowledged_at=now
    )
    assert draft.pk
    for purpose in Purpose.values:
        consent_record(purpose=purpose, granted=True, source="profile", user=owner)
    run = PurgeRunFactory()
    PurgeRunRule.objects.create(
        run=run,
        rule_key="profiles.user.closed",
        model_label="profiles.User",
        action="anonymise",
    )
    PurgeRunFactory(status="running", finished_at=None)
    PurgeRunFactory(status="failed", dry_run=True)
    # A file deletion a crash left pending, with the error that kept it.
    FileDeletion.objects.create(
        storage="default", name="photos/gone.jpg", attempts=2, last_error="OSError"
    )

    # Rows of third-party and configuration models the admin shows.
    retention_policies_sync()
    Group.objects.create(name="Privacy desk").permissions.set(
        Permission.objects.filter(codename__startswith="view_")
    )
    data.api_token, _key = profile_services.api_token_create(user=freelancer)
    ClockedSchedule.objects.create(clocked_time=now)
    # Beat's rows, written as beat writes them from CELERY_BEAT_SCHEDULE.
    beat_rows_write()
    SolarSchedule.objects.create(event="sunrise", latitude=56.15, longitude=10.2)
    IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)

    data.keep_token = profile_services.account_keep_token_sign(user=freelancer)
    data.engagement = _engagement_rows(company=company, owner=owner, profile=profile)
    return data


def _engagement_rows(*, company, owner, profile) -> dict[str, dict[str, str]]:
    """An invoiced engagement between the company and the freelancer (PDFs
    on disk), a pending change of its contract, hours awaiting approval, an
    open inquiry, a report and a block; the engagement URLs' kwargs."""
    import datetime as dt

    from engagements import services, tasks

    thread = services.inquiry_send(
        company=company, freelancer=profile, actor=owner, subject="Work", body="Hi"
    )
    services.inquiry_accept(thread=thread, actor=profile.user, body="Yes")
    services.thread_report(thread=thread, actor=owner, reason="Testing reports")
    today = timezone.localdate()
    start, end = services.previous_month(today)
    terms = {
        "title": "Booking",
        "scope": "Build it.",
        "start_date": start - dt.timedelta(days=40),
        "end_date": today + dt.timedelta(days=60),
        "rate_kind": "hourly",
        "rate": "800",
        "billing_email": "billing@example.com",
    }
    version = services.contract_propose(actor=owner, thread=thread, **terms)
    contract = services.contract_accept(
        version=version, actor=profile.user, text_sha256=version.text_sha256
    )
    engagement = contract.engagement
    week = services.week_start(start) + dt.timedelta(days=7)
    approved = services.hours_report(
        engagement=engagement, actor=profile.user, week=week, hours="20"
    )
    services.hours_approve(report=approved, actor=owner)
    invoice = services.invoice_issue(
        engagement=engagement, period_start=start, period_end=end, send=False
    )
    tasks.contract_document_send(contract.pk)
    tasks.invoice_document_send(invoice.pk)
    submitted = services.hours_report(
        engagement=engagement,
        actor=profile.user,
        week=week - dt.timedelta(days=14),
        hours="8",
    )
    pending = services.contract_propose(
        actor=owner, engagement=engagement, **{**terms, "rate": "900"}
    )
    services.inquiry_send(
        company=company, freelancer=profile, actor=owner, subject="More", body="Hi"
    )
    blocked = CompanyFactory(verified=True)
    services.company_block(freelancer=profile, company=blocked, actor=profile.user)
    thread_pk, engagement_pk = {"pk": str(thread.pk)}, {"pk": str(engagement.pk)}
    return {
        **{
            f"engagements:{name}": thread_pk
            for name in (
                "thread_detail",
                "thread_reply",
                "thread_accept",
                "thread_decline",
                "thread_report",
                "thread_block",
                "contract_new",
            )
        },
        "engagements:company_unblock": {"company_id": str(blocked.pk)},
        **{
            f"engagements:{name}": engagement_pk
            for name in (
                "contract_new_version",
                "engagement_detail",
                "engagement_end",
                "hours_new",
                "invoice_request",
            )
        },
        "engagements:contract_detail": {"pk": str(pending.pk)},
        "engagements:contract_accept": {"pk": str(pending.pk)},
        "engagements:contract_decline": {"pk": str(pending.pk)},
        "engagements:contract_pdf": {"pk": str(contract.pk)},
        "engagements:hours_approve": {"pk": str(submitted.pk)},
        "engagements:hours_dispute": {"pk": str(submitted.pk)},
        "engagements:invoice_detail": {"pk": str(invoice.pk)},
        "engagements:invoice_pdf": {"pk": str(invoice.pk)},
    }
