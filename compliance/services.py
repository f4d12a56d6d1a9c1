"""Writes of the compliance records: processors and breaches, audited."""

from __future__ import annotations

from collections.abc import Iterable

from compliance.models import Breach, Processor
from privacy.services import audited_delete, audited_save


def processor_save(
    *, processor: Processor, actor, fields: Iterable[str], created: bool
) -> Processor:
    action = "processor.added" if created else "processor.changed"
    return audited_save(
        obj=processor, actor=actor, action=action, fields=fields, created=created
    )


def processor_delete(*, processor: Processor, actor) -> None:
    audited_delete(obj=processor, actor=actor, action="processor.deleted")


def breach_save(*, breach: Breach, actor, fields: Iterable[str], created: bool):
    if created:
        breach.created_by = actor
    action = "breach.recorded" if created else "breach.changed"
    return audited_save(
        obj=breach, actor=actor, action=action, fields=fields, created=created
    )
