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
from django.db.models.functions import Cast, Concat, Now, TruncMonth
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

DEFAULT_RETENTION = dt.timedelta(days=365)
#: the field that marks a row as anonymised (set by both anonymiser forms).
ANONYMISED_AT = "anonymised_at"
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


class _Month(Anonymiser):
    """A date-time coarsened to the first of its month (UTC): statistics keep
    when, roughly, without a timestamp that could single a person out."""

    def value(self, instance, field):
        moment = field.value_from_object(instance)
        if moment is None:
            return None
        moment = moment.astimezone(dt.UTC)
        return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)

    def expression(self, field):
        return TruncMonth(field.attname, output_field=field, tzinfo=dt.UTC)

    def describe(self) -> str:
        return "kept to the month"


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

    @staticmethod
    def month() -> Anonymiser:
        return _Month()


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
    #: ``condition(now) -> Q``: rows must also match it to be acted on (e.g. an
    #: unused account only 30 days after its warning e-mail was sent).
    condition: Callable[[dt.datetime], Q] | None = None

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
            elif not isinstance(spec.export, _ValueExporter):
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
        data: dict[str, Any] = {"id": _jsonable(instance.pk)}
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


# --- The registry ----------------------------------------------------------


class AlreadyRegistered(Exception):
    pass


class Event(enum.StrEnum):
    """Moments of a data-subject request at which an app may have to act.

    Handlers are called as ``handler(user=..., actor=..., **context)`` inside the
    transaction of the request's step, so they must not send e-mail or start
    tasks directly (use ``transaction.on_commit``) and must be idempotent.
    """

    #: processing restricted (Art. 18): stop using the subject's data.
    RESTRICT = "restrict"
    #: the restriction was lifted.
    LIFT_RESTRICTION = "lift_restriction"
    #: withdraw every consent the subject gave (Art. 7(3)).
    WITHDRAW_CONSENTS = "withdraw_consents"
    #: objection to direct marketing (Art. 21(2)): stop it. ``user`` may be
    #: None (a visitor's objection); ``email`` is the address objected under.
    OBJECT = "object"
    #: erasure (Art. 17), before the registry anonymises or deletes the rows.
    ERASE = "erase"


@dataclass(frozen=True)
class Recipient:
    """Someone the subject's data was disclosed to (GDPR Art. 15(1)(c), 19)."""

    name: str
    email: str
    since: dt.datetime | None = None
    #: how the recipient knows the subject (e.g. the name on the CV they got);
    #: used only in the notice sent to the recipient, never stored.
    reference: str = ""


@dataclass
class Registry:
    _declarations: dict[type[models.Model], PersonalData] = field(default_factory=dict)
    _exempt: dict[str, str] = field(default_factory=dict)
    _handlers: dict[str, list[Callable]] = field(default_factory=dict)
    _recipient_providers: list[Callable] = field(default_factory=list)
    _batch_handlers: list[Callable] = field(default_factory=list)

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

    # Hooks: how an app acts on a data-subject request without privacy
    # importing it.
    def on(self, event: Event | str, handler: Callable | None = None):
        """Register ``handler(user=, actor=)`` for ``event``; usable as a decorator.

        Registering the same function twice for an event has no effect.
        """
        event = Event(event)

        def add(func: Callable) -> Callable:
            handlers = self._handlers.setdefault(str(event), [])
            if func not in handlers:
                handlers.append(func)
            return func

        return add if handler is None else add(handler)

    def handlers(self, event: Event | str) -> list[Callable]:
        return list(self._handlers.get(str(Event(event)), []))

    def emit(self, event: Event | str, *, user, actor, **context) -> None:
        """Call every handler of ``event``, in registration order.

        ``context`` is what the event adds (``Event.OBJECT``: ``email``, the
        address the objection was made under); handlers take ``**context``.
        """
        for handler in self.handlers(event):
            handler(user=user, actor=actor, **context)

    def after_purge_batch(self, func: Callable) -> Callable:
        """Register ``func(model=, now=)``, called inside each purge batch's
        transaction after the batch changed rows of ``model``; usable as a
        decorator. Handlers must be set-based and idempotent (e.g. close the
        companies whose last member the batch removed)."""
        if func not in self._batch_handlers:
            self._batch_handlers.append(func)
        return func

    def emit_purge_batch(self, *, model: type[models.Model], now) -> None:
        for handler in list(self._batch_handlers):
            handler(model=model, now=now)

    def recipients_provider(self, func: Callable) -> Callable:
        """Register ``func(user) -> list[Recipient]``; usable as a decorator."""
        if func not in self._recipient_providers:
            self._recipient_providers.append(func)
        return func

    def recipients(self, user) -> list[Recipient]:
        """Everyone the subject's data was disclosed to, from every provider."""
        found: list[Recipient] = []
        for provider in self._recipient_providers:
            found.extend(provider(user))
        return found

    def restriction_declarations(self) -> list[PersonalData]:
        return [d for d in self.declarations() if d.restriction_field]


personal_data = Registry()


def autodiscover() -> None:
    autodiscover_modules("personal_data")


def user_model_label() -> str:
    return settings.AUTH_USER_MODEL.lower()
