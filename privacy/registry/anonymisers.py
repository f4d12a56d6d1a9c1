"""How a personal field is anonymised: one value for one row (erasure of one
subject) and the same result as SQL over a batch (the purge).

Invariant: every anonymiser's ``value()`` and ``expression()`` give the same
result, so a row erased alone and a row purged in a batch look alike, and no
batch job loops over rows in Python.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Concat, TruncMonth

INVALID_EMAIL_DOMAIN = "invalid.example"


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
