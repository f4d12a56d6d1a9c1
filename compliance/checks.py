"""System checks of the policy's records: every processor and tracker the code
uses has a row, every retention rule an activity, the controller is real."""

from __future__ import annotations

from django.apps import apps as global_apps
from django.conf import settings
from django.core import checks
from django.db import connections

from compliance.models import ProcessingActivity, Processor
from compliance.selectors import TRACKER_PROCESSORS, activity_gaps
from privacy.facts import controller
from privacy.selectors import retention_periods


@checks.register("compliance", checks.Tags.database)
def check_processors(app_configs=None, databases=None, **kwargs):
    """privacy.E010: a cookie vendor or an enabled tracker without a Processor row.

    It reads the database, so it runs only when databases are checked
    (``check --database default``, ``migrate``), and says nothing while the
    tables do not exist yet.
    """

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


@checks.register("compliance", checks.Tags.database)
def check_processing_activities(app_configs=None, databases=None, **kwargs):
    """privacy.E011: a processing activity lacks a purpose, a legal basis or a
    retention period, so the policy generated from it would be incomplete."""

    if not databases:
        return []
    errors: list[checks.CheckMessage] = []
    for alias in databases:
        tables = set(connections[alias].introspection.table_names())
        if ProcessingActivity._meta.db_table not in tables:
            continue
        periods = retention_periods()
        # Only the columns the check reads: ``migrate`` runs it before it
        # adds a column the model has since gained.
        activities = ProcessingActivity.objects.using(alias).only(
            "purpose_en", "legal_basis", "retention_key"
        )
        for activity in activities:
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


@checks.register("compliance", deploy=True)
def check_deploy_settings(app_configs=None, **kwargs):
    """privacy.E020 and E021 (``check --deploy``, DEBUG off): a variable production
    must set is missing, or the controller the policy names is a placeholder.

    One error per variable, each one line naming it.
    """

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
