from __future__ import annotations

from django.db import models

from .models import AuditEvent


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
