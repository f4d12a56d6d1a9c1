"""Load the seeded processors, processing activities and first policy version
(Danish and English) from privacy/data/policy_records.json."""

from django.core.management.base import BaseCommand
from django.db import transaction

from privacy.models import PolicyVersion, ProcessingActivity, Processor
from privacy.records import policy_records_apply, policy_records_read


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = policy_records_apply(
                processor_model=Processor,
                activity_model=ProcessingActivity,
                version_model=PolicyVersion,
                data=policy_records_read(),
            )
        self.stdout.write(
            "Loaded {processors} processors, {activities} processing activities, "
            "{versions} policy versions.".format(**counts)
        )
