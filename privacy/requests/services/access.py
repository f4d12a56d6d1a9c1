"""Access and portability (GDPR Art. 15, 20): queue the build of the export.

The build itself, and what may never end up in an archive, is
``privacy.requests.export``; it runs in a Celery task queued after commit.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy.models import DataSubjectRequest, ExportArchive
from privacy.requests.deadlines import EXPORT_STALE_AFTER
from privacy.requests.notices import in_requester_language
from privacy.requests.services.workflow import (
    EXPORT_KINDS,
    dsr_audit_record,
    dsr_lock,
    dsr_progress_start,
    dsr_status_require,
)

Status = DataSubjectRequest.Status


@in_requester_language
@transaction.atomic
def dsr_export_request(
    *, request: DataSubjectRequest, actor, base_url: str = ""
) -> ExportArchive:
    """Queue the build of the export ZIP (again, if a build failed or died)."""
    # Function-local on purpose: the task module imports the export, which
    # imports the workflow services; lint-imports ignores exactly this import
    # (pyproject.toml).
    from privacy.requests.tasks import dsr_export_build_task

    request = dsr_lock(request)
    if request.kind not in EXPORT_KINDS:
        raise ValidationError(
            _("Only access and portability requests get an export."), code="kind"
        )
    dsr_status_require(request, Status.VERIFIED, Status.IN_PROGRESS, step=_("exported"))
    if request.subject is None:
        raise ValidationError(
            _("No account matches this request; complete it instead."),
            code="no_subject",
        )
    dsr_progress_start(request, actor=actor)
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
    dsr_audit_record(request, actor=actor, action="export_requested")
    request_id = request.pk
    transaction.on_commit(
        lambda: dsr_export_build_task.delay(request_id=request_id, base_url=base_url)
    )
    return archive
