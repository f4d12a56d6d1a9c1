"""The platform's compliance content, from versioned data files into the database.

Idempotent: rows are matched by their keys and updated or created, never
duplicated, so running it after every ``migrate`` (and by ``seed_compliance``)
is safe. Editorial changes belong in the data files, reviewed like code:
``compliance/data/policy_records.json`` (processors, processing activities,
policy versions, in Danish and English) and the cookie catalogue
(``consent/data/cookie_catalogue.json``).
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.db import transaction

from compliance.models import PolicyVersion, ProcessingActivity, Processor
from compliance.records import policy_records_apply, policy_records_read
from consent.catalogue import cookie_catalogue_sync


def compliance_seed() -> dict[str, int]:
    """Write every record the data files hold; returns counts per kind."""
    with transaction.atomic():
        counts = policy_records_apply(
            processor_model=Processor,
            activity_model=ProcessingActivity,
            version_model=PolicyVersion,
            data=policy_records_read(),
        )
        counts["cookies"] = cookie_catalogue_sync(global_apps)
    return counts


def compliance_seed_after_migrate(*, using: str = "default", plan=None, **kwargs):
    """post_migrate receiver: seed once the migrations that ran are applied.

    Skipped for a migrate that was only a plan over nothing (``plan`` empty on
    an up-to-date database) so a no-op ``migrate`` stays a no-op; the data
    files still reach such a database with ``manage.py seed_compliance``.
    """
    if plan is not None and not plan:
        return
    if using != "default":
        return
    compliance_seed()
