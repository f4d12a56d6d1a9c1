"""What an app declares for a model that holds personal data, and the
retention rules those declarations give.

A declaration (``PersonalData``) says whom a row is about, which fields are
personal and how each is exported and anonymised, when the row's purpose ends
and what happens a period after that (``Retention``), and which rows a law
keeps longer (``LegalException``). ``RetentionRule`` is one such rule over the
rows it governs: the purge, the policy and the checks all read rules.

Invariant: a declaration names only fields that exist and a subject path that
ends at the user model; ``privacy.checks`` verifies both at start-up.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from django.db.models.expressions import Combinable
from django.db.models.functions import Now
from django.utils import timezone

from privacy.registry.anonymisers import Anonymiser
from privacy.registry.exporters import Export, Exporter, ValueExporter, jsonable

DEFAULT_RETENTION = dt.timedelta(days=365)
#: the field that marks a row as anonymised (set by both anonymiser forms).
ANONYMISED_AT = "anonymised_at"


class Action(enum.StrEnum):
    ANONYMISE = "anonymise"
    DELETE = "delete"


@dataclass(frozen=True)
class Retention:
    """When a row's purpose ends and what happens a period after that.

    ``purpose_ended`` is a field name (``"closed_at"``, ``"user__closed_at"``) or
    an expression giving a datetime; NULL means the purpose has not ended.
    """

    key: str
    purpose_ended: str | Combinable
    after: dt.timedelta = DEFAULT_RETENTION
    action: Action = Action.ANONYMISE
    description: str = ""
    #: ``condition(now) -> Q``: rows must also match it to be acted on (e.g. an
    #: unused account only 30 days after its warning e-mail was sent).
    condition: Callable[[dt.datetime], Q] | None = None
    #: the period and what then happens, in words, for a rule whose
    #: ``purpose_ended`` is already the moment a row may go (``after`` 0, e.g.
    #: a bookkeeping record's ``retain_until``): "5 years from the end of the
    #: financial year they belong to, then anonymised". People read it
    #: instead of "0 days after the purpose ends, then anonymised".
    period_text: str = ""

    def purpose_ended_expression(self) -> Combinable:
        if isinstance(self.purpose_ended, str):
            return models.F(self.purpose_ended)
        return self.purpose_ended


@dataclass(frozen=True)
class LegalException:
    """Rows a law requires to be kept beyond the ordinary rule.

    ``keeps`` selects the rows kept (all rows of the model when None); they
    follow ``retention`` instead (e.g. 5 years under the Bookkeeping Act).
    """

    key: str
    reason: str
    keeps: Q | None = None
    retention: Retention | None = None


@dataclass(frozen=True)
class PersonalField:
    name: str
    anonymise: Anonymiser
    export: Exporter
    exported: bool = True


class PersonalData:
    """Base class of a declaration; subclass it and register it for a model."""

    #: ORM path from a row to the user it is about; "" when the row is the user.
    subject: str = "user"
    #: field name -> Anonymiser, or a PersonalField for a custom exporter.
    fields: dict[str, Anonymiser | PersonalField] = {}
    #: personal fields anonymised but left out of the access export.
    export_exclude: tuple[str, ...] = ()
    retention: Retention | None = None
    legal_exceptions: tuple[LegalException, ...] = ()
    #: what the data is, in words the privacy policy can show.
    description: str = ""
    #: rows shared by several subjects (a company page and its members): erasing
    #: one subject anonymises a row only when they are its only subject; the
    #: others keep it, and it follows its retention rule.
    shared: bool = False
    #: a nullable datetime field set while processing is restricted (GDPR Art.
    #: 18) and cleared when the restriction is lifted; None when the model has
    #: no such flag.
    restriction_field: str | None = None

    model: type[models.Model]

    def __init__(self, model: type[models.Model]):
        self.model = model

    def __repr__(self) -> str:
        return f"<{type(self).__name__} for {self.model._meta.label}>"

    # What is personal, and how each field leaves and is erased.
    def personal_fields(self) -> list[PersonalField]:
        result = []
        for name, spec in self.fields.items():
            if isinstance(spec, PersonalField):
                result.append(spec)
                continue
            model_field = self.model._meta.get_field(name)
            exporter = (
                Export.file()
                if isinstance(model_field, models.FileField)
                else Export.value()
            )
            result.append(
                PersonalField(
                    name=name,
                    anonymise=spec,
                    export=exporter,
                    exported=name not in self.export_exclude,
                )
            )
        return result

    def subject_q(self, user) -> Q:
        if not self.subject:
            return Q(pk=user.pk)
        return Q(**{self.subject: user})

    def rows_for(self, user) -> models.QuerySet:
        return self.model._default_manager.filter(self.subject_q(user))

    def rows_owned_by(self, user) -> models.QuerySet:
        """The subject's rows that erasure and restriction act on.

        ``rows_for`` (every row the access export shows) by default. A
        declaration whose rows another party goes on using narrows it: a
        company's engagements are in each member's export, but only a member
        the company closes with may have them erased or restricted.
        """
        return self.rows_for(user)

    def subject_path_repeats_rows(self) -> bool:
        """Whether following ``subject`` can match one row several times.

        A path through a to-many relation (a company's ``members``) joins one
        row to many; forward foreign keys never do.
        """
        if type(self).rows_for is not PersonalData.rows_for:
            return True  # a custom query: assume it may join
        model = self.model
        for name in self.subject.split("__") if self.subject else ():
            model_field = model._meta.get_field(name)
            if model_field.many_to_many or model_field.one_to_many:
                return True
            model = model_field.related_model
        return False

    def export_queryset(self, user) -> models.QuerySet:
        """The subject's rows for the export: each once, by primary key, with
        the related rows the exporters read fetched alongside.

        The query count does not grow with the rows: a custom exporter of a
        forward relation (the consent text a record points at) is read through
        ``select_related``; to-many relations are prefetched (one query per
        chunk of an ``iterator()``). Repeats are removed by a semi-join on the
        primary key, not by ``DISTINCT`` over every column, which would make
        PostgreSQL sort whole rows.
        """
        rows = self.rows_for(user)
        if self.subject_path_repeats_rows():
            rows = self.model._default_manager.filter(pk__in=rows.values("pk"))
        joined, prefetched = [], []
        for spec, model_field in self.exported_fields():
            if not model_field.is_relation:
                continue
            forward = model_field.concrete and (
                model_field.many_to_one or model_field.one_to_one
            )
            if not forward:
                prefetched.append(spec.name)  # to-many, reverse or generic
            elif not isinstance(spec.export, ValueExporter):
                # A value exporter reads only the key column (``<name>_id``).
                joined.append(spec.name)
        if joined:
            rows = rows.select_related(*joined)
        if prefetched:
            rows = rows.prefetch_related(*prefetched)
        return rows.order_by("pk")

    def exported_fields(self) -> list[tuple[PersonalField, models.Field]]:
        """The exported personal fields with their model fields, looked up once
        per export rather than once per row."""
        return [
            (spec, self.model._meta.get_field(spec.name))
            for spec in self.personal_fields()
            if spec.exported
        ]

    def export_row(
        self,
        instance: models.Model,
        *,
        fields: list[tuple[PersonalField, models.Field]] | None = None,
    ) -> dict[str, Any]:
        """One row as the export shows it; ``fields`` from ``exported_fields()``."""
        data: dict[str, Any] = {"id": jsonable(instance.pk)}
        for spec, model_field in self.exported_fields() if fields is None else fields:
            data[spec.name] = spec.export.export(instance, model_field)
        return data

    def exported_files(self, instance: models.Model) -> list[str]:
        names = []
        for spec in self.personal_fields():
            if spec.exported and spec.export.includes_file:
                file = getattr(instance, spec.name)
                if file:
                    names.append(file.name)
        return names

    def anonymise_instance(self, instance: models.Model) -> tuple[list[str], list[str]]:
        """Set anonymised values on ``instance`` (unsaved).

        Returns the fields changed and the storage names of files to delete
        after the transaction commits.
        """
        changed, files = [], []
        for spec in self.personal_fields():
            if not spec.anonymise.changes_value:
                continue
            model_field = self.model._meta.get_field(spec.name)
            if spec.anonymise.deletes_file:
                current = getattr(instance, model_field.attname)
                if current:
                    files.append(current.name)
            setattr(
                instance,
                model_field.attname,
                spec.anonymise.value(instance, model_field),
            )
            changed.append(model_field.name)
        if self.marks_anonymised:
            setattr(instance, ANONYMISED_AT, timezone.now())
            changed.append(ANONYMISED_AT)
        return changed, files

    def anonymise_updates(self) -> dict[str, Combinable]:
        """``QuerySet.update()`` kwargs that anonymise a whole batch in SQL."""
        updates = {}
        for spec in self.personal_fields():
            if spec.anonymise.changes_value:
                model_field = self.model._meta.get_field(spec.name)
                updates[model_field.attname] = spec.anonymise.expression(model_field)
        if self.marks_anonymised:
            updates[ANONYMISED_AT] = Now()
        return updates

    @property
    def marks_anonymised(self) -> bool:
        """Whether rows record when they were anonymised (``anonymised_at``).

        Anonymised rows keep their purpose-end date, so without the mark the
        purge would pick them again on every run.
        """
        return any(f.name == ANONYMISED_AT for f in self.model._meta.concrete_fields)

    def file_fields(self) -> list[str]:
        return [
            spec.name for spec in self.personal_fields() if spec.anonymise.deletes_file
        ]

    def expired(self, *, now: dt.datetime | None = None) -> models.QuerySet:
        """Rows whose purpose ended more than the retention period ago.

        Rows a legal exception keeps are left out; they follow their own rule.
        """
        if self.retention is None:
            return self.model._default_manager.none()
        return self.rules()[0].expired(now=now)

    def rules(self) -> list[RetentionRule]:
        """The ordinary rule first, then one per legal exception with its own rule."""
        rules = []
        if self.retention is not None:
            kept = tuple(e.keeps for e in self.legal_exceptions)
            rules.append(RetentionRule(self, self.retention, exclude=kept))
        for exception in self.legal_exceptions:
            if exception.retention is not None:
                scope = exception.keeps if exception.keeps is not None else Q()
                rules.append(RetentionRule(self, exception.retention, scope=scope))
        return rules


@dataclass(frozen=True)
class RetentionRule:
    """One retention rule of a declaration, over the rows it governs."""

    declaration: PersonalData
    retention: Retention
    #: rows this rule governs (a legal exception's part); Q() means all rows.
    scope: Q = field(default_factory=Q)
    #: parts kept by legal exceptions (None: the whole model is kept).
    exclude: tuple[Q | None, ...] = ()

    @property
    def key(self) -> str:
        return self.retention.key

    @property
    def model(self) -> type[models.Model]:
        return self.declaration.model

    def expired(
        self, *, now: dt.datetime | None = None, after: dt.timedelta | None = None
    ) -> models.QuerySet:
        """Rows whose purpose ended more than ``after`` (default: the rule's) ago.

        Already-anonymised rows are not expired again.
        """
        now = now or timezone.now()
        after = self.retention.after if after is None else after
        qs = (
            self.model._default_manager.alias(
                _purpose_ended=self.retention.purpose_ended_expression()
            )
            .filter(self.scope)
            .filter(_purpose_ended__lt=now - after)
        )
        if self.retention.condition is not None:
            qs = qs.filter(self.retention.condition(now))
        for kept in self.exclude:
            qs = qs.none() if kept is None else qs.exclude(kept)
        if (
            self.retention.action == Action.ANONYMISE
            and self.declaration.marks_anonymised
        ):
            qs = qs.filter(**{f"{ANONYMISED_AT}__isnull": True})
        return qs
