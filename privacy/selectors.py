from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from privacy.models import DataSubjectRequest, LegalHold
from privacy.registry import Action, personal_data

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
