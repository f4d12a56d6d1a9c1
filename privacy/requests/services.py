"""Data-subject requests: intake, verification, the workflow, replies.

Invariants, and how they hold:
- Every step is one transaction that locks the request row, checks the step
  is allowed from its current status, changes it and writes its audit event
  (target: the request); a refused step raises ValidationError and changes
  nothing.
- A request is acted on only once its requester is verified: by their session
  (a logged-in member) or by a single-use, expiring link sent to the address
  (only a hash of the link's token is stored).
- Intake never reveals whether an address has an account: an anonymous request
  is stored and its link sent whether or not the address is known.
- E-mail and tasks start only after commit (``transaction.on_commit``).
- Audit details hold ids, kinds and counts, never personal data.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import logging
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core.crypto import token_hash
from core.mail import absolute_url, mail_after_commit
from privacy.erasure import erasure_execute
from privacy.facts import COMPLAINT_TEXT, controller_footer
from privacy.models import DataSubjectRequest, ExportArchive
from privacy.registry import Event, Recipient, personal_data
from privacy.requests.selectors import dsr_due_soon, dsr_overdue
from privacy.services import audit_record

logger = logging.getLogger(__name__)

Kind = DataSubjectRequest.Kind
Status = DataSubjectRequest.Status

TOKEN_VALID_FOR = dt.timedelta(hours=24)
EXPORT_VALID_FOR = dt.timedelta(days=7)
#: an export still "building" after this is taken to have died with its worker.
EXPORT_STALE_AFTER = dt.timedelta(hours=1)
MAX_EXTENSION_MONTHS = 2
EXPORT_KINDS = (Kind.ACCESS, Kind.PORTABILITY)
#: kinds after which recipients are told of the change (GDPR Art. 19).
ART19_KINDS = (Kind.RECTIFICATION, Kind.ERASURE, Kind.RESTRICTION)


# --- Deadlines ----------------------------------------------------------------


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """``moment`` plus calendar months, in local time, clamped to the month's end.

    31 January + 1 month is 28 (or 29) February; the time of day is kept.
    """
    local = timezone.localtime(moment)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    naive = local.replace(tzinfo=None).replace(year=year, month=month, day=day)
    return timezone.make_aware(naive, timezone.get_current_timezone())


def dsr_due_at(received_at: dt.datetime) -> dt.datetime:
    """The reply is due one calendar month after receipt (GDPR Art. 12(3))."""
    return add_months(received_at, 1)


# --- Helpers --------------------------------------------------------------------


def _mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text e-mail to a data subject after commit, signed with
    the controller's details; a failure is logged, not raised."""
    mail_after_commit(
        to=to, subject=f"[Worksome] {subject}", body=body + controller_footer()
    )


