"""How a request comes in and is verified: by a member's session, by a
single-use link e-mailed to the address, or by staff.

- Intake never reveals whether an address has an account: an anonymous
  request is stored and its link sent whether or not the address is known.
- Only a hash of the link's token is stored; the link works once, within
  ``TOKEN_VALID_FOR``, checked again under the row lock.
- A member's own access or portability request needs no staff: the export is
  queued in the same transaction (built by the worker after commit), unless
  the request is flagged (``dsr_flag_reason``): then it waits for staff.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.crypto import token_hash
from core.mail import absolute_url
from privacy.models import DataSubjectRequest
from privacy.requests.deadlines import (
    EXPORT_FLAG_WINDOW,
    TOKEN_VALID_FOR,
    dsr_due_at,
)
from privacy.requests.notices import (
    dsr_received_notify,
    dsr_verification_link_send,
    dsr_verified_notify,
    in_requester_language,
)
from privacy.requests.selectors import dsr_get_by_token
from privacy.requests.services.access import dsr_export_request
from privacy.requests.services.workflow import (
    EXPORT_KINDS,
    dsr_audit_record,
    dsr_lock,
    dsr_status_require,
    dsr_verified_effects_apply,
)

Kind = DataSubjectRequest.Kind
Status = DataSubjectRequest.Status


def _validate_kind(kind: str) -> None:
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Unknown kind of request.")}, code="kind")


def _validate_details(details: str) -> str:
    details = (details or "").strip()
    if len(details) > 5000:
        raise ValidationError(
            {"details": _("Keep the details under 5000 characters.")}, code="long"
        )
    return details


def _normalise_email(email: str) -> str:
    return get_user_model().objects.normalize_email((email or "").strip()).lower()


#: export requests (access, portability) a member may make within
#: ``EXPORT_FLAG_WINDOW`` before the next one waits for staff.
DEFAULT_EXPORTS_UNFLAGGED = 3


def dsr_flag_reason(*, user, kind: str) -> str:
    """Why a member's new request must wait for staff ("" when it need not).

    The one rule: a member's access or portability request is answered by the
    worker alone, unless they already made ``DSR_EXPORTS_UNFLAGGED`` (3) such
    requests in the last 30 days (a session used to pull data in bulk, or a
    script): then staff look first (``Flag.VOLUME``).
    """
    if kind not in EXPORT_KINDS:
        return ""
    limit = getattr(settings, "DSR_EXPORTS_UNFLAGGED", DEFAULT_EXPORTS_UNFLAGGED)
    recent = DataSubjectRequest.objects.filter(
        subject=user,
        kind__in=EXPORT_KINDS,
        received_at__gte=timezone.now() - EXPORT_FLAG_WINDOW,
    ).count()
    return DataSubjectRequest.Flag.VOLUME if recent >= limit else ""


@transaction.atomic
def dsr_submit(
    *, user, kind: str, details: str = "", base_url: str = ""
) -> DataSubjectRequest:
    """A logged-in member's request: verified at once by their session.

    One open request per kind per member: each request mails staff and opens a
    deadline, so a flood of them is refused (the form says so). The member's
    row is locked first, so two requests sent at once cannot both pass.
    """
    _validate_kind(kind)
    details = _validate_details(details)
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if DataSubjectRequest.objects.filter(
        subject=user, kind=kind, status__in=DataSubjectRequest.OPEN_STATUSES
    ).exists():
        raise ValidationError(
            {
                "kind": _(
                    "You already have an open request of this kind. Follow it "
                    "on your requests page; you can file a new one when it is "
                    "completed or rejected."
                )
            },
            code="open_request",
        )
    flag = dsr_flag_reason(user=user, kind=kind)
    now = timezone.now()
    request = DataSubjectRequest.objects.create(
        kind=kind,
        subject=user,
        flagged_reason=flag,
        email=user.email,
        language=translation.get_language() or "",
        details=details,
        received_at=now,
        due_at=dsr_due_at(now),
        status=Status.VERIFIED,
        verification_method="session",
        verified_at=now,
    )
    dsr_audit_record(request, actor=user, action="received", channel="session")
    dsr_audit_record(request, actor=user, action="verified", method="session")
    if flag:
        dsr_audit_record(request, actor=None, action="flagged", reason=flag)
    dsr_received_notify(request, base_url=base_url)
    dsr_verified_effects_apply(request, actor=user)
    if kind in EXPORT_KINDS and not flag:
        # The member is verified by their session: the worker builds the
        # export after commit; staff see it in the queue but need not act.
        dsr_export_request(request=request, actor=user, base_url=base_url)
        request.refresh_from_db()
    return request


@transaction.atomic
def dsr_submit_anonymous(
    *, email: str, kind: str, details: str = "", base_url: str = ""
) -> DataSubjectRequest:
    """A request from an e-mail address: a single-use link verifies it.

    Stored and answered the same way whether or not the address has an
    account, so the response reveals nothing about who is a member.
    """
    _validate_kind(kind)
    details = _validate_details(details)
    email = _normalise_email(email)
    if not email:
        raise ValidationError({"email": _("Enter an e-mail address.")}, code="email")
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    request = DataSubjectRequest.objects.create(
        kind=kind,
        email=email,
        language=translation.get_language() or "",
        details=details,
        received_at=now,
        due_at=dsr_due_at(now),
        token_hash=token_hash(token),
        token_expires_at=now + TOKEN_VALID_FOR,
    )
    dsr_audit_record(request, actor=None, action="received", channel="email")
    link = absolute_url(
        base_url=base_url,
        path=reverse("privacy:request_verify", kwargs={"token": token}),
    )
    dsr_verification_link_send(request, link=link)
    return request


@transaction.atomic
def dsr_verify_token(*, token: str, base_url: str = "") -> DataSubjectRequest:
    """Verify a request by its e-mailed link; the link then stops working."""
    request = dsr_lock(dsr_get_by_token(token=token))
    dsr_get_by_token(token=token)  # again, under the lock: single use
    now = timezone.now()
    user = get_user_model().objects.filter(email__iexact=request.email).first()
    request.subject = user
    request.status = Status.VERIFIED
    request.verification_method = "email"
    request.verified_at = now
    request.token_hash = None
    request.token_expires_at = None
    request.save(
        update_fields=[
            "subject",
            "status",
            "verification_method",
            "verified_at",
            "token_hash",
            "token_expires_at",
        ]
    )
    dsr_audit_record(request, actor=user, action="verified", method="email")
    with translation.override(request.language or translation.get_language()):
        dsr_verified_notify(request, by_link=True)
    dsr_verified_effects_apply(request, actor=user)
    return request


@in_requester_language
@transaction.atomic
def dsr_verify(*, request: DataSubjectRequest, actor) -> DataSubjectRequest:
    """Staff verified the requester's identity another way."""
    request = dsr_lock(request)
    dsr_status_require(request, Status.RECEIVED, step=_("verified"))
    request.status = Status.VERIFIED
    request.verification_method = "staff"
    request.verified_at = timezone.now()
    request.token_hash = None
    request.token_expires_at = None
    request.save(
        update_fields=[
            "status",
            "verification_method",
            "verified_at",
            "token_hash",
            "token_expires_at",
        ]
    )
    dsr_audit_record(request, actor=actor, action="verified", method="staff")
    dsr_verified_notify(request, by_link=False)
    dsr_verified_effects_apply(request, actor=actor)
    return request
