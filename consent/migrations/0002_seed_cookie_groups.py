"""Seed the cookie groups and cookies (django-cookie-consent's models) and their
vendor, purpose, duration and transfer details. Editable in the admin
afterwards; running this again updates the seeded rows and adds missing ones.
The data lives in ``consent.catalogue`` (migration 0005 re-runs it).
"""

from django.db import migrations

from consent import catalogue

GROUPS = catalogue.GROUPS


def seed(apps, schema_editor=None):
    # The catalogue is the one source; it writes only fields this migration's
    # models have.
    catalogue.seed(apps, schema_editor)


def unseed(apps, schema_editor):
    CookieGroup = apps.get_model("cookie_consent", "CookieGroup")
    CookieGroup.objects.filter(
        varname__in=[spec["varname"] for spec in GROUPS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0001_initial"),
        ("cookie_consent", "0004_cookie_natural_key"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
