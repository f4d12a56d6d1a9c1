"""Danish and English forms of the seeded processors, processing activities
(four added: marketing e-mail, e-mail open tracking, the CPR number, security
and audit logging) and version 1, from privacy/data/policy_records.json."""

from django.db import migrations

from privacy.records import policy_records_apply, policy_records_read


def load(apps, schema_editor):
    policy_records_apply(
        processor_model=apps.get_model("privacy", "Processor"),
        activity_model=apps.get_model("privacy", "ProcessingActivity"),
        version_model=apps.get_model("privacy", "PolicyVersion"),
        data=policy_records_read(),
    )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0011_policy_in_two_languages")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
