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


#: URL name -> which engagement object fills its pk (site and API).
ENGAGEMENT_URLS = {
    "engagements:thread_detail": "thread",
    "engagements:thread_reply": "thread",
    "engagements:thread_accept": "thread",
    "engagements:thread_decline": "thread",
    "engagements:thread_report": "thread",
    "engagements:thread_block": "thread",
    "engagements:contract_new": "thread",
    "engagements:contract_new_version": "engagement",
    "engagements:contract_detail": "contract",
    "engagements:contract_accept": "pending_contract",
    "engagements:contract_decline": "pending_contract",
    "engagements:contract_pdf": "contract",
    "engagements:engagement_detail": "engagement",
    "engagements:engagement_end": "engagement",
    "engagements:hours_new": "engagement",
    "engagements:hours_approve": "hours",
    "engagements:hours_dispute": "hours",
    "engagements:invoice_request": "engagement",
    "engagements:invoice_detail": "invoice",
    "engagements:invoice_pdf": "invoice",
    "api:thread-detail": "thread",
    "api:thread-messages": "thread",
    "api:thread-accept": "thread",
    "api:thread-decline": "thread",
    "api:thread-report": "thread",
    "api:thread-contract": "thread",
    "api:engagement-detail": "engagement",
    "api:engagement-contract": "engagement",
    "api:engagement-hours": "engagement",
    "api:contract-detail": "contract",
    "api:contract-accept": "pending_contract",
    "api:contract-decline": "pending_contract",
    "api:hours-approve": "hours",
    "api:hours-dispute": "hours",
    "api:invoice-detail": "invoice",
}


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
    engagement: dict = field(default_factory=dict)  # name -> key
    opportunity: object = None
    ticket: object = None

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
            "profiles:freelancer_shortlist": {"slug": slug},
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
            **{
                name: {"pk": str(self.engagement[key])}
                for name, key in ENGAGEMENT_URLS.items()
            },
            "engagements:inquiry_new": {"slug": self.engagement["freelancer_slug"]},
            "engagements:company_unblock": {"company_id": str(self.company.pk)},
            "privacy:request_status": {"pk": str(self.dsr.pk)},
            **{
                name: {"pk": str(self.opportunity.pk)}
                for name in (
                    "opportunities:detail",
                    "opportunities:edit",
                    "opportunities:close",
                    "opportunities:interest",
                    "api:opportunity-detail",
                    "api:opportunity-close",
                )
            },
            "support:verify": {"token": random},
            **{
                name: {"pk": str(self.ticket.pk)}
                for name in (
                    "support:ticket_detail",
                    "support:ticket_reply",
                    "support:ticket_attachment",
                )
            },
            "profiles:company_membership_show": {"slug": company},
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
    profile_services.shortlist_add(company=company, profile=profile, actor=owner)

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

    # Engagements of the owner's company (the freelancer role is a member of
    # it too): created first, so the crawl's first row of each model is the
    # one with a PDF.
    data.engagement = engagement_rows(
        company=company,
        member=owner,
        freelancer=FreelancerProfileFactory(full_name="Hired Person"),
        staff=superuser,
    )
    # Messages to members: a sent one with a delivery and an open, and a draft.
    mailing_rows(member=freelancer, staff=superuser)
    data.opportunity, data.ticket = opportunity_and_ticket(
        company=company, owner=owner, member=freelancer
    )
    return data


def opportunity_and_ticket(*, company, owner, member):
    """An open opportunity of the company, and the member's support ticket
    with a PDF attached and a staff reply."""
    import datetime as dt

    from opportunities.models import OpportunityAlert
    from opportunities.services import opportunity_post
    from profiles.models import Skill
    from support.services import ticket_submit
    from tests.profiles.upload_corpus import pdf_cv

    skill, _created = Skill.objects.get_or_create(
        slug="python", defaults={"name": "Python"}
    )
    opportunity = opportunity_post(
        company=company,
        actor=owner,
        title="Python developer",
        description="Build it with us.",
        skills=[skill],
        deadline=timezone.localdate() + dt.timedelta(days=14),
    )
    OpportunityAlert.objects.create(user=member)
    ticket = ticket_submit(
        user=member,
        topic="account",
        body="Help with my account",
        attachment=pdf_cv("question.pdf"),
        client_ip="10.9.9.8",
    )
    return opportunity, ticket