def _in_requester_language(func):
    """Run a service in the language of the request it is given (``request=``),
    so the e-mail it sends reads in the requester's language, whoever acts."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        request = kwargs.get("request")
        language = getattr(request, "language", "") or translation.get_language()
        with translation.override(language):
            return func(*args, **kwargs)

    return wrapper


def dsr_lock(request: DataSubjectRequest) -> DataSubjectRequest:
    return DataSubjectRequest.objects.select_for_update().get(pk=request.pk)


def _require(request: DataSubjectRequest, *statuses: str, step: str) -> None:
    if request.status not in statuses:
        raise ValidationError(
            _("This request is %(status)s; it cannot be %(step)s.")
            % {"status": request.get_status_display().lower(), "step": step},
            code="wrong_status",
        )


def _audit(request: DataSubjectRequest, *, actor, action: str, **details) -> None:
    audit_record(
        actor=actor,
        subject=request.subject,
        action=f"dsr.{action}",
        target=request,
        details={"kind": request.kind, **details},
    )


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


def _status_line(request: DataSubjectRequest) -> str:
    due = timezone.localtime(request.effective_due_at)
    return _("Request #%(id)s (%(kind)s), due %(due)s.") % {
        "id": request.pk,
        "kind": request.get_kind_display(),
        "due": formats.date_format(due),
    }


# --- Intake -------------------------------------------------------------------


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
    now = timezone.now()
    request = DataSubjectRequest.objects.create(
        kind=kind,
        subject=user,
        email=user.email,
        language=translation.get_language() or "",
        details=details,
        received_at=now,
        due_at=dsr_due_at(now),
        status=Status.VERIFIED,
        verification_method="session",
        verified_at=now,
    )
    _audit(request, actor=user, action="received", channel="session")
    _audit(request, actor=user, action="verified", method="session")
    link = absolute_url(base_url=base_url, path=request.get_absolute_url())
    _mail(
        request.email,
        _("We received your privacy request"),
        _(
            "We received your request and verified it through your login.\n"
            "%(status)s\n\nFollow it here: %(link)s\n"
        )
        % {"status": _status_line(request), "link": link},
    )
    _on_verified(request, actor=user)
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
    _audit(request, actor=None, action="received", channel="email")
    link = absolute_url(
        base_url=base_url,
        path=reverse("privacy:request_verify", kwargs={"token": token}),
    )
    _mail(
        email,
        _("Confirm your privacy request"),
        _(
            "We received a privacy request (%(kind)s) for this address.\n\n"
            "Confirm it within 24 hours with this link (it works once):\n"
            "%(link)s\n\n"
            "If you did not ask for this, ignore this e-mail; nothing happens."
        )
        % {"kind": request.get_kind_display(), "link": link},
    )
    return request


def dsr_token_check(*, token: str) -> DataSubjectRequest:
    """The request a verification link is for, while the link is valid."""
    request = None
    if token and len(token) <= 100:
        request = DataSubjectRequest.objects.filter(
            token_hash=token_hash(token)
        ).first()
    if request is None or request.status != Status.RECEIVED:
        raise ValidationError(
            _("This link is not valid or was already used."), code="invalid_token"
        )
    if request.token_expires_at is None or request.token_expires_at <= timezone.now():
        raise ValidationError(
            _("This link has expired. Please send your request again."),
            code="expired_token",
        )
    return request


@transaction.atomic
def dsr_verify_token(*, token: str, base_url: str = "") -> DataSubjectRequest:
    """Verify a request by its e-mailed link; the link then stops working."""
    request = dsr_lock(dsr_token_check(token=token))
    dsr_token_check(token=token)  # again, under the lock: single use
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
    _audit(request, actor=user, action="verified", method="email")
    with translation.override(request.language or translation.get_language()):
        _mail(
            request.email,
            _("Your privacy request is confirmed"),
            _("Thank you: your request is confirmed and we are working on it.\n%(s)s\n")
            % {"s": _status_line(request)},
        )
    _on_verified(request, actor=user)
    return request


@_in_requester_language
@transaction.atomic
def dsr_verify(*, request: DataSubjectRequest, actor) -> DataSubjectRequest:
    """Staff verified the requester's identity another way."""
    request = dsr_lock(request)
    _require(request, Status.RECEIVED, step=_("verified"))
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
    _audit(request, actor=actor, action="verified", method="staff")
    _mail(
        request.email,
        _("Your privacy request is confirmed"),
        _("Your request is confirmed and we are working on it.\n%(s)s\n")
        % {"s": _status_line(request)},
    )
    _on_verified(request, actor=actor)
    return request


def _on_verified(request: DataSubjectRequest, *, actor) -> None:
    """What takes effect at once: marketing stops; consents are withdrawn."""
    if request.kind == Kind.OBJECTION:
        _objection_apply(request, actor=actor)
    elif request.kind == Kind.CONSENT_WITHDRAWAL and request.subject is not None:
        personal_data.emit(Event.WITHDRAW_CONSENTS, user=request.subject, actor=actor)
        _audit(request, actor=actor, action="consents_withdrawn")


def _objection_apply(request: DataSubjectRequest, *, actor) -> None:
    """Marketing stops for the address asked under and the member's own:
    consent keeps the suppression list (``Event.OBJECT`` handlers)."""
    personal_data.emit(
        Event.OBJECT, user=request.subject, actor=actor, email=request.email
    )
    _audit(request, actor=actor, action="marketing_suppressed")


# --- Workflow -----------------------------------------------------------------


