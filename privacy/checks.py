"""System checks that keep the personal-data registry complete and correct."""

from __future__ import annotations

import re
from collections import Counter

from django.apps import apps as global_apps
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .registry import Registry, personal_data, user_model_label

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
        for declaration, rule in registry.retention_rules()
        if declaration in declarations
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


# --- Processors: every cookie vendor and tracker has a processor row -----------


@checks.register("privacy", checks.Tags.database)
def check_processors(app_configs=None, databases=None, **kwargs):
    """privacy.E010: a cookie vendor or an enabled tracker without a Processor row.

    It reads the database, so it runs only when databases are checked
    (``check --database default``, ``migrate``), and says nothing while the
    tables do not exist yet.
    """
    from django.conf import settings
    from django.db import connections

    from .models import Processor
    from .policy import TRACKER_PROCESSORS, controller

    if not databases:
        return []
    errors: list[checks.CheckMessage] = []
    cookie_details = global_apps.get_model("consent", "CookieDetails")
    for alias in databases:
        connection = connections[alias]
        tables = set(connection.introspection.table_names())
        if Processor._meta.db_table not in tables:
            continue
        processors = Processor.objects.using(alias)
        vendors = {v.casefold() for v in processors.values_list("vendor", flat=True)}
        keys = set(processors.values_list("key", flat=True))
        if cookie_details._meta.db_table in tables:
            first_party = controller().get("cookie_vendor", "").casefold()
            cookie_vendors = sorted(
                set(
                    cookie_details.objects.using(alias).values_list("vendor", flat=True)
                )
            )
            for vendor in cookie_vendors:
                folded = vendor.casefold()
                if folded and folded != first_party and folded not in vendors:
                    errors.append(
                        checks.Error(
                            f"The cookie vendor {vendor!r} has no processor "
                            "row, so the privacy policy does not name it.",
                            hint="Add it in the admin under Privacy > Processors, "
                            "with the same vendor name as on the cookie list.",
                            id="privacy.E010",
                        )
                    )
        for setting, key in TRACKER_PROCESSORS.items():
            if getattr(settings, setting, "") and key not in keys:
                errors.append(
                    checks.Error(
                        f"{setting} is set but no processor has the key {key!r}, "
                        "so the privacy policy does not name who receives the data.",
                        hint=f"Add a processor with key {key!r}, or unset {setting}.",
                        id="privacy.E010",
                    )
                )
    return errors


# --- The record of processing: purpose, legal basis and period for each ------------


@checks.register("privacy", checks.Tags.database)
def check_processing_activities(app_configs=None, databases=None, **kwargs):
    """privacy.E011: a processing activity lacks a purpose, a legal basis or a
    retention period, so the policy generated from it would be incomplete."""
    from django.db import connections

    from .models import ProcessingActivity
    from .policy import activity_gaps, retention_periods

    if not databases:
        return []
    errors: list[checks.CheckMessage] = []
    for alias in databases:
        tables = set(connections[alias].introspection.table_names())
        if ProcessingActivity._meta.db_table not in tables:
            continue
        periods = retention_periods()
        for activity in ProcessingActivity.objects.using(alias):
            gaps = activity_gaps(activity, periods)
            if gaps:
                errors.append(
                    checks.Error(
                        f"The processing activity {activity.purpose_en!r} has no "
                        f"{', no '.join(gaps)}.",
                        hint="Complete it in the admin under Privacy > "
                        "Processing activities.",
                        id="privacy.E011",
                    )
                )
    return errors


# --- Deploy: nothing published or mailed from development placeholders --------

#: controller() key -> the environment variable that sets it.
CONTROLLER_VARIABLES = {
    "address": "CONTROLLER_ADDRESS",
    "cvr": "CONTROLLER_CVR",
    "email": "CONTROLLER_EMAIL",
    "phone": "CONTROLLER_PHONE",
}


def _is_placeholder(variable: str, value: str, placeholders: dict) -> bool:
    value = (value or "").strip()
    if not value:
        return variable in ("CONTROLLER_ADDRESS", "CONTROLLER_EMAIL")
    if value == placeholders.get(variable):
        return True
    folded = value.casefold()
    return (
        "eksempelvej" in folded
        or "change-me" in folded
        or folded.endswith((".example", ".invalid"))
    )


@checks.register("privacy", deploy=True)
def check_deploy_settings(app_configs=None, **kwargs):
    """privacy.E020 and E021 (``check --deploy``, DEBUG off): a variable production
    must set is missing, or the controller the policy names is a placeholder.

    One error per variable, each one line naming it.
    """
    from django.conf import settings

    from .policy import controller

    if settings.DEBUG:
        return []
    errors: list[checks.CheckMessage] = [
        checks.Error(
            f"{name} is not set; set it in the environment (DEBUG is off).",
            id="privacy.E020",
        )
        for name in getattr(settings, "DEPLOY_MISSING_ENV", ())
    ]
    placeholders = getattr(settings, "CONTROLLER_PLACEHOLDERS", {})
    details = controller()
    for key, variable in CONTROLLER_VARIABLES.items():
        if _is_placeholder(variable, details.get(key, ""), placeholders):
            errors.append(
                checks.Error(
                    f"{variable} is a placeholder ({details.get(key, '')!r}); "
                    "set the controller's real details (the privacy policy "
                    "publishes them).",
                    id="privacy.E021",
                )
            )
    return errors
