"""Reads of data-subject requests: a member's own, by verification link,
due dates, export archives.

Access to someone else's request or archive answers 404 (``*_for_user``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core.crypto import token_hash
from privacy.models import DataSubjectRequest, ExportArchive


def dsr_list_for_user(*, user) -> QuerySet[DataSubjectRequest]:
    """The member's own requests, newest first."""
    if not getattr(user, "is_authenticated", False):
        return DataSubjectRequest.objects.none()
    return DataSubjectRequest.objects.filter(subject=user).select_related("export")


def dsr_get_for_user(*, pk, user) -> DataSubjectRequest:
    """One of the member's own requests; anyone else's (or none) is a 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    request = dsr_list_for_user(user=user).filter(pk=pk).first()
    if request is None:
        raise Http404
    return request


def dsr_get_by_token(*, token: str) -> DataSubjectRequest:
    """The request a verification link is for, while the link is valid;
    ValidationError (shown on the page) when it is not."""
    request = None
    if token and len(token) <= 100:
        request = DataSubjectRequest.objects.filter(
            token_hash=token_hash(token)
        ).first()
    if request is None or request.status != DataSubjectRequest.Status.RECEIVED:
        raise ValidationError(
            _("This link is not valid or was already used."), code="invalid_token"
        )
    if request.token_expires_at is None or request.token_expires_at <= timezone.now():
        raise ValidationError(
            _("This link has expired. Please send your request again."),
            code="expired_token",
        )
    return request


def export_get_for_download(*, pk, user) -> ExportArchive:
    """A ready, unexpired archive of the member's own request, else 404."""
    request = dsr_get_for_user(pk=pk, user=user)
    archive = getattr(request, "export", None)
    if archive is None or not archive.is_downloadable or archive.subject_id != user.pk:
        raise Http404
    return archive


def export_get_by_token(*, token: str) -> ExportArchive:
    """The archive an e-mailed download link names, while it is valid; else 404."""
    if not token or len(token) > 100:
        raise Http404
    archive = (
        ExportArchive.objects.filter(token_hash=token_hash(token))
        .select_related("request")
        .first()
    )
    if archive is None or not archive.is_downloadable:
        raise Http404
    return archive


EFFECTIVE_DUE = "effective_due"


def dsr_due_annotated(qs: QuerySet | None = None) -> QuerySet[DataSubjectRequest]:
    """Requests with ``effective_due`` (the extended due date when extended);
    ``qs`` as it is when it already has it."""
    qs = DataSubjectRequest.objects.all() if qs is None else qs
    if EFFECTIVE_DUE in qs.query.annotations:
        return qs
    return qs.annotate(**{EFFECTIVE_DUE: Coalesce("extended_due_at", "due_at")})


def dsr_overdue(
    *, now: datetime, qs: QuerySet | None = None
) -> QuerySet[DataSubjectRequest]:
    """Open requests past their (extended) due date; of ``qs`` when given
    (the admin's filtered list), else of all."""
    return dsr_due_annotated(qs).filter(
        status__in=DataSubjectRequest.OPEN_STATUSES, effective_due__lt=now
    )


def dsr_due_soon(
    *, now: datetime, days: int = 7, qs: QuerySet | None = None
) -> QuerySet[DataSubjectRequest]:
    """Open requests due within ``days`` and not yet overdue; of ``qs`` when
    given, else of all."""
    return dsr_due_annotated(qs).filter(
        status__in=DataSubjectRequest.OPEN_STATUSES,
        effective_due__gte=now,
        effective_due__lt=now + timedelta(days=days),
    )


def dsr_open(*, qs: QuerySet | None = None) -> QuerySet[DataSubjectRequest]:
    """Open requests (received, verified, in progress); of ``qs`` when given."""
    return dsr_due_annotated(qs).filter(status__in=DataSubjectRequest.OPEN_STATUSES)


def dsr_flagged(*, qs: QuerySet | None = None) -> QuerySet[DataSubjectRequest]:
    """Open requests flagged for staff (``intake.dsr_flag_reason``)."""
    return dsr_open(qs=qs).exclude(flagged_reason="")


#: the admin queue's filters by name: the changelist's ``?due=<name>`` and the
#: admin index's counters both use these, so a counter equals its list.
QUEUE_FILTERS = ("open", "overdue", "week", "flagged")


def dsr_queue_filter(
    name: str | None, *, now: datetime, qs: QuerySet | None = None
) -> QuerySet[DataSubjectRequest]:
    """``qs`` (else all requests) narrowed to one of ``QUEUE_FILTERS``; as it
    is for any other name."""
    if name == "open":
        return dsr_open(qs=qs)
    if name == "overdue":
        return dsr_overdue(now=now, qs=qs)
    if name == "week":
        return dsr_due_soon(now=now, qs=qs)
    if name == "flagged":
        return dsr_flagged(qs=qs)
    return dsr_due_annotated(qs)