def _start(request: DataSubjectRequest, *, actor) -> None:
    """verified -> in progress (no-op when already in progress)."""
    if request.status == Status.IN_PROGRESS:
        return
    _require(request, Status.VERIFIED, step=_("started"))
    request.status = Status.IN_PROGRESS
    request.started_at = timezone.now()
    request.save(update_fields=["status", "started_at"])
    _audit(request, actor=actor, action="started")


@transaction.atomic
def dsr_start(*, request: DataSubjectRequest, actor) -> DataSubjectRequest:
    request = dsr_lock(request)
    _require(request, Status.VERIFIED, step=_("started"))
    _start(request, actor=actor)
    return request


def _extension_months(request: DataSubjectRequest) -> int:
    """How many months the deadline was already extended by."""
    if request.extended_due_at is None:
        return 0
    for months in range(1, MAX_EXTENSION_MONTHS + 1):
        if request.extended_due_at <= add_months(request.received_at, 1 + months):
            return months
    return MAX_EXTENSION_MONTHS


@_in_requester_language
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
    if months not in range(1, MAX_EXTENSION_MONTHS + 1):
        raise ValidationError(
            {"months": _("Extend by 1 or 2 months.")}, code="bad_months"
        )
    request = dsr_lock(request)
    _require(
        request,
        Status.RECEIVED,
        Status.VERIFIED,
        Status.IN_PROGRESS,
        step=_("extended"),
    )
    already = _extension_months(request)
    if already + months > MAX_EXTENSION_MONTHS:
        raise ValidationError(
            {"months": _("The deadline can be extended by at most 2 months in total.")},
            code="too_long",
        )
    request.extended_due_at = add_months(request.received_at, 1 + already + months)
    request.extension_reason = "\n".join(
        filter(None, [request.extension_reason, reason])
    )
    request.save(update_fields=["extended_due_at", "extension_reason"])
    _audit(request, actor=actor, action="extended", months=months)
    _mail(
        request.email,
        _("Your privacy request needs more time"),
        _(
            "We need more time to answer your request, for this reason:\n\n"
            "%(reason)s\n\n%(s)s\n\n%(complaint)s\n"
        )
        % {"reason": reason, "s": _status_line(request), "complaint": COMPLAINT_TEXT},
    )
    return request


