"""Restriction of processing (GDPR Art. 18): apply, warn before lifting, lift.

While a restriction holds, every declared restriction flag of the subject's
rows is set (``PersonalData.restriction_field``, on ``rows_owned_by``: not a
company's engagements while another member's account is open) and apps act
through ``Event.RESTRICT``; it is lifted only after the member was told.
Lifting clears only the flags this restriction set: a row already restricted
(by an earlier request, or kept for bookkeeping by an erasure) stays so.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy.models import DataSubjectRequest
from privacy.registry import Event, personal_data
from privacy.requests.notices import dsr_restriction_lift_warn, in_requester_language
from privacy.requests.services.workflow import (
    dsr_audit_record,
    dsr_finish,
    dsr_lock,
    dsr_progress_start,
    dsr_recipients_notify,
    dsr_status_require,
)

Kind = DataSubjectRequest.Kind
Status = DataSubjectRequest.Status


def _restriction_set(user, *, at) -> None:
    """Mark the subject's rows restricted at ``at``; rows already restricted
    (by an earlier request, or kept for bookkeeping by an erasure) keep
    their mark, so lifting this restriction cannot lift theirs."""
    for declaration in personal_data.restriction_declarations():
        field = declaration.restriction_field
        declaration.model._default_manager.filter(
            pk__in=declaration.rows_owned_by(user).values("pk"),
            **{f"{field}__isnull": True},
        ).update(**{field: at})


def _restriction_clear(user, *, at) -> None:
    """Lift the marks set by the restriction applied at ``at``, and only
    those: among all the subject's rows (``rows_for``), as a row the
    restriction marked may since have become someone else's too."""
    for declaration in personal_data.restriction_declarations():
        field = declaration.restriction_field
        declaration.model._default_manager.filter(
            pk__in=declaration.rows_for(user).values("pk"), **{field: at}
        ).update(**{field: None})


@in_requester_language
@transaction.atomic
def dsr_restriction_apply(
    *, request: DataSubjectRequest, actor, base_url: str = ""
) -> DataSubjectRequest:
    """Restrict processing (Art. 18): data stays stored but unused.

    Sets every declared restriction flag of the subject's rows (profiles hide
    the profile from directory, pages and API, and no company gets the CV),
    lets apps act (``Event.RESTRICT``), tells recipients (Art. 19) and
    completes the request. The restriction holds until lifted.
    """
    request = dsr_lock(request)
    if request.kind != Kind.RESTRICTION:
        raise ValidationError(_("This is not a restriction request."), code="kind")
    dsr_status_require(request, Status.VERIFIED, Status.IN_PROGRESS, step=_("applied"))
    if request.subject is None:
        raise ValidationError(
            _("No account matches this request; complete it instead."),
            code="no_subject",
        )
    dsr_progress_start(request, actor=actor)
    now = timezone.now()
    _restriction_set(request.subject, at=now)
    personal_data.emit(Event.RESTRICT, user=request.subject, actor=actor)
    request.restriction_applied_at = now
    request.save(update_fields=["restriction_applied_at"])
    dsr_audit_record(request, actor=actor, action="restriction_applied")
    dsr_recipients_notify(request, recipients=personal_data.recipients(request.subject))
    dsr_finish(
        request,
        actor=actor,
        base_url=base_url,
        extra=_(
            "Your data is kept but no longer used: your profile is hidden and "
            "not shared. We will tell you before the restriction is lifted."
        ),
    )
    return request


def _active_restriction(request: DataSubjectRequest) -> DataSubjectRequest:
    request = dsr_lock(request)
    if (
        request.kind != Kind.RESTRICTION
        or request.restriction_applied_at is None
        or request.restriction_lifted_at is not None
    ):
        raise ValidationError(
            _("This request has no active restriction."), code="no_restriction"
        )
    return request


@in_requester_language
@transaction.atomic
def dsr_restriction_lift_notify(
    *, request: DataSubjectRequest, actor
) -> DataSubjectRequest:
    """Tell the member the restriction is about to be lifted (Art. 18(3))."""
    request = _active_restriction(request)
    request.restriction_lift_notified_at = timezone.now()
    request.save(update_fields=["restriction_lift_notified_at"])
    dsr_audit_record(request, actor=actor, action="restriction_lift_notified")
    dsr_restriction_lift_warn(request)
    return request


@transaction.atomic
def dsr_restriction_lift(*, request: DataSubjectRequest, actor) -> DataSubjectRequest:
    """Lift a restriction; only after the member was told (Art. 18(3))."""
    request = _active_restriction(request)
    if request.restriction_lift_notified_at is None:
        raise ValidationError(
            _("Tell the member first that the restriction will be lifted."),
            code="not_notified",
        )
    if request.subject is not None:
        _restriction_clear(request.subject, at=request.restriction_applied_at)
        personal_data.emit(Event.LIFT_RESTRICTION, user=request.subject, actor=actor)
    request.restriction_lifted_at = timezone.now()
    request.save(update_fields=["restriction_lifted_at"])
    dsr_audit_record(request, actor=actor, action="restriction_lifted")
    return request
