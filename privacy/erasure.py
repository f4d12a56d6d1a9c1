"""Erasure of one data subject (GDPR Art. 17), driven only by the registry.

What must never happen, and how it is prevented:
- Half an erasure: everything happens in one transaction (the subject's user
  row locked first); any error rolls all of it back, files included: the
  files to delete are written to the outbox in the same transaction and
  deleted only after commit (``core.files``), so a crash after the commit
  cannot leave them on disk either.
- Personal data left behind that the registry knows of: every declaration's
  rows of the subject are either deleted (declarations whose retention action
  is DELETE) or anonymised with the declaration's own per-row anonymisers;
  there is no list of models here to forget one in.
- Rows erased that the law requires kept: rows a legal exception selects, and
  rows under an active legal hold of their own, are left as they are and
  reported (key and reason) so the request records the ground. A subject
  under an active legal hold as a whole is not erased at all.
- Someone else's data erased: rows are selected only through each
  declaration's subject path (``rows_owned_by``: the subject's rows, less
  those another party goes on using), by primary key.
- Rows missed because another declaration acted first (a company's
  engagements are found through its memberships, which erasure deletes):
  every declaration's rows are selected before any is acted on.
- A logged-in session surviving: the subject's session rows are deleted in
  the same transaction (the session store keeps the user's id beside each
  session, ``privacy.sessions``); the unusable password ("!") also changes
  the session auth hash, so a session cached elsewhere fails its check.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.files import file_deletions_schedule
from privacy.models import RetentionPolicy
from privacy.queries import pk_in
from privacy.registry import Action, Event, PersonalData, personal_data
from privacy.selectors import held_object_ids, legal_holds_active
from privacy.services import audit_record

logger = logging.getLogger(__name__)

#: the moment before a row may go is the last one it is kept.
LAST_MOMENT = dt.timedelta(microseconds=1)


@dataclass
class ErasureOutcome:
    #: model label -> rows anonymised / deleted
    anonymised: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    #: [{"model", "key", "reason", "rows"}] rows kept by law
    kept: list[dict] = field(default_factory=list)
    files: int = 0


def _subject_row_ids(declaration: PersonalData, user) -> list:
    # Primary keys, read once: a subject path over a many-to-many repeats
    # rows, and one through rows another declaration deletes must be read
    # before that happens.
    rows = declaration.rows_owned_by(user).order_by().values_list("pk", flat=True)
    return list(dict.fromkeys(rows))


def _keep_by_law(
    declaration: PersonalData, rows: models.QuerySet, outcome: ErasureOutcome, now
) -> models.QuerySet:
    label = declaration.model._meta.label
    for exception in declaration.legal_exceptions:
        kept = rows if exception.keeps is None else rows.filter(exception.keeps)
        count = kept.count()
        if count:
            outcome.kept.append(
                {
                    "model": label,
                    "name": str(declaration.model._meta.verbose_name_plural),
                    "key": exception.key,
                    "reason": str(exception.reason),
                    "rows": count,
                    "until": _kept_until(exception, kept),
                }
            )
        rows = rows.none() if exception.keeps is None else rows.exclude(exception.keeps)
    held = held_object_ids(model=declaration.model, now=now)
    if held:
        count = rows.filter(pk__in=held).count()
        if count:
            outcome.kept.append(
                {
                    "model": label,
                    "key": "legal_hold",
                    "reason": _("Under a legal hold (e.g. legal claims)."),
                    "rows": count,
                }
            )
            rows = rows.exclude(pk__in=held)
    return rows


def _kept_until(exception, kept: models.QuerySet) -> str:
    """The last day a kept row is kept (ISO date): the day before the latest
    moment the exception's own rule, with the period the purge applies to it,
    lets one go. "" when the rule has no fixed date yet.

    A bookkeeping record of 2026 may go at 1 January 2032, 00:00: it is kept
    until 31 December 2031, 5 years from the end of its financial year.
    """
    retention = exception.retention
    if retention is None:
        return ""
    latest = kept.aggregate(latest=Max(retention.purpose_ended_expression()))["latest"]
    if latest is None:
        return ""
    policy = RetentionPolicy.objects.filter(key=retention.key).first()
    after = dt.timedelta(days=policy.period_days) if policy else retention.after
    return timezone.localdate(latest + after - LAST_MOMENT).isoformat()


def _delete(
    declaration: PersonalData, rows: models.QuerySet, files: list, outcome
) -> None:
    file_fields = [
        f for f in declaration.model._meta.concrete_fields if hasattr(f, "storage")
    ]
    if file_fields:
        for row in rows.values_list(*(f.attname for f in file_fields)):
            files.extend(
                (f.storage, name)
                for f, name in zip(file_fields, row, strict=True)
                if name
            )
    _total, per_model = rows.delete()
    outcome.deleted[declaration.model._meta.label] = per_model.get(
        declaration.model._meta.label, 0
    )


def _anonymise(
    declaration: PersonalData, rows: models.QuerySet, files: list, outcome
) -> None:
    model = declaration.model
    storages = {
        name: model._meta.get_field(name).storage for name in declaration.file_fields()
    }
    count = 0
    for instance in rows.select_for_update():
        current = {name: getattr(instance, name).name for name in storages}
        changed, _names = declaration.anonymise_instance(instance)
        files.extend((storages[n], current[n]) for n in storages if current[n])
        if changed:
            # One UPDATE per row with every anonymised field, no save() hooks.
            model._default_manager.filter(pk=instance.pk).update(
                **{
                    model._meta.get_field(name).attname: getattr(
                        instance, model._meta.get_field(name).attname
                    )
                    for name in changed
                }
            )
        count += 1
    outcome.anonymised[model._meta.label] = count


def erasure_execute(*, user, actor, request=None) -> ErasureOutcome:
    """Anonymise or delete everything the registry holds about ``user``.

    Apps act first (``Event.ERASE``: e.g. the account is closed), then every
    declaration is applied. Returns what was done and what the law kept.
    Raises ValidationError when the subject is under a legal hold.
    """
    outcome = ErasureOutcome()
    files: list[tuple[object, str]] = []
    now = timezone.now()
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        if legal_holds_active(now=now).filter(subject=user).exists():
            raise ValidationError(
                _("This person's data is under a legal hold and cannot be erased."),
                code="legal_hold",
            )
        personal_data.emit(Event.ERASE, user=user, actor=actor)
        selected = [
            (declaration, _subject_row_ids(declaration, user))
            for declaration in personal_data.declarations()
        ]
        for declaration, pks in selected:
            rows = declaration.model._default_manager.filter(pk_in(pks))
            if declaration.shared:
                # As a subquery of primary keys: the rows are locked later, and
                # PostgreSQL refuses FOR UPDATE next to GROUP BY.
                sole = (
                    rows.alias(_subjects=Count(declaration.subject, distinct=True))
                    .filter(_subjects__lte=1)
                    .values("pk")
                )
                rows = declaration.model._default_manager.filter(pk__in=sole)
            rows = _keep_by_law(declaration, rows, outcome, now)
            retention = declaration.retention
            if retention is not None and retention.action == Action.DELETE:
                _delete(declaration, rows, files, outcome)
            else:
                _anonymise(declaration, rows, files, outcome)
        outcome.files = len(files)
        audit_record(
            actor=actor,
            subject=user,
            action="dsr.erasure_executed",
            target=request,
            details={
                "anonymised": outcome.anonymised,
                "deleted": outcome.deleted,
                "kept": [{"model": k["model"], "key": k["key"]} for k in outcome.kept],
                "files": outcome.files,
            },
        )
        file_deletions_schedule(files)
    return outcome