@_in_requester_language
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
    _require(
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
    _audit(request, actor=actor, action="rejected")
    _mail(
        request.email,
        _("Your privacy request was rejected"),
        _(
            "We cannot carry out your request, for this reason:\n\n%(reason)s\n\n"
            "%(complaint)s You may also take the matter to court.\n"
        )
        % {"reason": reason, "complaint": COMPLAINT_TEXT},
    )
    return request


def dsr_finish(
    request: DataSubjectRequest, *, actor, base_url: str, extra: str = ""
) -> None:
    request.status = Status.COMPLETED
    request.completed_at = timezone.now()
    request.save(update_fields=["status", "completed_at"])
    _audit(request, actor=actor, action="completed")
    link = absolute_url(base_url=base_url, path=request.get_absolute_url())
    body = _("Your request is complete.\n%(s)s\n") % {"s": _status_line(request)}
    if extra:
        body += f"\n{extra}\n"
    if request.subject is not None and request.kind != Kind.ERASURE:
        body += "\n" + _("Details: %(link)s") % {"link": link} + "\n"
    _mail(request.email, _("Your privacy request is complete"), body)


@_in_requester_language
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
    _require(request, Status.VERIFIED, Status.IN_PROGRESS, step=_("completed"))
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
        _on_verified(request, actor=actor)
    if request.kind == Kind.RECTIFICATION and request.subject is not None:
        _recipients_notify(
            request, recipients=personal_data.recipients(request.subject)
        )
    extra = ""
    if request.subject is None:
        extra = _("We hold no account under this e-mail address.")
    dsr_finish(request, actor=actor, base_url=base_url, extra=extra)
    return request


# --- Art. 19: telling recipients ------------------------------------------------

_RECIPIENT_NOTICE = {
    Kind.RECTIFICATION: _("has had their personal data corrected"),
    Kind.ERASURE: _("has had their personal data erased"),
    Kind.RESTRICTION: _("has had the processing of their personal data restricted"),
}


def _recipients_notify(
    request: DataSubjectRequest, *, recipients: list[Recipient]
) -> None:
    """E-mail every recorded recipient (Art. 19) and keep the list for the member."""
    notified = []
    for recipient in recipients:
        if recipient.email:
            _mail(
                recipient.email,
                _("A data-subject request concerning data you received"),
                _(
                    "%(who)s, whose data you received from Worksome on "
                    "%(since)s, %(what)s under the GDPR. Please apply the same "
                    "change to any copy you hold (GDPR Art. 19).\n"
                )
                % {
                    "who": recipient.reference or _("A person"),
                    "since": formats.date_format(timezone.localtime(recipient.since))
                    if recipient.since
                    else "-",
                    "what": _RECIPIENT_NOTICE[request.kind],
                },
            )
        notified.append(
            {
                "name": recipient.name,
                "since": recipient.since.isoformat() if recipient.since else None,
                "notified": bool(recipient.email),
            }
        )
    request.recipients_notified = notified
    request.save(update_fields=["recipients_notified"])
    _audit(
        request,
        actor=None,
        action="recipients_notified",
        count=sum(1 for n in notified if n["notified"]),
    )


# --- Access and portability ---------------------------------------------------


@_in_requester_language
@transaction.atomic
def dsr_export_request(
    *, request: DataSubjectRequest, actor, base_url: str = ""
) -> ExportArchive:
    """Queue the build of the export ZIP (again, if a build failed or died)."""
    # Function-local on purpose: the task module imports this one (tasks call
    # services); lint-imports ignores exactly this import (pyproject.toml).
    from privacy.requests.tasks import dsr_export_build_task

    request = dsr_lock(request)
    if request.kind not in EXPORT_KINDS:
        raise ValidationError(
            _("Only access and portability requests get an export."), code="kind"
        )
    _require(request, Status.VERIFIED, Status.IN_PROGRESS, step=_("exported"))
    if request.subject is None:
        raise ValidationError(
            _("No account matches this request; complete it instead."),
            code="no_subject",
        )
    _start(request, actor=actor)
    archive, created = ExportArchive.objects.select_for_update().get_or_create(
        request=request, defaults={"subject": request.subject}
    )
    if not created:
        stale = archive.status == ExportArchive.Status.BUILDING and (
            archive.started_at is None
            or archive.started_at < timezone.now() - EXPORT_STALE_AFTER
        )
        if archive.status == ExportArchive.Status.READY or (
            archive.status == ExportArchive.Status.BUILDING and not stale
        ):
            raise ValidationError(
                _("The export is already %(status)s.")
                % {"status": archive.get_status_display().lower()},
                code="export_exists",
            )
        archive.status = ExportArchive.Status.PENDING
        archive.progress = 0
        archive.error = ""
        archive.save(update_fields=["status", "progress", "error"])
    _audit(request, actor=actor, action="export_requested")
    request_id = request.pk
    transaction.on_commit(
        lambda: dsr_export_build_task.delay(request_id=request_id, base_url=base_url)
    )
    return archive


# --- Restriction ----------------------------------------------------------------


def _restriction_set(user, *, value) -> None:
    for declaration in personal_data.restriction_declarations():
        declaration.model._default_manager.filter(
            pk__in=declaration.rows_for(user).values("pk")
        ).update(**{declaration.restriction_field: value})


@_in_requester_language
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
    _require(request, Status.VERIFIED, Status.IN_PROGRESS, step=_("applied"))
    if request.subject is None:
        raise ValidationError(
            _("No account matches this request; complete it instead."),
            code="no_subject",
        )
    _start(request, actor=actor)
    now = timezone.now()
    _restriction_set(request.subject, value=now)
    personal_data.emit(Event.RESTRICT, user=request.subject, actor=actor)
    request.restriction_applied_at = now
    request.save(update_fields=["restriction_applied_at"])
    _audit(request, actor=actor, action="restriction_applied")
    _recipients_notify(request, recipients=personal_data.recipients(request.subject))
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


@_in_requester_language
@transaction.atomic
def dsr_restriction_lift_notify(
    *, request: DataSubjectRequest, actor
) -> DataSubjectRequest:
    """Tell the member the restriction is about to be lifted (Art. 18(3))."""
    request = _active_restriction(request)
    request.restriction_lift_notified_at = timezone.now()
    request.save(update_fields=["restriction_lift_notified_at"])
    _audit(request, actor=actor, action="restriction_lift_notified")
    _mail(
        request.email,
        _("The restriction of your data will be lifted"),
        _(
            "We will lift the restriction of processing of your data (request "
            "#%(id)s). After that your profile can be used again as before.\n\n"
            "%(complaint)s\n"
        )
        % {"id": request.pk, "complaint": COMPLAINT_TEXT},
    )
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
        _restriction_set(request.subject, value=None)
        personal_data.emit(Event.LIFT_RESTRICTION, user=request.subject, actor=actor)
    request.restriction_lifted_at = timezone.now()
    request.save(update_fields=["restriction_lifted_at"])
    _audit(request, actor=actor, action="restriction_lifted")
    return request


# --- Erasure ----------------------------------------------------------------------


@_in_requester_language
@transaction.atomic
def dsr_erasure_execute(
    *, request: DataSubjectRequest, actor, base_url: str = ""
) -> DataSubjectRequest:
    """Erase the subject (``privacy.erasure``), tell recipients, complete."""
    request = dsr_lock(request)
    if request.kind != Kind.ERASURE:
        raise ValidationError(_("This is not an erasure request."), code="kind")
    _require(request, Status.VERIFIED, Status.IN_PROGRESS, step=_("executed"))
    if request.subject is None:
        raise ValidationError(
            _("No account matches this request; complete it instead."),
            code="no_subject",
        )
    _start(request, actor=actor)
    reply_to = request.email
    recipients = personal_data.recipients(request.subject)
    outcome = erasure_execute(user=request.subject, actor=actor, request=request)
    # The erasure anonymised this request's own e-mail and details too.
    request = dsr_lock(request)
    request.erased_at = timezone.now()
    request.legal_exceptions = outcome.kept
    request.save(update_fields=["erased_at", "legal_exceptions"])
    _recipients_notify(request, recipients=recipients)
    kept = "".join(f"\n- {item['model']}: {item['reason']}" for item in outcome.kept)
    extra = _("Your account and personal data were erased.")
    if kept:
        extra += "\n" + _("Kept because the law requires it:") + kept
    request.email = reply_to  # for the reply only; not saved
    dsr_finish(request, actor=actor, base_url=base_url, extra=extra)
    return request


# --- Staff digest -------------------------------------------------------------------


def dsr_digest_send(*, now: dt.datetime | None = None) -> int:
    """E-mail staff who may see requests the overdue and due-soon ones.

    Returns the number of e-mails sent (none when nothing is due).
    """
    now = now or timezone.now()
    overdue = list(dsr_overdue(now=now).order_by("effective_due"))
    soon = list(dsr_due_soon(now=now).order_by("effective_due"))
    if not overdue and not soon:
        return 0

    def lines(requests):
        return (
            "\n".join(
                f"- #{r.pk} {r.get_kind_display()} ({r.get_status_display()}), due "
                f"{timezone.localtime(r.effective_due):%Y-%m-%d}"
                for r in requests
            )
            or "-"
        )

    body = _(
        "Overdue data-subject requests:\n%(overdue)s\n\nDue within 7 days:\n%(soon)s\n"
    ) % {"overdue": lines(overdue), "soon": lines(soon)}
    User = get_user_model()
    staff = (
        User.objects.filter(is_staff=True, is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__codename="view_datasubjectrequest")
            | Q(groups__permissions__codename="view_datasubjectrequest")
        )
        .distinct()
    )
    sent = 0
    for member in staff:
        if member.has_perm("privacy.view_datasubjectrequest"):
            sent += send_mail(
                _("[Worksome] %(n)d overdue, %(m)d due soon: data-subject requests")
                % {"n": len(overdue), "m": len(soon)},
                body,
                None,
                [member.email],
            )
    return sent
