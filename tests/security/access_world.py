"""The people and objects the access matrix is checked with."""

from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.test import Client

from profiles import services as profile_services
from profiles.services import api_token_create
from tests.factories import CompanyFactory, FreelancerProfileFactory, UserFactory
from tests.profiles import upload_corpus as corpus
from tests.security.totp import activate_totp

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

ROLES = (
    "anonymous",
    "other",  # another member
    "owner",  # the member whose profile, company and request are in the URL
    "company",  # a member of the owner's verified company (not its owner)
    "staff",  # staff, no permission, no TOTP
    "staff_nomfa",  # staff with every STAFF_PERMISSIONS, but no TOTP
    "staff_mfa",  # staff with TOTP and no permission
    "staff_perm",  # staff with every STAFF_PERMISSIONS and TOTP
)

#: what "staff with permission" may do: view everything in the admin, reveal
#: CPR numbers and handle data-subject requests (so it also needs TOTP).
STAFF_PERMISSIONS = (
    "view_freelancerprofile",
    "change_freelancerprofile",
    "reveal_cpr",
    "view_company",
    "view_user",
    "view_datasubjectrequest",
    "process_datasubjectrequest",
    "view_consentrecord",
    "view_auditevent",
    "download_any_cv",
    # engagements: every record viewed in the admin, reported threads reviewed
    "view_thread",
    "view_threadreport",
    "view_engagement",
    "view_contractversion",
    "view_hoursreport",
    "view_invoice",
    # support: the ticket queue and a ticket's attachment
    "view_ticket",
)


@dataclass
class World:
    owner: object
    other: object
    company_member: object
    staff: object
    staff_nomfa: object
    staff_mfa: object
    staff_perm: object
    profile: object  # the owner's freelancer profile, not published, photo and CV
    public_profile: object  # someone's published profile
    company: object  # the owner's company
    dsr: object  # the owner's data-subject request
    token: object  # the owner's API token (row)
    keys: dict = field(default_factory=dict)  # role -> API token key
    engagement_keys: dict = field(default_factory=dict)  # see engagement_fill()
    engagement_objects: dict = field(default_factory=dict)  # engagement_object()
    opportunity_pk: int | None = None  # see opportunity_fill()
    support_objects: dict = field(default_factory=dict)  # support_ticket()

    def engagement_fill(self) -> dict[str, int]:
        """Keys of an engagement between the owner's company (the owner and
        the company member are its parties) and the published profile, built
        on first use: {thread}, {engagement}, {contract} (accepted, with its
        PDF), {pending} (a proposed change), {hours} (awaiting approval),
        {invoice} (with its PDF), {blocked} (a company the freelancer blocked).
        """
        if not self.engagement_keys:
            self.engagement_keys = _engagement_build(self)
        return self.engagement_keys

    def engagement_object(self, name: str):
        """``thread``, ``report``, ``engagement``, ``contract``, ``hours`` or
        ``invoice`` of the owner's company's engagement with the published
        freelancer (see ``engagement_flow``), built on first use: most rows
        need none of them."""
        if not self.engagement_objects:
            self.engagement_objects.update(
                engagement_flow(
                    company=self.company,
                    member=self.owner,
                    freelancer=self.public_profile,
                )
            )
        return self.engagement_objects[name]

    def opportunity_fill(self) -> int:
        """The pk of an open opportunity the owner posted for the owner's
        company (the owner and the company member may edit it), built on
        first use."""
        if self.opportunity_pk is None:
            import datetime as dt

            from django.utils import timezone

            from opportunities.services import opportunity_post
            from profiles.models import Skill

            skill, _created = Skill.objects.get_or_create(
                slug="django", defaults={"name": "Django"}
            )
            self.opportunity_pk = opportunity_post(
                company=self.company,
                actor=self.owner,
                title="Django developer",
                description="Build it with us.",
                skills=[skill],
                deadline=timezone.localdate() + dt.timedelta(days=7),
            ).pk
        return self.opportunity_pk

    def support_ticket(self):
        """The owner's support ticket, with a PDF attached, built on first use."""
        if "ticket" not in self.support_objects:
            from support.services import ticket_submit

            self.support_objects["ticket"] = ticket_submit(
                user=self.owner,
                topic="account",
                body="Help",
                attachment=corpus.pdf_cv(),
                client_ip="10.9.9.9",
            )
        return self.support_objects["ticket"]

    def user(self, role: str):
        if role == "anonymous":
            return None
        return getattr(self, "company_member" if role == "company" else role)

    def client(self, role: str, *, token: bool = False) -> Client:
        """A browser logged in as ``role``, or an API client with its token."""
        user = self.user(role)
        if user is None:
            return Client()
        if token:
            if role not in self.keys:
                self.keys[role] = api_token_create(user=user)[1]
            return Client(HTTP_AUTHORIZATION=f"Token {self.keys[role]}")
        client = Client()
        client.force_login(user)
        return client


