"""How a personal field appears in the access export (JSON values, files)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable
from typing import Any

from django.db import models


def jsonable(value: Any) -> Any:
    """A field value as JSON holds it: dates as ISO text, binary left out."""
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


class ValueExporter(Exporter):
    def export(self, instance, field):
        value = field.value_from_object(instance)
        if isinstance(value, models.Model):
            return value.pk
        return jsonable(value)


class _FileExporter(Exporter):
    includes_file = True

    def export(self, instance, field):
        file = getattr(instance, field.attname)
        return file.name or None


class _CallableExporter(Exporter):
    def __init__(self, func: Callable[[models.Model], Any]):
        self.func = func

    def export(self, instance, field):
        return jsonable(self.func(instance))


class Export:
    @staticmethod
    def value() -> Exporter:
        return ValueExporter()

    @staticmethod
    def file() -> Exporter:
        return _FileExporter()

    @staticmethod
    def using(func: Callable[[models.Model], Any]) -> Exporter:
        return _CallableExporter(func)
