from django.core.management.base import BaseCommand, CommandError

from core.files import (
    file_deletions_process,
    orphan_files_delete,
    orphan_files_find,
)


class Command(BaseCommand):
    help = (
        "Find files under MEDIA_ROOT and PRIVATE_MEDIA_ROOT that no row references "
        "(e.g. left by a killed process) and report them, or delete them with "
        "--delete. Pending file deletions are processed first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete", action="store_true", help="Delete the orphaned files."
        )
        parser.add_argument(
            "--min-age",
            type=int,
            default=3600,
            help="Ignore files younger than this many seconds (uploads in "
            "progress write the file before their row commits). Default 3600.",
        )

    def handle(self, *args, delete=False, min_age=3600, **opts):
        if min_age < 0:
            raise CommandError("--min-age must not be negative.")
        processed = file_deletions_process()
        if processed:
            self.stdout.write(f"pending deletions processed: {processed}")
        orphans = orphan_files_find(min_age=min_age)
        for orphan in orphans:
            self.stdout.write(f"orphan: {orphan.path} ({orphan.size} bytes)")
        total = sum(o.size for o in orphans)
        if delete:
            deleted = orphan_files_delete(orphans)
            self.stdout.write(f"deleted {deleted} orphaned file(s), {total} bytes")
        else:
            self.stdout.write(
                f"{len(orphans)} orphaned file(s), {total} bytes"
                + (" (run with --delete to remove them)" if orphans else "")
            )
