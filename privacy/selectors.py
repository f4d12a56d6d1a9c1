import hashlib
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .models import (
    DataSubjectRequest,
    ExportArchive,
    LegalHold,
    MarketingSuppression,
)
from .registry import Action, personal_data

ACTION_DONE = {Action.ANONYMISE: _("anonymised"), Action.DELETE: _("deleted")}


def registry_overview() -> list[dict]:
    """What the registry holds, in a shape the privacy policy can render."""
    overview = []
    for declaration in personal_data.declarations():
        retention = declaration.retention
        overview.append(
            {
                "model": declaration.model._meta.verbose_name.capitalize(),
                "description": str(declaration.description),
                "fields": [
                    str(declaration.model._meta.get_field(spec.name).verbose_name)
                    for spec in declaration.personal_fields()
                ],
                "retention_days": retention.after.days if retention else None,
                "retention_action": ACTION_DONE[retention.action]
                if retention
                else None,
                "retention_description": str(retention.description)
                if retention
                else "",
            }
        )
    return sorted(overview, key=lambda row: row["model"])


def _active_holds(now: datetime):
    return LegalHold.objects.filter(released_at__isnull=True).filter(
        Q(until__isnull=True) | Q(until__gt=now)
    )


def dsr_open_subject_ids() -> list:
    """Subjects with an open data-subject request: their data must stay put.

    An open request (received, verified, in progress) may need the data it is
    about (an access export, a rectification); the purge waits until it closes.
    """
    return sorted(
        set(
            DataSubjectRequest.objects.filter(
                status__in=DataSubjectRequest.OPEN_STATUSES, subject__isnull=False
            ).values_list("subject_id", flat=True)
        )
    )


def held_subject_ids(*, now: datetime) -> list:
    """Users whose data no purge may touch: legal holds and open requests."""
    ids = set(
        _active_holds(now)
        .filter(subject__isnull=False)
        .values_list("subject_id", flat=True)
    )
    ids.update(dsr_open_subject_ids())
    return sorted(ids)


def held_object_ids(*, model, now: datetime) -> list:
    """Primary keys of ``model`` rows under an active legal hold of their own."""
    content_type = ContentType.objects.get_for_model(model)
    raw = (
        _active_holds(now)
        .filter(content_type=content_type)
        .values_list("object_id", flat=True)
    )
    pk = model._meta.pk
    ids = []
    for value in raw:
        try:
            ids.append(pk.to_python(value))
        except ValidationError:
            continue
    return ids


# --- Data-subject requests --------------------------------------------------


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


def token_hash(token: str) -> str:
    """SHA-256 of a random token (tokens have 256 bits; no key is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def subject_is_restricted(*, user) -> bool:
    """Whether processing of the user's data is restricted (Art. 18).

    Apps that send e-mail or hand data to others ask this first; only
    e-mails about the subject's own requests are sent while it holds.
    """
    if not getattr(user, "pk", None):
        return False
    return DataSubjectRequest.objects.filter(
        subject=user,
        kind=DataSubjectRequest.Kind.RESTRICTION,
        restriction_applied_at__isnull=False,
        restriction_lifted_at__isnull=True,
    ).exists()


def marketing_is_suppressed(*, email: str) -> bool:
    """Whether the address objected to marketing (kept even after erasure)."""
    from .dsr import suppression_hash

    return MarketingSuppression.objects.filter(
        email_hash=suppression_hash(email)
    ).exists()


def dsr_due_annotated(qs: QuerySet | None = None) -> QuerySet[DataSubjectRequest]:
    """Requests with ``effective_due`` (the extended due date when extended)."""
    qs = DataSubjectRequest.objects.all() if qs is None else qs
    return qs.annotate(effective_due=Coalesce("extended_due_at", "due_at"))


def dsr_overdue(*, now: datetime) -> QuerySet[DataSubjectRequest]:
    return dsr_due_annotated().filter(
        status__in=DataSubjectRequest.OPEN_STATUSES, effective_due__lt=now
    )


def dsr_due_soon(*, now: datetime, days: int = 7) -> QuerySet[DataSubjectRequest]:
    return dsr_due_annotated().filter(
        status__in=DataSubjectRequest.OPEN_STATUSES,
        effective_due__gte=now,
        effective_due__lt=now + timedelta(days=days),
    )