def mailing_rows(*, member, staff) -> None:
    from consent.models import EmailOpen
    from mailings.models import Mailing, MailingDelivery

    content = {
        "subject_da": "Nedetid",
        "subject_en": "Downtime",
        "body_da": "Sitet er nede.",
        "body_en": "The site is down.",
    }
    sent = Mailing.objects.create(
        kind="service",
        status="sent",
        created_by=staff,
        sent_by=staff,
        sent_at=timezone.now(),
        **content,
    )
    MailingDelivery.objects.create(
        mailing=sent, user=member, state="sent", language="da", sent_at=sent.sent_at
    )
    EmailOpen.objects.create(user=member, tag=sent.tag)
    Mailing.objects.create(kind="marketing", created_by=staff, **content)


def engagement_rows(*, company, member, freelancer, staff) -> dict:
    """Every engagement model in several states, through the services: an
    invoiced engagement whose contract and invoice have their PDFs, a credit
    note, a new contract version awaiting the freelancer, hours submitted and
    disputed, open and declined inquiries, open and resolved reports."""
    import datetime as dt

    from engagements import services
    from engagements.models import Invoice
    from tests.engagements import support

    flow = support.invoiced(
        support.contracted(
            support.Flow(company_member=member, company=company, freelancer=freelancer)
        )
    )
    for document in (flow.contract, flow.invoice):
        document.pdf.save("document.pdf", ContentFile(PDF), save=False)
        type(document).objects.filter(pk=document.pk).update(pdf=document.pdf.name)
    today = timezone.localdate()
    pending = services.contract_propose(
        actor=member,
        engagement=flow.engagement,
        title="Django build",
        scope="More of the booking service.",
        start_date=today,
        end_date=today + dt.timedelta(days=30),
        rate_kind="hourly",
        rate="900.00",
        billing_email="billing@company.example",
    )
    # Weeks before last month (the invoiced one), inside the contract.
    first_of_last_month = services.previous_month(today)[0]
    submitted, disputed = (
        services.hours_report(
            engagement=flow.engagement,
            actor=freelancer.user,
            week=first_of_last_month - dt.timedelta(days=days),
            hours="7.5",
            note="Reviews",
        )
        for days in (14, 21)
    )
    services.hours_dispute(report=disputed, actor=member, reason="Only 5 hours.")
    second = support.invoiced(
        support.contracted(
            support.Flow(
                company_member=member,
                company=company,
                freelancer=FreelancerProfileFactory(full_name="Second Hire"),
            )
        )
    )
    services.invoice_credit(invoice=second.invoice, actor=staff, reason="Wrong")
    Invoice.objects.filter(pk=flow.invoice.pk).update(
        due_date=today - dt.timedelta(days=1)
    )  # overdue
    open_inquiry = support.inquired(
        support.Flow(
            company_member=member,
            company=company,
            freelancer=FreelancerProfileFactory(full_name="Asked Person"),
        )
    )
    declined = support.inquired(
        support.Flow(
            company_member=member,
            company=company,
            freelancer=FreelancerProfileFactory(full_name="Busy Person"),
        )
    )
    services.inquiry_decline(thread=declined.thread, actor=declined.freelancer_user)
    report = services.thread_report(
        thread=flow.thread, actor=freelancer.user, reason="Rude."
    )
    resolved = services.thread_report(
        thread=open_inquiry.thread, actor=open_inquiry.freelancer_user, reason="Spam."
    )
    services.thread_report_resolve(report=resolved, actor=staff, resolution="Warned.")
    return {
        "thread": flow.thread.pk,
        "engagement": flow.engagement.pk,
        "contract": flow.contract.pk,
        "pending_contract": pending.pk,
        "hours": submitted.pk,
        "invoice": flow.invoice.pk,
        "report": report.pk,
        "freelancer_slug": open_inquiry.freelancer.slug,
    }
