"""System checks that keep the personal-data registry complete and correct."""

from __future__ import annotations

import re
from collections import Counter

from django.apps import apps as global_apps
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from privacy.registry import Registry, personal_data, user_model_label

# Field-name words that suggest personal data. A field matches when one of the
# words of its name (split on "_") is in this set, e.g. "company_name".
PERSONAL_NAME_WORDS = frozenset(
    {
        "email",
        "mail",
        "phone",
        "mobile",
        "name",
        "fullname",
        "firstname",
        "lastname",
        "surname",
        "username",
        "address",
        "street",
        "cpr",
        "ssn",
        "birthday",
        "birthdate",
        "ip",
    }
)


def _label(model_or_label) -> str:
    if isinstance(model_or_label, str):
        return model_or_label.lower()
    return model_or_label._meta.label_lower


def _points_at_user(field: models.Field) -> bool:
    remote = getattr(field, "remote_field", None)
    if remote is None or field.many_to_many:
        return False
    return _label(remote.model) == user_model_label()


def personal_data_signals(model: type[models.Model]) -> list[str]:
    """Why ``model`` looks like it holds personal data (empty when it doesn't)."""
    signals = []
    if model._meta.label_lower == user_model_label():
        signals.append("is the user model")
    for field in model._meta.local_fields:
        if isinstance(field, models.ForeignKey) and _points_at_user(field):
            signals.append(f"'{field.name}' links to the user")
        elif isinstance(field, models.FileField):
            signals.append(f"'{field.name}' stores uploaded files")
        elif set(re.split(r"_+", field.name.lower())) & PERSONAL_NAME_WORDS:
            signals.append(f"'{field.name}' is named like personal data")
    return signals


def _candidate_models(app_configs):
    if app_configs is None:
        candidates = global_apps.get_models()
    else:
        candidates = [m for config in app_configs for m in config.get_models()]
    return [
        m
        for m in candidates
        if not (m._meta.abstract or m._meta.proxy or m._meta.auto_created)
    ]


def _check_declaration(declaration) -> list[checks.CheckMessage]:
    errors = []
    model = declaration.model
    label = model._meta.label
    for name in declaration.fields:
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            errors.append(
                checks.Error(
                    f"The personal-data declaration of {label} names the field "
                    f"'{name}', which {label} does not have.",
                    obj=declaration,
                    id="privacy.E002",
                )
            )
    for name in declaration.export_exclude:
        if name not in declaration.fields:
            errors.append(
                checks.Error(
                    f"export_exclude of {label} names '{name}', which is not one of "
                    "its personal fields.",
                    obj=declaration,
                    id="privacy.E002",
                )
            )
    retention = declaration.retention
    if (
        retention is not None
        and retention.action == "anonymise"
        and not declaration.marks_anonymised
    ):
        errors.append(
            checks.Error(
                f"{label} is anonymised by the retention rule {retention.key!r} but "
                "has no 'anonymised_at' field to mark anonymised rows.",
                hint="Add anonymised_at = models.DateTimeField(null=True, "
                "blank=True, editable=False); the anonymisers set it.",
                obj=declaration,
                id="privacy.E005",
            )
        )
    # Walk the subject path; it must end at the user model.
    target = model
    try:
        for part in filter(None, declaration.subject.split("__")):
            target_field = target._meta.get_field(part)
            if target_field.related_model is None:
                raise FieldDoesNotExist(part)
            target = target_field.related_model
    except FieldDoesNotExist:
        target = None
    if target is None or _label(target) != user_model_label():
        errors.append(
            checks.Error(
                f"The subject path {declaration.subject!r} of {label} does not lead "
                "to the user model.",
                hint='Use the ORM path to the user, e.g. "user" or "profile__user"; '
                '"" when the model is the user model.',
                obj=declaration,
                id="privacy.E003",
            )
        )
    return errors


def check_personal_data(app_configs=None, *, registry: Registry | None = None, **kw):
    registry = registry if registry is not None else personal_data
    errors: list[checks.CheckMessage] = []
    for model in _candidate_models(app_configs):
        if registry.get(model) is not None or registry.is_exempt(model):
            continue
        signals = personal_data_signals(model)
        if signals:
            errors.append(
                checks.Error(
                    f"{model._meta.label} looks like it holds personal data "
                    f"({'; '.join(signals)}) but is not in the personal-data registry.",
                    hint="Declare it in its app's personal_data.py with "
                    "@personal_data.register(...), or mark it with "
                    "personal_data.exempt(..., reason=...) if it holds none.",
                    obj=model,
                    id="privacy.E001",
                )
            )
    declarations = [
        d
        for d in registry.declarations()
        if app_configs is None or d.model._meta.app_config in app_configs
    ]
    for declaration in declarations:
        errors.extend(_check_declaration(declaration))
    keys = Counter(
        rule.key
        for rule in registry.retention_rules()
        if rule.declaration in declarations
    )
    for key, count in keys.items():
        if count > 1:
            errors.append(
                checks.Error(
                    f"The retention rule key {key!r} is declared {count} times.",
                    id="privacy.E004",
                )
            )
    return errors
