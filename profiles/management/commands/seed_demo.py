from django.conf import settings
from django.core.management.base import BaseCommand

from profiles.services import user_ensure_verified

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - published demo credential
DEMO_MEMBERS = [
    "freja.freelancer@example.com",
    "mads.freelancer@example.com",
    "company.owner@example.com",
]
DEMO_ADMIN = "admin@example.com"


class Command(BaseCommand):
    help = "Create demo members (and, with DEBUG on, a demo admin). Idempotent."

    def handle(self, *args, **options):
        for email in DEMO_MEMBERS:
            _user, created = user_ensure_verified(email=email, password=DEMO_PASSWORD)
            self.stdout.write(f"{'created' if created else 'exists '} {email}")
        # A superuser with a published password must never reach production.
        if settings.DEBUG:
            _user, created = user_ensure_verified(
                email=DEMO_ADMIN,
                password=DEMO_PASSWORD,
                is_staff=True,
                is_superuser=True,
            )
            self.stdout.write(f"{'created' if created else 'exists '} {DEMO_ADMIN}")
        self.stdout.write(
            self.style.SUCCESS(f"Demo users ready; password: {DEMO_PASSWORD}")
        )
