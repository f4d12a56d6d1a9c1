"""The personal-data registry: the one list of where personal data lives.

Each app declares, in its own ``personal_data.py`` (autodiscovered like
``admin.py``), every model that holds personal data: whom a row is about, which
fields are personal and how each is exported and anonymised, when its purpose
ends and what happens then, and which rows a law keeps longer. The access
export, erasure and the retention purge read these declarations and nothing
else, so what the privacy policy promises is what the code does.

Invariants:
- A model with fields that look personal is either declared here or explicitly
  exempted with a reason; ``manage.py check`` fails otherwise (``privacy.E001``).
- Every anonymiser has two forms that give the same result: ``value()`` for one
  row (erasure of one subject) and ``expression()`` for a set-based UPDATE (the
  purge), so no batch job loops over rows in Python.
- A declaration names only fields that exist and a subject path that ends at the
  user model; the system check verifies both at start-up.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

DEFAULT_RETENTION = dt.timedelta(days=365)
INVALID_EMAIL_DOMAIN = "invalid.example"


class Action(enum.StrEnum):
    ANONYMISE = "anonymise"
    DELETE = "delete"


# --- Anonymisers -----------------------------------------------------------


class Anonymiser:
    """Replaces one field's value. ``value`` and ``expression`` must agree."""

    #: True when the field's file is removed from storage (after commit).
    deletes_file = False
    #: False for fields that are exported but left as they are on anonymisation.
    changes_value = True

    def value(self, instance: models.Model, field: models.Field) -> Any:
        raise NotImplementedError

    def expression(self, field: models.Field) -> Combinable:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


class _Keep(Anonymiser):
    changes_value = False

    def value(self, instance, field):
        return field.value_from_object(instance)

    def expression(self, field):
        return models.F(field.attname)

    def describe(self) -> str:
        return "kept"


class _Fixed(Anonymiser):
    def __init__(self, fixed: Any):
        self.fixed = fixed

    def value(self, instance, field):
        return self.fixed

    def expression(self, field):
        return models.Value(self.fixed, output_field=field)

    def describe(self) -> str:
        return "cleared" if self.fixed in (None, "") else f"replaced by {self.fixed!r}"


class _UniqueText(Anonymiser):
    """``<prefix><pk><suffix>``: unique, so unique constraints still hold."""

    def __init__(self, prefix: str, suffix: str = ""):
        self.prefix = prefix
        self.suffix = suffix

    def value(self, instance, field):
        return f"{self.prefix}{instance.pk}{self.suffix}"

    def expression(self, field):
        parts = [
            models.Value(self.prefix),
            Cast("pk", output_field=models.CharField()),
        ]
        if self.suffix:
            parts.append(models.Value(self.suffix))
        return Concat(*parts, output_field=field)

    def describe(self) -> str:
        return f"replaced by {self.prefix}<id>{self.suffix}"


class _DeleteFile(_Fixed):
    deletes_file = True

    def __init__(self):
        super().__init__("")

    def describe(self) -> str:
        return "file deleted"


class Anonymise:
    """The anonymisers a declaration can use."""

    @staticmethod
    def null() -> Anonymiser:
        return _Fixed(None)

    @staticmethod
    def fixed(value: Any) -> Anonymiser:
        return _Fixed(value)

    @staticmethod
    def text(placeholder: str) -> Anonymiser:
        return _Fixed(placeholder)

    @staticmethod
    def unique_text(prefix: str) -> Anonymiser:
        return _UniqueText(prefix)

    @staticmethod
    def unique_email() -> Anonymiser:
        return _UniqueText("deleted-", f"@{INVALID_EMAIL_DOMAIN}")

    @staticmethod
    def delete_file() -> Anonymiser:
        return _DeleteFile()

    @staticmethod
    def keep() -> Anonymiser:
        return _Keep()


# --- Exporters -------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    return value


class Exporter:
    #: True when the field's file goes into the export archive.
    includes_file = False

    def export(self, instance: models.Model, field: models.Field) -> Any:
        raise NotImplementedError


class _ValueExporter(Exporter):
    def export(self, instance, field):
        value = field.value_from_object(instance)
        if isinstance(value, models.Model):
            return value.pk
        return _jsonable(value)


