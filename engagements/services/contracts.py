"""Contracts: the company proposes, the freelancer accepts; accepted
versions are final and a change is a new version both accept.

What must never happen, and how it is prevented:
- Accepting a text other than the one shown: acceptance names the text's
  SHA-256; a proposal changed since the page was read is refused.
- An accepted contract edited: nothing here updates an accepted version's
  terms; ``contract_propose`` on an active engagement adds version n+1.
- A contract outside an accepted inquiry: proposals need the thread to be
  accepted, and the proposer to be a member of the thread's company.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from engagements.documents import contract_text_render, fingerprint
from engagements.models import (
    ContractAcceptance,
    ContractVersion,
    Engagement,
    Party,
    RateKind,
    Thread,
    bookkeeping_retain_until,
)
from engagements.selectors import party_of
from privacy.services import audit_record


def _terms_clean(
    *,
    title,
    scope,
    start_date,
    end_date,
    rate_kind,
    rate,
    payment_terms_days,
    billing_email,
) -> dict:
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    title = (title or "").strip()
    scope = (scope or "").strip()
    if not title:
        error("title", _("Give the engagement a title."))
    elif len(title) > 200:
        error("title", _("Keep the title under 200 characters."))
    if not scope:
        error("scope", _("Describe the work."))
    elif len(scope) > 5000:
        error("scope", _("Keep the description under 5,000 characters."))
    if not isinstance(start_date, dt.date):
        error("start_date", _("Give a start date."))
    if not isinstance(end_date, dt.date):
        error("end_date", _("Give an end date."))
    if (
        isinstance(start_date, dt.date)
        and isinstance(end_date, dt.date)
        and end_date < start_date
    ):
        error("end_date", _("The contract cannot end before it starts."))
    if rate_kind not in RateKind.values:
        error("rate_kind", _("Choose an hourly rate or a fixed price."))
    try:
        rate = Decimal(str(rate))
        if not rate.is_finite() or rate <= 0:
            raise InvalidOperation
        if rate.as_tuple().exponent < -2 or rate >= Decimal("10000000000"):
            error("rate", _("Give the amount in DKK with at most two decimals."))
    except (InvalidOperation, TypeError, ValueError):
        error("rate", _("The rate must be more than 0 DKK."))
    try:
        payment_terms_days = int(payment_terms_days)
        if not 1 <= payment_terms_days <= 90:
            raise ValueError
    except (TypeError, ValueError):
        error("payment_terms_days", _("Payment terms are 1 to 90 days."))
    billing_email = (billing_email or "").strip()
    try:
        validate_email(billing_email)
    except ValidationError:
        error("billing_email", _("Give the e-mail address invoices go to."))
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "scope": scope,
        "start_date": start_date,
        "end_date": end_date,
        "rate_kind": rate_kind,
        "rate": rate,
        "payment_terms_days": payment_terms_days,
        "billing_email": billing_email,
    }


def _company_member_require(engagement_or_thread, actor) -> None:
    party = party_of(
        user=actor,
        company_id=engagement_or_thread.company_id,
        freelancer_user_id=engagement_or_thread.freelancer.user_id,
    )
    if party != Party.COMPANY:
        raise ValidationError(
            _("Only a member of the client company can propose a contract."),
            code="not_company",
        )


def _acceptance_record(version: ContractVersion, *, actor, party: str, now) -> None:
    name = actor.email
    if party == Party.FREELANCER:
        name = version.engagement.freelancer.full_name or actor.email
    ContractAcceptance.objects.create(
        version=version,
        user=actor,
        party=party,
        name=name,
        text_sha256=version.text_sha256,
        accepted_at=now,
    )


@transaction.atomic
def contract_propose(
    *,
    actor,
    thread: Thread | None = None,
    engagement: Engagement | None = None,
    title: str,
    scope: str,
    start_date,
    end_date,
    rate_kind: str,
    rate,
    payment_terms_days=14,
    billing_email: str = "",
) -> ContractVersion:
    """Propose a contract from an accepted inquiry, or a new version of an
    engagement's contract. The proposal is the company's acceptance."""
    if engagement is None:
        if thread is None:
            raise ValidationError(_("Choose the inquiry the contract is for."))
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        _company_member_require(thread, actor)
        if thread.status != Thread.Status.ACCEPTED:
            raise ValidationError(
                _(
                    "A contract can be proposed once the freelancer has accepted "
                    "the inquiry."
                ),
                code="not_accepted",
            )
        engagement = (
            Engagement.objects.filter(
                thread=thread,
                status__in=[Engagement.Status.PROPOSED, Engagement.Status.ACTIVE],
            )
            .select_for_update()
            .first()
        )
    else:
        engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement is not None:
        _company_member_require(engagement, actor)
        if engagement.restricted_at or engagement.status in (
            Engagement.Status.ENDED,
            Engagement.Status.CANCELLED,
        ):
            raise ValidationError(
                _("This engagement has ended; start a new inquiry."), code="ended"
            )
    terms = _terms_clean(
        title=title,
        scope=scope,
        start_date=start_date,
        end_date=end_date,
        rate_kind=rate_kind,
        rate=rate,
        payment_terms_days=payment_terms_days,
        billing_email=billing_email,
    )
    now = timezone.now()
    if engagement is None:
        engagement = Engagement.objects.create(
            company=thread.company,
            freelancer=thread.freelancer,
            thread=thread,
            created_by=actor,
            title=terms["title"],
            billing_email=terms["billing_email"],
            created_at=now,
        )
    else:
        engagement.billing_email = terms["billing_email"]
        if engagement.status == Engagement.Status.PROPOSED:
            engagement.title = terms["title"]
        engagement.save(update_fields=["billing_email", "title"])
    # A pending proposal is replaced by the new one.
    engagement.versions.filter(status=ContractVersion.Status.PROPOSED).update(
        status=ContractVersion.Status.WITHDRAWN
    )
    number = (engagement.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    language = actor.language or translation.get_language() or settings.LANGUAGE_CODE
    text = contract_text_render(
        engagement=engagement,
        number=number,
        scope=terms["scope"],
        start_date=terms["start_date"],
        end_date=terms["end_date"],
        rate_kind=terms["rate_kind"],
        rate=terms["rate"],
        payment_terms_days=terms["payment_terms_days"],
        language=language,
    )
    version = ContractVersion.objects.create(
        engagement=engagement,
        number=number,
        scope=terms["scope"],
        start_date=terms["start_date"],
        end_date=terms["end_date"],
        rate_kind=terms["rate_kind"],
        rate=terms["rate"],
        payment_terms_days=terms["payment_terms_days"],
        text=text,
        text_sha256=fingerprint(text),
        proposed_by=actor,
        proposed_at=now,
    )
    _acceptance_record(version, actor=actor, party=Party.COMPANY, now=now)
    audit_record(
        actor=actor,
        subject=engagement.freelancer.user,
        action="engagements.contract_proposed",
        target=version,
        details={"engagement_id": engagement.pk, "number": number},
    )
    return version


def _version_lock(version: ContractVersion) -> ContractVersion:
    return (
        ContractVersion.objects.select_for_update()
        .select_related("engagement__company", "engagement__freelancer__user")
        .get(pk=version.pk)
    )


@transaction.atomic
def contract_accept(
    *, version: ContractVersion, actor, text_sha256: str
) -> ContractVersion:
    """The freelancer accepts the text they were shown (by its fingerprint)."""
    from engagements.tasks import contract_document_send

    version = _version_lock(version)
    engagement = Engagement.objects.select_for_update().get(pk=version.engagement_id)
    if version.engagement.freelancer.user_id != actor.pk:
        raise ValidationError(
            _("Only the freelancer can accept this contract."), code="not_freelancer"
        )
    if version.status != ContractVersion.Status.PROPOSED:
        raise ValidationError(
            _("This contract version is no longer open for acceptance."),
            code="not_proposed",
        )
    if (text_sha256 or "") != version.text_sha256:
        raise ValidationError(
            _(
                "The contract changed while you read it. Read the new text and "
                "accept again."
            ),
            code="text_changed",
        )
    if engagement.restricted_at:
        raise ValidationError(_("This engagement has ended."), code="ended")
    now = timezone.now()
    engagement.versions.filter(status=ContractVersion.Status.ACCEPTED).update(
        status=ContractVersion.Status.SUPERSEDED
    )
    version.status = ContractVersion.Status.ACCEPTED
    version.accepted_at = now
    version.retain_until = bookkeeping_retain_until(version.end_date)
    version.save(update_fields=["status", "accepted_at", "retain_until"])
    _acceptance_record(version, actor=actor, party=Party.FREELANCER, now=now)
    engagement.status = Engagement.Status.ACTIVE
    engagement.activated_at = engagement.activated_at or now
    engagement.retain_until = max(
        filter(None, [engagement.retain_until, version.retain_until])
    )
    engagement.save(update_fields=["status", "activated_at", "retain_until"])
    audit_record(
        actor=actor,
        subject=actor,
        action="engagements.contract_accepted",
        target=version,
        details={"engagement_id": engagement.pk, "number": version.number},
    )
    # Queued after commit: the worker reads the committed version.
    transaction.on_commit(lambda: contract_document_send.delay(version.pk), robust=True)
    return version


@transaction.atomic
def contract_decline(*, version: ContractVersion, actor) -> ContractVersion:
    version = _version_lock(version)
    if version.engagement.freelancer.user_id != actor.pk:
        raise ValidationError(
            _("Only the freelancer can decline this contract."), code="not_freelancer"
        )
    if version.status != ContractVersion.Status.PROPOSED:
        raise ValidationError(
            _("This contract version is no longer open for acceptance."),
            code="not_proposed",
        )
    version.status = ContractVersion.Status.DECLINED
    version.save(update_fields=["status"])
    engagement = version.engagement
    if engagement.status == Engagement.Status.PROPOSED:
        engagement.status = Engagement.Status.CANCELLED
        engagement.ended_at = timezone.now()
        engagement.save(update_fields=["status", "ended_at"])
    return version


@transaction.atomic
def engagement_end(*, engagement: Engagement, actor) -> Engagement:
    """Either party ends an active engagement; hours can no longer be added."""
    engagement = (
        Engagement.objects.select_for_update()
        .select_related("freelancer")
        .get(pk=engagement.pk)
    )
    party = party_of(
        user=actor,
        company_id=engagement.company_id,
        freelancer_user_id=engagement.freelancer.user_id,
    )
    if party is None:
        raise ValidationError(
            _("You are not a party to this engagement."), code="not_party"
        )
    if engagement.status not in (Engagement.Status.ACTIVE, Engagement.Status.PROPOSED):
        raise ValidationError(_("This engagement has already ended."), code="ended")
    now = timezone.now()
    engagement.status = (
        Engagement.Status.ENDED
        if engagement.status == Engagement.Status.ACTIVE
        else Engagement.Status.CANCELLED
    )
    engagement.ended_at = now
    engagement.save(update_fields=["status", "ended_at"])
    engagement.versions.filter(status=ContractVersion.Status.PROPOSED).update(
        status=ContractVersion.Status.WITHDRAWN
    )
    audit_record(
        actor=actor,
        subject=engagement.freelancer.user,
        action="engagements.engagement_ended",
        target=engagement,
    )
    return engagement
