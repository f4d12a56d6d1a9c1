"""Inquiries and their threads: send, reply, accept, decline, block, report.

What must never happen, and how it is prevented:
- An inquiry from someone who is not a member of a verified, open company,
  to a profile that is not public, or from a company the freelancer blocked:
  ``inquiry_send`` checks each, and refuses with a message that says why.
- A flood: inquiries are rate-limited per company and per member
  (``settings.INQUIRY_RATE_LIMIT``); a refused inquiry stores nothing.
- Contact details shared before the freelancer says yes: the company sees
  e-mail and phone only once ``contact_shared_at`` is set, by accept; that
  moment is audited, and the company is then a recipient (Art. 19).
- Staff reading a conversation: only through ``thread_report_review``, for a
  reported thread, and every such reading is an audit event.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consent.mail import MailKind, mail_language, mail_send
from core import ratelimit
from core.mail import absolute_url
from engagements.models import (
    CompanyBlock,
    Message,
    Party,
    Thread,
    ThreadParticipant,
    ThreadReport,
)
from engagements.selectors import company_is_blocked, party_of
from privacy.selectors import subject_is_restricted
from privacy.services import audit_record
from profiles.models import Company, CompanyMembership, FreelancerProfile
from profiles.selectors import freelancer_is_public

MAX_BODY = 5000


def _inquiry_limits() -> tuple[ratelimit.Limit, ratelimit.Limit]:
    uses, window = settings.INQUIRY_RATE_LIMIT
    return (
        ratelimit.Limit("inquiry.company", limit=uses, window=window),
        ratelimit.Limit("inquiry.member", limit=uses, window=window),
    )


def _body_clean(body: str, *, required: bool = True) -> str:
    body = (body or "").strip()
    if required and not body:
        raise ValidationError({"body": _("Write a message.")}, code="required")
    if len(body) > MAX_BODY:
        raise ValidationError(
            {"body": _("Keep the message under 5,000 characters.")}, code="max_length"
        )
    return body


def _notify(*, user, subject: str, lines: list[str], path: str) -> None:
    """A short service mail in the recipient's language, after commit, through
    the mail service (the controller's footer, retries)."""
    with translation.override(mail_language(user=user)):
        body = "\n\n".join([*[str(line) for line in lines], absolute_url(path)])
        mail_send(kind=MailKind.SERVICE, user=user, subject=str(subject), body=body)


def _touch(thread: Thread, *, now) -> None:
    thread.last_activity_at = now
    Thread.objects.filter(pk=thread.pk).update(last_activity_at=now)


def _participate(thread: Thread, *, user, party: str, now) -> None:
    participation, created = ThreadParticipant.objects.get_or_create(
        thread=thread, user=user, defaults={"party": party, "joined_at": now}
    )
    if not created:
        participation.last_read_at = now
        participation.save(update_fields=["last_read_at"])


@transaction.atomic
def inquiry_send(
    *,
    company: Company,
    freelancer: FreelancerProfile,
    actor,
    subject: str,
    body: str,
    period_start=None,
    period_end=None,
    rate: Decimal | None = None,
) -> Thread:
    """Open a thread from ``company`` to ``freelancer``.

    Raises ValidationError (field errors where a field is wrong) and changes
    nothing when the inquiry may not be sent.
    """
    membership = CompanyMembership.objects.filter(company=company, user=actor).first()
    if membership is None or company.closed_at is not None:
        raise ValidationError(
            _("You can only send inquiries for a company you are a member of."),
            code="not_member",
        )
    if company.verified_at is None:
        raise ValidationError(
            _(
                "Your company must be verified before it can contact freelancers. "
                "Staff check the CVR number and contact details."
            ),
            code="company_unverified",
        )
    if freelancer.user_id == actor.pk:
        raise ValidationError(_("You cannot send an inquiry to yourself."), code="self")
    if not freelancer_is_public(profile=freelancer):
        raise ValidationError(
            _("This profile is not published, so it cannot be contacted."),
            code="not_public",
        )
    if company_is_blocked(company=company, freelancer=freelancer):
        raise ValidationError(
            _("This freelancer does not accept inquiries from your company."),
            code="blocked",
        )
    subject = (subject or "").strip()
    errors: dict[str, list[str]] = {}
    if not subject:
        errors.setdefault("subject", []).append(_("Give the inquiry a subject."))
    elif len(subject) > 200:
        errors.setdefault("subject", []).append(
            _("Keep the subject under 200 characters.")
        )
    try:
        body = _body_clean(body)
    except ValidationError as error:
        errors.update(error.message_dict)
    if period_start and period_end and period_end < period_start:
        errors.setdefault("period_end", []).append(
            _("The period cannot end before it starts.")
        )
    if rate is not None and rate <= 0:
        errors.setdefault("rate", []).append(_("The rate must be more than 0 DKK."))
    if errors:
        raise ValidationError(errors)
    by_company, by_member = _inquiry_limits()
    for limit, value in ((by_company, f"c{company.pk}"), (by_member, f"u{actor.pk}")):
        if ratelimit.hit(limit, value) is not None:
            raise ValidationError(
                _("Your company has sent many inquiries today. Try again tomorrow."),
                code="rate_limited",
            )
    now = timezone.now()
    thread = Thread.objects.create(
        company=company,
        freelancer=freelancer,
        created_by=actor,
        subject=subject,
        period_start=period_start,
        period_end=period_end,
        rate=rate,
        created_at=now,
        last_activity_at=now,
    )
    ThreadParticipant.objects.create(
        thread=thread, user=actor, party=Party.COMPANY, joined_at=now, last_read_at=now
    )
    ThreadParticipant.objects.create(
        thread=thread, user=freelancer.user, party=Party.FREELANCER, joined_at=now
    )
    Message.objects.create(
        thread=thread, sender=actor, party=Party.COMPANY, body=body, created_at=now
    )
    path = reverse("engagements:thread_detail", kwargs={"pk": thread.pk})
    with translation.override(freelancer.user.language or settings.LANGUAGE_CODE):
        _notify(
            user=freelancer.user,
            subject=_("New inquiry from %(company)s") % {"company": company.name},
            lines=[
                _("%(company)s sent you an inquiry: %(subject)s")
                % {"company": company.name, "subject": subject},
                _("Read it and answer here:"),
            ],
            path=path,
        )
    return thread


@transaction.atomic
def interest_express(
    *,
    opportunity_title: str,
    company: Company,
    freelancer: FreelancerProfile,
    actor,
    body: str,
) -> Thread:
    """Open a thread the freelancer started: interest in a company's posted
    opportunity. Refused (nothing stored) as ``inquiry_send`` refuses: a
    closed or unverified company, a profile that is not public, a company the
    freelancer blocked, a flood (``settings.INQUIRY_RATE_LIMIT`` per member).
    """
    if freelancer.user_id != actor.pk:
        raise ValidationError(
            _("Only the freelancer can express interest."), code="not_owner"
        )
    if company.closed_at is not None or company.verified_at is None:
        raise ValidationError(
            _("This company cannot be contacted now."), code="company_unavailable"
        )
    if subject_is_restricted(user=actor):
        # Art. 18: their data is kept, not used; an inquiry would use it.
        raise ValidationError(
            _(
                "The use of your data is restricted, so companies cannot be "
                "contacted for now."
            ),
            code="restricted",
        )
    if not freelancer_is_public(profile=freelancer):
        raise ValidationError(
            _("Publish your profile first: the company reads it."),
            code="not_public",
        )
    if company_is_blocked(company=company, freelancer=freelancer):
        raise ValidationError(
            _("You blocked this company; unblock it to contact it."),
            code="blocked",
        )
    body = _body_clean(body)
    _by_company, by_member = _inquiry_limits()
    if ratelimit.hit(by_member, f"u{actor.pk}") is not None:
        raise ValidationError(
            _("You have contacted many companies today. Try again tomorrow."),
            code="rate_limited",
        )
    now = timezone.now()
    thread = Thread.objects.create(
        company=company,
        freelancer=freelancer,
        created_by=actor,
        subject=(opportunity_title or "").strip()[:200],
        created_at=now,
        last_activity_at=now,
    )
    ThreadParticipant.objects.create(
        thread=thread,
        user=actor,
        party=Party.FREELANCER,
        joined_at=now,
        last_read_at=now,
    )
    Message.objects.create(
        thread=thread, sender=actor, party=Party.FREELANCER, body=body, created_at=now
    )
    path = reverse("engagements:thread_detail", kwargs={"pk": thread.pk})
    name = freelancer.full_name
    for membership in CompanyMembership.objects.filter(company=company).select_related(
        "user"
    ):
        user = membership.user
        if not user.is_active or user.closed_at:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            _notify(
                user=user,
                subject=_("%(name)s is interested in “%(title)s”")
                % {"name": name, "title": thread.subject},
                lines=[_("Read the message and answer here:")],
                path=path,
            )
    return thread


def _thread_lock(thread: Thread) -> Thread:
    return (
        Thread.objects.select_for_update()
        .select_related("company", "freelancer__user")
        .get(pk=thread.pk)
    )


def _party_require(thread: Thread, actor, *parties: str) -> str:
    party = party_of(
        user=actor,
        company_id=thread.company_id,
        freelancer_user_id=thread.freelancer.user_id,
    )
    if party is None or (parties and party not in parties):
        raise ValidationError(
            _("Only the freelancer can answer an inquiry.")
            if parties == (Party.FREELANCER,)
            else _("You are not a party to this conversation."),
            code="not_party",
        )
    return party


@transaction.atomic
def message_send(*, thread: Thread, actor, body: str) -> Message:
    thread = _thread_lock(thread)
    party = _party_require(thread, actor)
    body = _body_clean(body)
    if thread.status == Thread.Status.DECLINED:
        raise ValidationError(
            _("This inquiry was declined; the conversation is closed."),
            code="declined",
        )
    if party == Party.COMPANY and company_is_blocked(
        company=thread.company, freelancer=thread.freelancer
    ):
        raise ValidationError(
            _("This freelancer does not accept messages from your company."),
            code="blocked",
        )
    if party == Party.COMPANY and subject_is_restricted(user=thread.freelancer.user):
        # Art. 18: their data is kept, not used; a new message would use it.
        raise ValidationError(
            _(
                "This freelancer has restricted the use of their data, so they "
                "cannot receive messages for now."
            ),
            code="restricted",
        )
    now = timezone.now()
    message = Message.objects.create(
        thread=thread, sender=actor, party=party, body=body, created_at=now
    )
    _participate(thread, user=actor, party=party, now=now)
    _touch(thread, now=now)
    path = reverse("engagements:thread_detail", kwargs={"pk": thread.pk})
    others = (
        ThreadParticipant.objects.filter(thread=thread)
        .exclude(user=actor)
        .select_related("user")
    )
    for other in others:
        if not other.user.is_active or other.user.closed_at:
            continue
        with translation.override(other.user.language or settings.LANGUAGE_CODE):
            _notify(
                user=other.user,
                subject=_("New message: %(subject)s") % {"subject": thread.subject},
                lines=[_("You have a new message in a conversation on Worksome.")],
                path=path,
            )
    return message


@transaction.atomic
def thread_read_mark(*, thread: Thread, user) -> None:
    ThreadParticipant.objects.filter(thread=thread, user=user).update(
        last_read_at=timezone.now()
    )


@transaction.atomic
def inquiry_accept(*, thread: Thread, actor, body: str = "") -> Thread:
    """The freelancer says yes: contact details are shared with the company."""
    thread = _thread_lock(thread)
    _party_require(thread, actor, Party.FREELANCER)
    if thread.status != Thread.Status.OPEN:
        raise ValidationError(
            _("This inquiry has already been answered."), code="answered"
        )
    body = _body_clean(body, required=False)
    now = timezone.now()
    thread.status = Thread.Status.ACCEPTED
    thread.decided_at = now
    thread.contact_shared_at = now
    thread.last_activity_at = now
    thread.save(
        update_fields=["status", "decided_at", "contact_shared_at", "last_activity_at"]
    )
    Message.objects.create(
        thread=thread,
        sender=actor,
        party=Party.FREELANCER,
        kind=Message.Kind.ACCEPTED,
        body=body,
        created_at=now,
    )
    audit_record(
        actor=actor,
        subject=actor,
        action="engagements.contact_shared",
        target=thread,
        details={"company": thread.company.name, "fields": ["email", "phone"]},
    )
    name = thread.freelancer.full_name
    _notify_company(
        thread,
        lambda: (
            _("%(name)s accepted your inquiry") % {"name": name},
            _("You can now see their contact details and propose a contract."),
        ),
    )
    return thread


def _notify_company(thread: Thread, build) -> None:
    """Mail the company's participants; ``build()`` gives (subject, line) and
    is called in each recipient's language."""
    path = reverse("engagements:thread_detail", kwargs={"pk": thread.pk})
    for participation in ThreadParticipant.objects.filter(
        thread=thread, party=Party.COMPANY
    ).select_related("user"):
        user = participation.user
        if not user.is_active or user.closed_at:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject, line = build()
            _notify(user=user, subject=str(subject), lines=[str(line)], path=path)


@transaction.atomic
def inquiry_decline(*, thread: Thread, actor, body: str = "") -> Thread:
    thread = _thread_lock(thread)
    _party_require(thread, actor, Party.FREELANCER)
    if thread.status != Thread.Status.OPEN:
        raise ValidationError(
            _("This inquiry has already been answered."), code="answered"
        )
    body = _body_clean(body, required=False)
    now = timezone.now()
    thread.status = Thread.Status.DECLINED
    thread.decided_at = now
    thread.last_activity_at = now
    thread.save(update_fields=["status", "decided_at", "last_activity_at"])
    Message.objects.create(
        thread=thread,
        sender=actor,
        party=Party.FREELANCER,
        kind=Message.Kind.DECLINED,
        body=body,
        created_at=now,
    )
    name, topic = thread.freelancer.full_name, thread.subject
    _notify_company(
        thread,
        lambda: (
            _("Your inquiry was declined"),
            _("%(name)s declined your inquiry “%(subject)s”.")
            % {"name": name, "subject": topic},
        ),
    )
    return thread


@transaction.atomic
def company_block(
    *, freelancer: FreelancerProfile, company: Company, actor
) -> CompanyBlock:
    if freelancer.user_id != actor.pk:
        raise ValidationError(
            _("Only the freelancer can block a company."), code="not_owner"
        )
    block, _created = CompanyBlock.objects.get_or_create(
        freelancer=freelancer, company=company
    )
    audit_record(
        actor=actor,
        subject=actor,
        action="engagements.company_blocked",
        target=block,
        details={"company_id": company.pk},
    )
    return block


@transaction.atomic
def company_unblock(*, freelancer: FreelancerProfile, company: Company, actor) -> None:
    if freelancer.user_id != actor.pk:
        raise ValidationError(
            _("Only the freelancer can unblock a company."), code="not_owner"
        )
    CompanyBlock.objects.filter(freelancer=freelancer, company=company).delete()


@transaction.atomic
def thread_report(*, thread: Thread, actor, reason: str) -> ThreadReport:
    """A party reports abuse; staff may then review the thread (audited)."""
    _party_require(thread, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what is wrong.")}, code="required")
    if len(reason) > 2000:
        raise ValidationError(
            {"reason": _("Keep the reason under 2,000 characters.")},
            code="max_length",
        )
    report = ThreadReport.objects.create(thread=thread, reporter=actor, reason=reason)
    audit_record(
        actor=actor,
        subject=actor,
        action="engagements.thread_reported",
        target=report,
        details={"thread_id": thread.pk},
    )
    return report


@transaction.atomic
def thread_report_review(*, report: ThreadReport, actor) -> list[Message]:
    """The messages of a reported thread, for staff; each reading is audited."""
    if not actor.has_perm("engagements.view_threadreport"):
        raise ValidationError(
            _("You do not have permission to review reported inquiries."),
            code="permission",
        )
    messages = list(
        Message.objects.filter(thread_id=report.thread_id)
        .select_related("sender")
        .order_by("created_at", "pk")
    )
    thread = report.thread
    for subject in {thread.freelancer.user, *(m.sender for m in messages)}:
        audit_record(
            actor=actor,
            subject=subject,
            action="engagements.reported_thread_read",
            target=report,
            details={"thread_id": thread.pk, "messages": len(messages)},
        )
    return messages


@transaction.atomic
def thread_report_resolve(
    *, report: ThreadReport, actor, resolution: str
) -> ThreadReport:
    if not actor.has_perm("engagements.change_threadreport"):
        raise ValidationError(
            _("You do not have permission to resolve reports."), code="permission"
        )
    report.resolved_at = timezone.now()
    report.resolved_by = actor
    report.resolution = (resolution or "").strip()[:2000]
    report.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    audit_record(
        actor=actor,
        subject=report.reporter,
        action="engagements.report_resolved",
        target=report,
    )
    return report
