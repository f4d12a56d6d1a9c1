"""The steps every request goes through: start, extend, reject, complete;
and the pieces each step is made of (lock, status check, audit, finish).

A step locks the request row (``dsr_lock``), checks it is allowed from the
current status (``dsr_status_require``), changes it and writes its audit
event (``dsr_audit_record``) in one transaction; its mail leaves after commit.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy.models import DataSubjectRequest
from privacy.registry import Event, Recipient, personal_data
from privacy.requests.deadlines import dsr_extended_due_at
from privacy.requests.notices import (
    dsr_completed_notify,
    dsr_extended_notify,
    dsr_rejected_notify,
    in_requester_language,
    recipient_notify,
)
from privacy.services import audit_record

Kind = DataSubjectRequest.Kind
Status = DataSubjectRequest.Status

#: kinds answered with an export archive (``access.dsr_export_request``).
EXPORT_KINDS = (Kind.ACCESS, Kind.PORTABILITY)


# --- The pieces of a step ------------------------------------------------------


def dsr_lock(request: DataSubjectRequest) -> DataSubjectRequest:
    """The request's row, locked for the rest of the transaction."""
    return DataSubjectRequest.objects.select_for_update().get(pk=request.pk)


def dsr_status_require(request: DataSubjectRequest, *statuses: str, step: str) -> None:
    """ValidationError (``wrong_status``) unless the request is in ``statuses``;
    ``step`` names the step in the message ("cannot be rejected")."""
    if request.status not in statuses:
        raise ValidationError(
            _("This request is %(status)s; it cannot be %(step)s.")
            % {"status": request.get_status_display().lower(), "step": step},
            code="wrong_status",
        )


def dsr_audit_record(
    request: DataSubjectRequest, *, actor, action: str, **details
) -> None:
    """The audit event of a step (``dsr.<action>``, target: the request);
    ``details`` hold ids, kinds and counts, never personal data."""
    audit_record(
        actor=actor,
        subject=request.subject,
        action=f"dsr.{action}",
        target=request,
        details={"kind": request.kind, **details},
    )


def dsr_progress_start(request: DataSubjectRequest, *, actor) -> None:
    """On a locked request: verified -> in progress (no-op when already in
    progress). The first step of the right-specific actions."""
    if request.status == Status.IN_PROGRESS:
        return
    dsr_status_require(request, Status.VERIFIED, step=_("started"))
    request.status = Status.IN_PROGRESS
    request.started_at = timezone.now()
    request.save(update_fields=["status", "started_at"])
    dsr_audit_record(request, actor=actor, action="started")


def dsr_finish(
    request: DataSubjectRequest,
    *,
    actor,
    base_url: str,
    extra: str = "",
    notify: bool = True,
) -> None:
    """On a locked request: mark it completed and tell the requester
    (``extra``: what was done; ``notify=False`` when the caller sends its own
    mail, as the export does)."""
    request.status = Status.COMPLETED
    request.completed_at = timezone.now()
    request.save(update_fields=["status", "completed_at"])
    dsr_audit_record(request, actor=actor, action="completed")
    if notify:
        dsr_completed_notify(request, base_url=base_url, extra=extra)


def dsr_recipients_notify(
    request: DataSubjectRequest, *, recipients: list[Recipient]
) -> None:
    """E-mail every recorded recipient (Art. 19) and keep the list for the member."""
    notified = [
        {
            "name": recipient.name,
            "since": recipient.since.isoformat() if recipient.since else None,
            "notified": recipient_notify(request, recipient=recipient),
        }
        for recipient in recipients
    ]
    request.recipients_notified = notified
    request.save(update_fields=["recipients_notified"])
    dsr_audit_record(
        request,
        actor=None,
        action="recipients_notified",
        count=sum(1 for n in notified if n["notified"]),
    )


def dsr_verified_effects_apply(request: DataSubjectRequest, *, actor) -> None:
    """What takes effect as soon as a request is verified: marketing stops
    (objection); consents are withdrawn (consent withdrawal). Idempotent."""
    if request.kind == Kind.OBJECTION:
        # Marketing stops for the address asked under and the member's own:
        # consent keeps the suppression list (``Event.OBJECT`` handlers).
        personal_data.emit(
            Event.OBJECT, user=request.subject, actor=actor, email=request.email
        )
        dsr_audit_record(request, actor=actor, action="marketing_suppressed")
    elif request.kind == Kind.CONSENT_WITHDRAWAL and request.subject is not None:
        personal_data.emit(Event.WITHDRAW_CONSENTS, user=request.subject, actor=actor)
        dsr_audit_record(request, actor=actor, action="consents_withdrawn")