class _FileExporter(Exporter):
    includes_file = True

    def export(self, instance, field):
        file = getattr(instance, field.attname)
        return file.name or None


class _CallableExporter(Exporter):
    def __init__(self, func: Callable[[models.Model], Any]):
        self.func = func

    def export(self, instance, field):
        return _jsonable(self.func(instance))


class Export:
    @staticmethod
    def value() -> Exporter:
        return _ValueExporter()

    @staticmethod
    def file() -> Exporter:
        return _FileExporter()

    @staticmethod
    def using(func: Callable[[models.Model], Any]) -> Exporter:
        return _CallableExporter(func)


# --- Declarations ----------------------------------------------------------


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

    def export_row(self, instance: models.Model) -> dict[str, Any]:
        data: dict[str, Any] = {"id": _jsonable(instance.pk)}
        for spec in self.personal_fields():
            if spec.exported:
                model_field = self.model._meta.get_field(spec.name)
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
        return changed, files

    def anonymise_updates(self) -> dict[str, Combinable]:
        """``QuerySet.update()`` kwargs that anonymise a whole batch in SQL."""
        updates = {}
        for spec in self.personal_fields():
            if spec.anonymise.changes_value:
                model_field = self.model._meta.get_field(spec.name)
                updates[model_field.attname] = spec.anonymise.expression(model_field)
        return updates

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
        now = now or timezone.now()
        qs = self.model._default_manager.alias(
            _purpose_ended=self.retention.purpose_ended_expression()
        ).filter(_purpose_ended__lt=now - self.retention.after)
        for exception in self.legal_exceptions:
            qs = (
                qs.exclude(exception.keeps)
                if exception.keeps is not None
                else qs.none()
            )
        return qs


# --- The registry ----------------------------------------------------------


class AlreadyRegistered(Exception):
    pass


@dataclass
class Registry:
    _declarations: dict[type[models.Model], PersonalData] = field(default_factory=dict)
    _exempt: dict[str, str] = field(default_factory=dict)

    def register(self, model: type[models.Model]):
        """Class decorator: ``@personal_data.register(Model)`` on a declaration."""

        def decorator(declaration_class: type[PersonalData]) -> type[PersonalData]:
            if model in self._declarations:
                raise AlreadyRegistered(f"{model._meta.label} is already registered.")
            self._declarations[model] = declaration_class(model)
            return declaration_class

        return decorator

    def exempt(self, *targets: type[models.Model] | str, reason: str):
        """Mark models as holding no personal data, with the reason why.

        ``targets`` are model classes or ``"app_label.ModelName"`` labels (for
        third-party models). With no targets it returns a class decorator.
        """
        if not reason:
            raise ValueError("An exemption needs a reason.")

        def add(target: type[models.Model] | str) -> None:
            label = target if isinstance(target, str) else target._meta.label
            self._exempt[label.lower()] = reason

        if not targets:

            def decorator(model: type[models.Model]) -> type[models.Model]:
                add(model)
                return model

            return decorator
        for target in targets:
            add(target)
        return None

    def get(self, model: type[models.Model]) -> PersonalData | None:
        return self._declarations.get(model)

    def declarations(self) -> Iterable[PersonalData]:
        return list(self._declarations.values())

    def is_exempt(self, model: type[models.Model]) -> bool:
        return model._meta.label_lower in self._exempt

    def exemption_reason(self, model: type[models.Model]) -> str | None:
        return self._exempt.get(model._meta.label_lower)

    def retention_rules(self) -> list[tuple[PersonalData, Retention]]:
        rules = []
        for declaration in self.declarations():
            if declaration.retention is not None:
                rules.append((declaration, declaration.retention))
            for exception in declaration.legal_exceptions:
                if exception.retention is not None:
                    rules.append((declaration, exception.retention))
        return rules

    def rows_for_subject(self, user) -> Iterable[tuple[PersonalData, models.QuerySet]]:
        for declaration in self.declarations():
            yield declaration, declaration.rows_for(user)


personal_data = Registry()


def autodiscover() -> None:
    autodiscover_modules("personal_data")


def user_model_label() -> str:
    return settings.AUTH_USER_MODEL.lower()
