"""What engagements hold about people, for how long, and what a law keeps.

Two kinds of record, two rules:
- Conversations (inquiries, messages, participations, reports, blocks) go
  12 months after their purpose ends (the thread's last activity), and at
  once on erasure. A thread is shared by its parties: erasing one deletes
  their messages and participation, and the other party keeps the thread
  (the erased person shows as "Deleted user") until it ages out.
- Bookkeeping records (accepted contracts and their acceptances, approved
  and invoiced hours, invoices) are kept 5 years after the end of the
  financial year they belong to (bogføringsloven), then anonymised by the
  purge. Erasure keeps them, marks them restricted (used for nothing but
  bookkeeping) and tells the person until when (``retain_until``).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagements.models import (
    CompanyBlock,
    ContractAcceptance,
    ContractVersion,
    Engagement,
    HoursReport,
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    Message,
    Thread,
    ThreadParticipant,
    ThreadReport,
)
from privacy.registry import (
    Action,
    Anonymise,
    Event,
    LegalException,
    PersonalData,
    Recipient,
    Retention,
    personal_data,
)
from profiles.models import (
    CompanyMembership,
    account_purpose_ended,
    account_retention_ready,
)

BOOKKEEPING_REASON = _(
    "The Danish Bookkeeping Act (bogføringsloven) requires accounting records to "
    "be kept for 5 years from the end of the financial year they belong to. They "
    "are restricted: used for nothing but bookkeeping."
)
CONVERSATION = dt.timedelta(days=365)


def _bookkeeping(key: str, path: str = "retain_until", keeps: Q | None = None):
    return LegalException(
        key=key,
        reason=BOOKKEEPING_REASON,
        keeps=keeps,
        retention=Retention(
            key=f"{key}.kept",
            purpose_ended=path,
            after=dt.timedelta(0),
            action=Action.ANONYMISE,
            description=_(
                "Kept 5 years from the end of the financial year they belong to "
                "(Bookkeeping Act), then anonymised."
            ),
        ),
    )


# --- Conversations ----------


@personal_data.register(Thread)
class ThreadData(PersonalData):
    description = _(
        "Inquiries between companies and freelancers: subject, period, rate, "
        "status, and when the freelancer's contact details were shared."
    )
    subject = "participants"
    shared = True
    fields = {
        "subject": Anonymise.text(""),
        "period_start": Anonymise.keep(),
        "period_end": Anonymise.keep(),
        "rate": Anonymise.keep(),
        "status": Anonymise.keep(),
        "created_at": Anonymise.keep(),
        "contact_shared_at": Anonymise.keep(),
    }
    retention = Retention(
        key="engagements.thread.inactive",
        purpose_ended="last_activity_at",
        after=CONVERSATION,
        action=Action.DELETE,
        description=_(
            "Deleted 12 months after the conversation's last message; on "
            "erasure, your part of it goes at once."
        ),
    )


@personal_data.register(ThreadParticipant)
class ThreadParticipantData(PersonalData):
    description = _(
        "Which conversations you take part in, and when you last read them."
    )
    subject = "user"
    fields = {
        "party": Anonymise.keep(),
        "joined_at": Anonymise.keep(),
        "last_read_at": Anonymise.keep(),
    }
    retention = Retention(
        key="engagements.participant.inactive",
        purpose_ended="thread__last_activity_at",
        after=CONVERSATION,
        action=Action.DELETE,
        description=_("Deleted with the conversation, or at once on erasure."),
    )


@personal_data.register(Message)
class MessageData(PersonalData):
    description = _(
        "Messages you wrote in conversations with companies or freelancers."
    )
    subject = "sender"
    fields = {
        "body": Anonymise.text(""),
        "kind": Anonymise.keep(),
        "created_at": Anonymise.keep(),
    }
    retention = Retention(
        key="engagements.message.inactive",
        purpose_ended="thread__last_activity_at",
        after=CONVERSATION,
        action=Action.DELETE,
        description=_(
            "Deleted 12 months after the conversation's last message, or at once "
            "on erasure."
        ),
    )


@personal_data.register(ThreadReport)
class ThreadReportData(PersonalData):
    description = _("Reports of abuse you made about a conversation.")
    subject = "reporter"
    fields = {"reason": Anonymise.text(""), "created_at": Anonymise.keep()}
    retention = Retention(
        key="engagements.report.resolved",
        purpose_ended="resolved_at",
        after=CONVERSATION,
        action=Action.DELETE,
        description=_("Deleted 12 months after staff resolved the report."),
    )


@personal_data.register(CompanyBlock)
class CompanyBlockData(PersonalData):
    description = _("Companies you blocked from contacting you.")
    subject = "freelancer__user"
    fields = {"company": Anonymise.keep(), "created_at": Anonymise.keep()}
    retention = Retention(
        key="engagements.block.closed",
        purpose_ended=account_purpose_ended("freelancer__user__"),
        condition=account_retention_ready("freelancer__user__"),
        action=Action.DELETE,
        description=_(
            "Deleted 12 months after the account is closed or unused for 2 years."
        ),
    )


# --- Engagements and bookkeeping ----------


@personal_data.register(Engagement)
class EngagementData(PersonalData):
    description = _(
        "Engagements between a company and a freelancer: title, status, billing "
        "e-mail and dates."
    )
    subject = "freelancer__user"
    fields = {
        "title": Anonymise.text("Anonymised"),
        "billing_email": Anonymise.text(""),
        "status": Anonymise.keep(),
        "created_at": Anonymise.month(),
        "activated_at": Anonymise.keep(),
        "ended_at": Anonymise.keep(),
        "retain_until": Anonymise.keep(),
    }
    restriction_field = "restricted_at"
    retention = Retention(
        key="engagements.engagement.cancelled",
        purpose_ended="ended_at",
        after=CONVERSATION,
        action=Action.DELETE,
        description=_(
            "Proposals never accepted are deleted 12 months after they were "
            "declined or withdrawn."
        ),
    )
    legal_exceptions = (
        _bookkeeping(
            "engagements.engagement.bookkeeping", keeps=Q(activated_at__isnull=False)
        ),
    )

    def subject_q(self, user) -> Q:
        return Q(freelancer__user=user) | Q(created_by=user)


@personal_data.register(ContractVersion)
class ContractVersionData(PersonalData):
    description = _(
        "Contracts: scope, period, rate, payment terms, the text both parties "
        "accepted (naming them, with CVR and address) and its PDF."
    )
    subject = "engagement__freelancer__user"
    fields = {
        "scope": Anonymise.text(""),
        "text": Anonymise.text(""),
        "pdf": Anonymise.delete_file(),
        "start_date": Anonymise.keep(),
        "end_date": Anonymise.keep(),
        "rate_kind": Anonymise.keep(),
        "rate": Anonymise.keep(),
        "payment_terms_days": Anonymise.keep(),
        "status": Anonymise.keep(),
        "proposed_at": Anonymise.keep(),
        "accepted_at": Anonymise.keep(),
        "retain_until": Anonymise.keep(),
    }
    restriction_field = "restricted_at"
    retention = Retention(
        key="engagements.contract.unaccepted",
        purpose_ended="engagement__ended_at",
        after=CONVERSATION,
        action=Action.DELETE,
        description=_(
            "Proposals never accepted are deleted 12 months after the engagement ends."
        ),
    )
    legal_exceptions = (
        _bookkeeping(
            "engagements.contract.bookkeeping", keeps=Q(accepted_at__isnull=False)
        ),
    )

    def subject_q(self, user) -> Q:
        return Q(engagement__freelancer__user=user) | Q(proposed_by=user)


@personal_data.register(ContractAcceptance)
class ContractAcceptanceData(PersonalData):
    description = _("Who accepted a contract, for which party, which text and when.")
    subject = "user"
    fields = {
        "name": Anonymise.text("Anonymised"),
        "party": Anonymise.keep(),
        "text_sha256": Anonymise.keep(),
        "accepted_at": Anonymise.keep(),
    }
    retention = Retention(
        key="engagements.acceptance.unaccepted",
        purpose_ended="version__engagement__ended_at",
        after=CONVERSATION,
        action=Action.DELETE,
        description=_("Deleted with a proposal that was never accepted."),
    )
    legal_exceptions = (
        _bookkeeping(
            "engagements.acceptance.bookkeeping",
            path="version__retain_until",
            keeps=Q(version__accepted_at__isnull=False),
        ),
    )

    def subject_q(self, user) -> Q:
        return Q(user=user) | Q(version__engagement__freelancer__user=user)


@personal_data.register(HoursReport)
class HoursReportData(PersonalData):
    description = _(
        "Hours reported per week on an engagement, what was done, and whether "
        "the company approved or disputed them."
    )
    subject = "engagement__freelancer__user"
    fields = {
        "week": Anonymise.keep(),
        "hours": Anonymise.keep(),
        "note": Anonymise.text(""),
        "dispute_reason": Anonymise.text(""),
        "status": Anonymise.keep(),
        "submitted_at": Anonymise.keep(),
        "decided_at": Anonymise.keep(),
        "retain_until": Anonymise.keep(),
    }
    restriction_field = "restricted_at"
    retention = Retention(
        key="engagements.hours.unapproved",
        purpose_ended="engagement__ended_at",
        after=CONVERSATION,
        action=Action.DELETE,
        description=_(
            "Hours never approved are deleted 12 months after the engagement ends."
        ),
    )
    legal_exceptions = (
        _bookkeeping(
            "engagements.hours.bookkeeping", keeps=Q(retain_until__isnull=False)
        ),
    )


@personal_data.register(Invoice)
class InvoiceData(PersonalData):
    description = _(
        "Invoices and credit notes: number, dates, the parties' names, CVR and "
        "addresses, what was delivered and when, amounts with VAT, and the PDF."
    )
    subject = "engagement__freelancer__user"
    fields = {
        "number": Anonymise.keep(),
        "issue_date": Anonymise.keep(),
        "description": Anonymise.text(""),
        "buyer_name": Anonymise.text("Anonymised"),
        "buyer_cvr": Anonymise.text(""),
        "buyer_address": Anonymise.text(""),
        "buyer_email": Anonymise.text(""),
        "provider_name": Anonymise.text("Anonymised"),
        "provider_cvr": Anonymise.text(""),
        "total": Anonymise.keep(),
        "pdf": Anonymise.delete_file(),
        "paid_at": Anonymise.keep(),
        "retain_until": Anonymise.keep(),
    }
    restriction_field = "restricted_at"
    legal_exceptions = (_bookkeeping("engagements.invoice.bookkeeping"),)

    def subject_q(self, user) -> Q:
        return Q(engagement__freelancer__user=user) | Q(
            engagement__company__members=user
        )

    def rows_for(self, user):
        # Through company members: one invoice per member; the export and
        # erasure take each row once (by primary key).
        return Invoice.objects.filter(self.subject_q(user))


personal_data.exempt(
    InvoiceLine,
    reason="Lines of an invoice (week, hours, price); whom they concern is on "
    "the invoice, which is declared and anonymised.",
)
personal_data.exempt(InvoiceSequence, reason="The last invoice number used.")


# --- Hooks ----------


def _kept_scope(user) -> Q:
    """Engagements whose records an erasure of ``user`` restricts: theirs as
    the freelancer, or their company's when no other member's account is open
    (the company closes with them)."""
    other_live_member = CompanyMembership.objects.filter(
        company=OuterRef("company"), user__closed_at__isnull=True
    ).exclude(user=user)
    return Q(freelancer__user=user) | (
        Q(company__memberships__user=user) & ~Exists(other_live_member)
    )


@personal_data.on(Event.ERASE)
def _restrict_bookkeeping_on_erasure(*, user, actor, **context) -> None:
    """Erasure ends the person's engagements and restricts what the law keeps:
    used for nothing but bookkeeping from now on."""
    now = timezone.now()
    ids = set(Engagement.objects.filter(_kept_scope(user)).values_list("pk", flat=True))
    if not ids:
        return
    Engagement.objects.filter(
        pk__in=ids, status__in=[Engagement.Status.ACTIVE, Engagement.Status.PROPOSED]
    ).update(status=Engagement.Status.ENDED, ended_at=now)
    Engagement.objects.filter(pk__in=ids, activated_at__isnull=False).update(
        restricted_at=now
    )
    ContractVersion.objects.filter(
        engagement_id__in=ids, accepted_at__isnull=False
    ).update(restricted_at=now)
    ContractVersion.objects.filter(
        engagement_id__in=ids, status=ContractVersion.Status.PROPOSED
    ).update(status=ContractVersion.Status.WITHDRAWN)
    HoursReport.objects.filter(
        engagement_id__in=ids, retain_until__isnull=False
    ).update(restricted_at=now)
    Invoice.objects.filter(engagement_id__in=ids).update(restricted_at=now)


@personal_data.recipients_provider
def _inquiry_recipients(user) -> list[Recipient]:
    """Companies the freelancer shared contact details with by accepting an
    inquiry (and who then got their contract and invoices' details)."""
    recipients: dict[int, Recipient] = {}
    for thread in (
        Thread.objects.filter(freelancer__user=user, contact_shared_at__isnull=False)
        .select_related("company", "freelancer")
        .order_by("contact_shared_at")
    ):
        recipients.setdefault(
            thread.company_id,
            Recipient(
                name=thread.company.name,
                email=thread.company.contact_email,
                since=thread.contact_shared_at,
                reference=thread.freelancer.full_name,
            ),
        )
    return list(recipients.values())
