"""The seeded processor register, record of processing activities and first
policy version, in Danish and English, from ``compliance/data/policy_records.json``.

Used by ``compliance.seed`` (after every ``migrate`` and by ``seed_compliance``),
so the same file is the one source of the seeded content.
Loading again updates the seeded rows (found by processor key, by the English
purpose an activity was first seeded under or its current one, by version
name) and adds missing ones; rows added in the admin stay.
A published version's text is never changed by a reload.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

RECORDS_FILE = Path(__file__).resolve().parent / "data" / "policy_records.json"
LANGUAGES = ("en", "da")


def policy_records_read(path: Path | None = None) -> dict:
    return json.loads((path or RECORDS_FILE).read_text(encoding="utf-8"))


def _set_translated(obj, spec: dict) -> None:
    """Plain values as they are; {"en": ..., "da": ...} into the base field
    (English, the default language) and each ``<field>_<lang>``."""
    for name, value in spec.items():
        if isinstance(value, dict):
            setattr(obj, f"{name}_en", value["en"])
            setattr(obj, f"{name}_da", value["da"])
            obj.__dict__[name] = value["en"]
        else:
            setattr(obj, name, value)


def _date(value):
    return dt.date.fromisoformat(value) if value else None


def policy_records_apply(
    *, processor_model, activity_model, version_model, data: dict
) -> dict[str, int]:
    """Upsert the records in ``data``; returns counts per kind."""
    processors = {}
    for raw in data["processors"]:
        spec = dict(raw)
        key = spec.pop("key")
        for name in ("dpa_signed_on", "transfer_assessment_date"):
            if name in spec:
                spec[name] = _date(spec[name])
        obj = processor_model.objects.filter(key=key).first() or processor_model(
            key=key
        )
        _set_translated(obj, spec)
        obj.save()
        processors[key] = obj
    for raw in data["activities"]:
        spec = dict(raw)
        # ``key_purpose`` is the purpose an activity was first seeded under;
        # a renamed activity is found by it, and by its new name afterwards.
        match = spec.pop("key_purpose")
        recipients = spec.pop("recipients")
        obj = (
            activity_model.objects.filter(purpose_en=match).first()
            or activity_model.objects.filter(purpose=match).first()
            or activity_model.objects.filter(purpose_en=spec["purpose"]["en"]).first()
        )
        obj = obj or activity_model()
        _set_translated(obj, spec)
        obj.save()
        obj.recipients.set(processors[key] for key in recipients)
    for raw in data["versions"]:
        spec = dict(raw)
        name = spec.pop("version")
        published = dt.datetime.fromisoformat(spec.pop("published_at"))
        spec["effective_date"] = _date(spec["effective_date"])
        obj = version_model.objects.filter(version=name).first()
        if obj is None:
            obj = version_model(version=name, created_at=published)
            obj.published_at = published
        elif obj.published_at is not None and any(
            getattr(obj, f"{field}_da", "") for field in ("intro", "security")
        ):
            continue  # a published text is history: never rewritten
        _set_translated(obj, spec)
        obj.save()
    return {
        "processors": len(data["processors"]),
        "activities": len(data["activities"]),
        "versions": len(data["versions"]),
    }