def build_world() -> World:
    from privacy.requests import services as dsr

    owner, other = UserFactory(), UserFactory()
    company_member = UserFactory()
    staff = UserFactory(is_staff=True)
    staff_nomfa = UserFactory(is_staff=True)
    staff_mfa = UserFactory(is_staff=True)
    staff_perm = UserFactory(is_staff=True)
    permissions = Permission.objects.filter(codename__in=STAFF_PERMISSIONS)
    for user in (staff_nomfa, staff_perm):
        user.user_permissions.set(permissions)
    activate_totp(staff_mfa)
    activate_totp(staff_perm)
    profile = FreelancerProfileFactory(user=owner, published=False)
    # A photo and a CV, so the media and CV rows check real files.
    profile_services.freelancer_photo_set(
        profile=profile, actor=owner, upload=corpus.jpeg_photo(), consent_text="x"
    )
    profile_services.freelancer_cv_set(
        profile=profile, actor=owner, upload=corpus.pdf_cv()
    )
    profile.refresh_from_db()
    public_profile = FreelancerProfileFactory()
    profile_services.freelancer_cv_set(
        profile=public_profile, actor=public_profile.user, upload=corpus.pdf_cv()
    )
    public_profile.refresh_from_db()
    company = CompanyFactory(verified=True)
    company.memberships.create(user=owner, role="owner")
    company.memberships.create(user=company_member, role="member")
    request = dsr.dsr_submit(user=owner, kind="access", details="", base_url="")
    token, _key = api_token_create(user=owner)
    return World(
        owner=owner,
        other=other,
        company_member=company_member,
        staff=staff,
        staff_nomfa=staff_nomfa,
        staff_mfa=staff_mfa,
        staff_perm=staff_perm,
        profile=profile,
        public_profile=public_profile,
        company=company,
        dsr=request,
        token=token,
    )


def _engagement_build(world: World) -> dict[str, int]:
    import datetime as dt

    from django.utils import timezone

    from engagements import services, tasks

    freelancer = world.public_profile
    thread = services.inquiry_send(
        company=world.company,
        freelancer=freelancer,
        actor=world.owner,
        subject="Work",
        body="Hi",
    )
    services.inquiry_accept(thread=thread, actor=freelancer.user)
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
    proposal = services.contract_propose(actor=world.owner, thread=thread, **terms)
    contract = services.contract_accept(
        version=proposal, actor=freelancer.user, text_sha256=proposal.text_sha256
    )
    engagement = contract.engagement
    week = services.week_start(start) + dt.timedelta(days=7)
    report = services.hours_report(
        engagement=engagement, actor=freelancer.user, week=week, hours="20"
    )
    services.hours_approve(report=report, actor=world.owner)
    invoice = services.invoice_issue(
        engagement=engagement, period_start=start, period_end=end, send=False
    )
    tasks.contract_document_send(contract.pk)
    tasks.invoice_document_send(invoice.pk)
    submitted = services.hours_report(
        engagement=engagement,
        actor=freelancer.user,
        week=week - dt.timedelta(days=14),
        hours="8",
    )
    pending = services.contract_propose(
        actor=world.owner, engagement=engagement, **{**terms, "rate": "900"}
    )
    blocked = CompanyFactory(verified=True)
    services.company_block(
        freelancer=freelancer, company=blocked, actor=freelancer.user
    )
    return {
        "thread": thread.pk,
        "engagement": engagement.pk,
        "contract": contract.pk,
        "pending": pending.pk,
        "hours": submitted.pk,
        "invoice": invoice.pk,
        "blocked": blocked.pk,
    }


def engagement_flow(*, company, member, freelancer) -> dict:
    """Inquiry, contract, approved hours and an invoice, through the services;
    the contract and the invoice have their PDFs. ``member`` (and every other
    member of ``company``) is the company party, and sends the inquiry and
    reports the thread; the freelancer is none of the roles."""
    from engagements import services
    from tests.engagements import support

    flow = support.invoiced(
        support.contracted(
            support.Flow(company_member=member, company=company, freelancer=freelancer)
        )
    )
    for document in (flow.contract, flow.invoice):
        document.pdf.save("document.pdf", ContentFile(PDF), save=False)
        type(document).objects.filter(pk=document.pk).update(pdf=document.pdf.name)
    report = services.thread_report(
        thread=flow.thread, actor=member, reason="Checking the matrix."
    )
    return {
        "thread": flow.thread,
        "report": report,
        "engagement": flow.engagement,
        "contract": flow.contract,
        "hours": flow.hours[0],  # approved and invoiced
        "invoice": flow.invoice,
    }
