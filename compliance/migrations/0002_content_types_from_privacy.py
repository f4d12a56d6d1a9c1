"""The content types of the models issue 17 moved out of ``privacy`` follow
them, so their permissions, admin log entries and audit targets stay linked.
A database made after the move has no such rows: nothing to do."""

from django.db import migrations

MOVED = {
    "compliance": [
        "processor",
        "processingactivity",
        "policyversion",
        "policyacknowledgement",
        "breach",
    ],
    "core": ["filedeletion"],
    "consent": ["marketingsuppression"],
}


def move(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")  # noqa: N806
    alias = schema_editor.connection.alias
    for app_label, models in MOVED.items():
        for model in models:
            if ContentType.objects.using(alias).filter(
                app_label=app_label, model=model
            ).exists():
                continue
            ContentType.objects.using(alias).filter(
                app_label="privacy", model=model
            ).update(app_label=app_label)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("compliance", "0001_initial"),
        ("core", "0001_initial"),
        ("consent", "0001_squashed"),
    ]

    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
