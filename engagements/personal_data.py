"""What engagements hold about people, for how long, and what a law keeps.

Two kinds of record, two rules:
- Conversations (inquiries, messages, participations, reports, blocks) go
  12 months after their purpose ends (the thread's last activity), and at
  once on erasure. A thread is shared by its parties: erasing one deletes
  their messages and participation, and the other party keeps the thread
  (the erased person shows as "Deleted user") until it ages out.
- Bookkeeping records (accepted contracts and their acceptances, approved
  and invoiced hours, invoices) are kept ``BOOKKEEPING_YEARS`` after the end
  of the financial year they belong to (bogføringsloven), then anonymised by
  the purge. Erasure keeps them, marks them restricted (used for nothing but
  bookkeeping) and tells the person until when (``retain_until``).

Whose rows they are: an engagement's records are the freelancer's and the
company's. Every member of the company gets them in an access export; only
the freelancer, or a member the company closes with (no other member's
account is open), has them erased or restricted (``rows_owned_by``): while
the company has other members, it goes on using them under the contract.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, DateTimeField, Exists, F, OuterRef, Q, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from engagements.models import (
    BOOKKEEPING_YEARS,
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


def _years(message) -> str:
    """``message`` with ``BOOKKEEPING_YEARS`` in it, translated when read (the
    number has one home, ``engagements.models``)."""
    return lazy(lambda: str(message) % {"years": BOOKKEEPING_YEARS}, str)()


BOOKKEEPING_REASON = _years(
    _(
        "The Danish Bookkeeping Act (bogføringsloven) requires accounting records "
        "to be kept for %(years)s years from the end of the financial year they "
        "belong to. They are restricted: used for nothing but bookkeeping."
    )
)
BOOKKEEPING_PERIOD = _years(
    _(
        "%(years)s years from the end of the financial year they belong to, then "
        "anonymised"
    )
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
            period_text=BOOKKEEPING_PERIOD,
            description=_years(
                _(
                    "Kept %(years)s years from the end of the financial year they "
                    "belong to (Bookkeeping Act), restricted if you ask for erasure, "
                    "then anonymised."
                )
            ),
        ),
    )


def _member_companies(user):
    return CompanyMembership.objects.filter(user=user).values("company_id")


def _closing_companies(user):
    """Companies of ``user`` with no other member whose account is open: they
    close with ``user`` (``profiles.services.account_close``, by the rule of
    ``profiles.selectors.company_list_memberless``)."""
    other_open = CompanyMembership.objects.filter(
        company=OuterRef("company"),
        user__closed_at__isnull=True,
        user__anonymised_at__isnull=True,
    ).exclude(user=user)
    return _member_companies(user).filter(~Exists(other_open))


def _party_q(user, prefix: str = "") -> Q:
    """Engagement records ``user`` is a party to, through ``prefix`` (the path
    to the engagement): as the freelancer, or as a member of the company."""
    return Q(**{f"{prefix}freelancer__user": user}) | Q(
        **{f"{prefix}company__in": _member_companies(user)}
    )


def _owned_q(user, prefix: str = "") -> Q:
    """Engagement records erasure and restriction of ``user`` act on: theirs
    as the freelancer, or their company's when it closes with them."""
    return Q(**{f"{prefix}freelancer__user": user}) | Q(
        **{f"{prefix}company__in": _closing_companies(user)}
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


def _engagement_purpose_ended(prefix: str = ""):
    """When an engagement's purpose ended: when it ended (declined, withdrawn,
    completed), or, for a proposal nobody answered, when it was proposed: an
    unanswered proposal is not kept for ever."""
    return Coalesce(
        F(f"{prefix}ended_at"),
        Case(
            When(
                **{f"{prefix}activated_at__isnull": True},
                then=F(f"{prefix}created_at"),
            ),
            default=None,
            output_field=DateTimeField(),
        ),
    )


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
        purpose_ended=_engagement_purpose_ended(),
        after=CONVERSATION,
        action=Action.DELETE,
        description=_(
            "Proposals never accepted are deleted 12 months after they were "
            "declined or withdrawn, or 12 months after they were made if "
            "nobody answered them."
        ),
    )
    legal_exceptions = (
        _bookkeeping(
            "engagements.engagement.bookkeeping", keeps=Q(activated_at__isnull=False)
        ),
    )

    def subject_q(self, user) -> Q:
        return _party_q(user) | Q(created_by=user)

    def rows_owned_by(self, user):
        return Engagement.objects.filter(_owned_q(user))


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
        purpose_ended=_engagement_purpose_ended("engagement__"),
        after=CONVERSATION,
        action=Action.DELETE,
        description=_(
            "Proposals never accepted are deleted 12 months after the engagement "
            "ends, or 12 months after they were made if nobody answered them."
        ),
    )
    legal_exceptions = (
        _bookkeeping(
            "engagements.contract.bookkeeping", keeps=Q(accepted_at__isnull=False)
        ),
    )

    def subject_q(self, user) -> Q:
        return _party_q(user, "engagement__") | Q(proposed_by=user)

    def rows_owned_by(self, user):
        return ContractVersion.objects.filter(_owned_q(user, "engagement__"))


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
        purpose_ended=_engagement_purpose_ended("version__engagement__"),
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
        return Q(user=user) | _party_q(user, "version__engagement__")

    def rows_owned_by(self, user):
        # Their own acceptances too: who accepted for the company is about them.
        return ContractAcceptance.objects.filter(
            Q(user=user) | _owned_q(user, "version__engagement__")
        )


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

    def subject_q(self, user) -> Q:
        return _party_q(user, "engagement__")

    def rows_owned_by(self, user):
        return HoursReport.objects.filter(_owned_q(user, "engagement__"))


