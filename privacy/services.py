from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import models, transaction

from privacy.models import AuditEvent, LegalHold, RetentionPolicy
from privacy.registry import personal_data


def audit_record(
    *,
    actor,
    subject,
    action: str,
    target: models.Model | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """Append an audit event. Call it inside the transaction of the change."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        subject=subject if getattr(subject, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        details=details or {},
    )


# --- Staff edits and views in the admin ------------------------------------------
#
# Every admin write goes through a service below (or the owning app's own), which
# saves and appends its AuditEvent in one transaction. Details name fields, never
# their values.


def subject_of(obj: models.Model):
    """The user a row is about, by its registry declaration; None if unknown."""
    if isinstance(obj, get_user_model()):
        return obj
    declaration = personal_data.get(type(obj))
    if declaration is None or not declaration.subject:
        return None
    value = obj
    for name in declaration.subject.split("__"):
        field = value._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return None  # a company: many subjects, none of them "the" subject
        value = getattr(value, name, None)
        if value is None:
            return None
    return value if isinstance(value, get_user_model()) else None


def _fields(fields: Iterable[str]) -> list[str]:
    return sorted(set(fields))


@transaction.atomic
def audited_save(
    *,
    obj: models.Model,
    actor,
    action: str,
    fields: Iterable[str] = (),
    created: bool = False,
    subject=None,
) -> models.Model:
    """Save ``obj`` and record who changed which fields of it."""
    obj.save()
    audit_record(
        actor=actor,
        subject=subject if subject is not None else subject_of(obj),
        action=action,
        target=obj,
        details={"fields": _fields(fields), "created": created},
    )
    return obj


@transaction.atomic
def audited_delete(*, obj: models.Model, actor, action: str, subject=None) -> None:
    """Delete ``obj`` and record who deleted it (its id stays in the event)."""
    subject = subject if subject is not None else subject_of(obj)
    target_type, target_id = obj._meta.label_lower, str(obj.pk)
    obj.delete()
    AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        subject=subject if getattr(subject, "pk", None) else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
    )


def personal_data_viewed(*, actor, obj: models.Model, view: str = "change") -> None:
    """Record that a staff member opened a page showing ``obj``'s personal data."""
    audit_record(
        actor=actor,
        subject=subject_of(obj),
        action="admin.personal_data_viewed",
        target=obj,
        details={"view": view},
    )


def retention_policy_update(
    *, policy: RetentionPolicy, actor, fields: Iterable[str]
) -> RetentionPolicy:
    return audited_save(
        obj=policy, actor=actor, action="retention_policy.changed", fields=fields
    )


def legal_hold_save(
    *, hold: LegalHold, actor, fields: Iterable[str], created: bool
) -> LegalHold:
    if created:
        hold.created_by = actor
    action = "legal_hold.placed" if created else "legal_hold.changed"
    if "released_at" in fields and hold.released_at is not None:
        action = "legal_hold.released"
    return audited_save(
        obj=hold, actor=actor, action=action, fields=fields, created=created
    )
