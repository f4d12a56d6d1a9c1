from django.core.management.base import BaseCommand, CommandError

from privacy.retention import BATCH_SIZE, retention_purge


class Command(BaseCommand):
    help = (
        "Delete or anonymise personal data whose retention period has passed "
        "(the same service the daily Celery task runs)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen only."
        )
        parser.add_argument("--rule", help="Only this retention rule (its key).")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, dry_run=False, rule=None, batch_size=BATCH_SIZE, **opts):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            run = retention_purge(dry_run=dry_run, rule_key=rule, batch_size=batch_size)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        verb = "would" if dry_run else "did"
        for r in run.rules.all():
            self.stdout.write(
                f"{r.rule_key}: matched={r.matched} {verb} anonymise={r.anonymised} "
                f"delete={r.deleted} skipped_hold={r.skipped_hold} errors={r.errors}"
            )
        self.stdout.write(
            f"purge run {run.pk} {run.status}{' (dry run)' if dry_run else ''}"
        )
        if run.status != run.Status.COMPLETED:
            raise CommandError("Some rules failed; see the purge run in the admin.")