@personal_data.register(Invoice)
class InvoiceData(PersonalData):
    description = _(
        "Invoices and credit notes: number, dates, the parties' names, CVR and "
        "addresses, what was delivered and when, amounts with VAT, and the PDF."
    )
    subject = "engagement__freelancer__user"
    fields = {
        "number": Anonymise.keep(),
        "kind": Anonymise.keep(),
        "issue_date": Anonymise.keep(),
        "due_date": Anonymise.keep(),
        "period_start": Anonymise.keep(),
        "period_end": Anonymise.keep(),
        "description": Anonymise.text(""),
        "buyer_name": Anonymise.text("Anonymised"),
        "buyer_cvr": Anonymise.text(""),
        "buyer_address": Anonymise.text(""),
        "buyer_email": Anonymise.text(""),
        "provider_name": Anonymise.text("Anonymised"),
        "provider_cvr": Anonymise.text(""),
        "amount_excl_vat": Anonymise.keep(),
        "vat_amount": Anonymise.keep(),
        "total": Anonymise.keep(),
        "pdf": Anonymise.delete_file(),
        "paid_at": Anonymise.keep(),
        "retain_until": Anonymise.keep(),
    }
    restriction_field = "restricted_at"
    legal_exceptions = (_bookkeeping("engagements.invoice.bookkeeping"),)

    def subject_q(self, user) -> Q:
        return _party_q(user, "engagement__")

    def rows_owned_by(self, user):
        return Invoice.objects.filter(_owned_q(user, "engagement__"))


personal_data.exempt(
    InvoiceLine,
    reason="Lines of an invoice (week, hours, price); whom they concern is on "
    "the invoice, which is declared and anonymised.",
)
personal_data.exempt(InvoiceSequence, reason="The last invoice number used.")


# --- Hooks ----------


def _clear_subjects_written_by(user) -> None:
    """The subject of an inquiry is its sender's words, like their messages
    (deleted on erasure): cleared in the copy the other party keeps, as the
    declaration's anonymiser would. A thread a freelancer opened by interest
    in an opportunity is titled by the company's post, not by them: its
    subject stays for the company."""
    Thread.objects.filter(created_by=user).exclude(freelancer__user=user).exclude(
        subject=""
    ).update(subject="")


@personal_data.on(Event.ERASE)
def _restrict_bookkeeping_on_erasure(*, user, actor, **context) -> None:
    """Erasure ends the person's engagements and restricts what the law keeps:
    used for nothing but bookkeeping from now on.

    Their engagements are those ``rows_owned_by`` gives: as the freelancer, or
    their company's when it closes with them. A proposal they made for a
    company that lives on is withdrawn: their acceptance on the company's
    behalf is erased with them, and a contract needs both.
    """
    now = timezone.now()
    ContractVersion.objects.filter(
        proposed_by=user, status=ContractVersion.Status.PROPOSED
    ).update(status=ContractVersion.Status.WITHDRAWN)
    _clear_subjects_written_by(user)
    ids = set(Engagement.objects.filter(_owned_q(user)).values_list("pk", flat=True))
    if not ids:
        return
    Engagement.objects.filter(pk__in=ids, status=Engagement.Status.ACTIVE).update(
        status=Engagement.Status.ENDED, ended_at=now
    )
    Engagement.objects.filter(pk__in=ids, status=Engagement.Status.PROPOSED).update(
        status=Engagement.Status.CANCELLED, ended_at=now
    )
    ContractVersion.objects.filter(
        engagement_id__in=ids, status=ContractVersion.Status.PROPOSED
    ).update(status=ContractVersion.Status.WITHDRAWN)
    # Marked with the erasure's own moment, also where an Art. 18 restriction
    # marked them before: lifting that restriction clears only its own marks.
    Engagement.objects.filter(pk__in=ids, activated_at__isnull=False).update(
        restricted_at=now
    )
    ContractVersion.objects.filter(
        engagement_id__in=ids, accepted_at__isnull=False
    ).update(restricted_at=now)
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
