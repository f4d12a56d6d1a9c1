from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    # Creates the table of every DatabaseCache in CACHES (django-axes' counts
    # when no shared cache is configured); does nothing for the others.
    call_command("createcachetable", database=schema_editor.connection.alias)


class Migration(migrations.Migration):
    initial = True
    dependencies: list = []
    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
