"""Migration operations shared by the apps' migrations.

``CreateModelOrAdoptTable`` exists for the layout change of issue 17: models
that moved from ``privacy`` into ``core``, ``consent`` and ``compliance`` kept
their tables (``Meta.db_table``). On a database made before the move the
table is already there and is adopted as it is; on a new database it is
created. ``tests/migrations/test_forward.py`` checks both paths end with the
same schema.
"""

from django.db import migrations


class CreateModelOrAdoptTable(migrations.CreateModel):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.name)
        existing = schema_editor.connection.introspection.table_names()
        if model._meta.db_table in existing:
            return
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Create model {self.name} (or adopt its existing table)"


def on_postgres(sql: str):
    """A ``RunPython`` function that runs ``sql`` on PostgreSQL and does
    nothing elsewhere (SQLite under ``make run`` has no tsvector, GIN or
    btree_gin). ``sql`` may hold several statements: it goes as one simple
    query, without parameters."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run
