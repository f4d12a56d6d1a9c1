"""Load the policy's processors, processing activities and versions and the
cookie catalogue (Danish and English) from their data files; safe to repeat."""

from django.core.management.base import BaseCommand

from compliance.seed import compliance_seed


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        counts = compliance_seed()
        self.stdout.write(
            "Loaded {processors} processors, {activities} processing activities, "
            "{versions} policy versions, {cookies} cookies.".format(**counts)
        )