# --- Steps ------------------------------------------------------------------------


@transaction.atomic
def dsr_start(*, request: DataSubjectRequest, actor) -> DataSubjectRequest:
    request = dsr_lock(request)
    dsr_status_require(request, Status.VERIFIED, step=_("started"))
    dsr_progress_start(request, actor=actor)
    return request


@in_requester_language
@transaction.atomic
def dsr_extend(
    *, request: DataSubjectRequest, actor, months: int, reason: str, base_url: str = ""
) -> DataSubjectRequest:
    """Extend the deadline by 1 or 2 months (at most 3 after receipt), with a reason.

    The requester is told why (GDPR Art. 12(3)).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give the reason for the extension.")}, code="no_reason"
        )
    request = dsr_lock(request)
    dsr_status_require(
        request,
        Status.RECEIVED,
        Status.VERIFIED,
        Status.IN_PROGRESS,
        step=_("extended"),
    )
    request.extended_due_at = dsr_extended_due_at(request, months=months)
    request.extension_reason = "\n".join(
        filter(None, [request.extension_reason, reason])
    )
    request.save(update_fields=["extended_due_at", "extension_reason"])
    dsr_audit_record(request, actor=actor, action="extended", months=months)
    dsr_extended_notify(request, reason=reason)
    return request


@in_requester_language
@transaction.atomic
def dsr_reject(
    *, request: DataSubjectRequest, actor, reason: str
) -> DataSubjectRequest:
    """Refuse a request, with the reason and how to complain (GDPR Art. 12(4))."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give the reason for the rejection.")}, code="no_reason"
        )
    request = dsr_lock(request)
    dsr_status_require(
        request,
        Status.RECEIVED,
        Status.VERIFIED,
        Status.IN_PROGRESS,
        step=_("rejected"),
    )
    request.status = Status.REJECTED
    request.rejected_at = timezone.now()
    request.rejection_reason = reason
    request.token_hash = None
    request.save(
        update_fields=["status", "rejected_at", "rejection_reason", "token_hash"]
    )
    dsr_audit_record(request, actor=actor, action="rejected")
    dsr_rejected_notify(request, reason=reason)
    return request


@in_requester_language
@transaction.atomic
def dsr_complete(
    *, request: DataSubjectRequest, actor, base_url: str = ""
) -> DataSubjectRequest:
    """Close a request whose work is done.

    Rectification: staff applied the change through the profile services;
    recipients are told (Art. 19). Objection and consent withdrawal took
    effect at verification and are applied again (idempotent). Access,
    erasure and restriction complete through their own steps; here they can
    only be closed when there is no account to act on.
    """
    request = dsr_lock(request)
    dsr_status_require(
        request, Status.VERIFIED, Status.IN_PROGRESS, step=_("completed")
    )
    if request.subject is not None and request.kind in (
        *EXPORT_KINDS,
        Kind.ERASURE,
        Kind.RESTRICTION,
    ):
        raise ValidationError(
            _(
                "Use its own action (build export, execute erasure, apply "
                "restriction); it completes the request."
            ),
            code="use_own_action",
        )
    if request.kind in (Kind.OBJECTION, Kind.CONSENT_WITHDRAWAL):
        dsr_verified_effects_apply(request, actor=actor)
    if request.kind == Kind.RECTIFICATION and request.subject is not None:
        dsr_recipients_notify(
            request, recipients=personal_data.recipients(request.subject)
        )
    extra = ""
    if request.subject is None:
        extra = _address_outcome(request, actor=actor)
    dsr_finish(request, actor=actor, base_url=base_url, extra=extra)
    return request


def _address_outcome(request: DataSubjectRequest, *, actor) -> str:
    """No account: what is held under the request's (verified) address,
    erased for an erasure, copied into the reply for access or portability."""
    text = _("We hold no account under this e-mail address.")
    holdings = personal_data.address_holdings(request.email)
    if not holdings:
        return text
    listed = "".join(f"\n- {h.name} ({h.rows})" for h in holdings)
    if request.kind == Kind.ERASURE:
        erased = personal_data.address_erase(request.email)
        dsr_audit_record(request, actor=actor, action="address_erased", count=erased)
        return f"{text} " + _("We deleted what we held under it:") + listed
    text = f"{text} " + _("We hold this under it:") + listed
    if request.kind in EXPORT_KINDS:
        copies = "".join(
            "\n\n" + h.name + "\n" + "\n".join(h.copy) for h in holdings if h.copy
        )
        text += "\n\n" + _("A copy of it follows.") + copies
    return text
