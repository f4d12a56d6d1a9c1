"""Add every cookie the vendors' scripts set (``_gid``, ``_gat``, ``_gcl_*``,
``_fbc``, X's ``muc_ads`` and ``guest_id*``, ...) and the texts that say Google
is used for analytics only; re-runs the catalogue seed of 0002."""

from django.db import migrations

from consent import catalogue


def seed(apps, schema_editor=None):
    catalogue.seed(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0004_sources_email_link_request"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
