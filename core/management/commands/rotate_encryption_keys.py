"""Re-encrypt every EncryptedTextField value with the newest encryption key.

Invariants:
- The column never holds plaintext, not even for a moment: stored tokens are
  read and written with raw SQL (the ORM would decrypt them on the way in),
  and ``rotate`` turns a token into a token without returning the plaintext.
- No batch is half done: each batch of rows is read (``FOR UPDATE`` where the
  database has it, so a concurrent save waits) and rewritten in one
  transaction. A token no key opens stops the run with that batch rolled
  back; earlier batches stay committed, and all keys still open them, so the
  command can simply be run again.
- Put the new key first in every running process before a run, and keep every
  old key in FIELD_ENCRYPTION_KEYS until a run has finished without error:
  a process still encrypting with an old key after the run would leave
  tokens only that key opens.
"""

from collections.abc import Iterable

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, router, transaction

from core.crypto import InvalidToken, rotate
from core.fields import EncryptedTextField

BATCH_SIZE = 500


def encrypted_fields() -> list[EncryptedTextField]:
    """Every EncryptedTextField with its own column in an installed model.

    Unmanaged models (views, tables owned elsewhere) are left to their owner;
    inherited fields are found once, on the model whose table holds them.
    """
    return [
        field
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
        for field in model._meta.local_concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def _label(field: EncryptedTextField) -> str:
    return f"{field.model._meta.label}.{field.name}"


def _rotate_field(field: EncryptedTextField, *, dry_run: bool, batch_size: int) -> int:
    model = field.model
    using = router.db_for_write(model)
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column = quote(field.column)
    pk = quote(model._meta.pk.column)
    # "" is stored unencrypted (see core.fields); NULL means no value.
    present = f"{column} IS NOT NULL AND {column} <> ''"

    if dry_run:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {present}")  # noqa: S608 - quoted identifiers only
            return cursor.fetchone()[0]

    limit = connection.ops.limit_offset_sql(None, batch_size)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    rotated = 0
    last_pk = None
    while True:
        after = "" if last_pk is None else f" AND {pk} > %s"
        params = [] if last_pk is None else [last_pk]
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk}, {column} FROM {table} "  # noqa: S608 - quoted identifiers only
                f"WHERE {present}{after} ORDER BY {pk} {limit}{lock}",
                params,
            )
            rows = cursor.fetchall()
            updates = []
            for row_pk, token in rows:
                try:
                    updates.append((rotate(token), row_pk))
                except InvalidToken:
                    raise CommandError(
                        f"{_label(field)} (pk={row_pk}) does not decrypt with any "
                        "key in FIELD_ENCRYPTION_KEYS; nothing in its batch was "
                        "changed."
                    ) from None
            if updates:
                cursor.executemany(
                    f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608 - quoted identifiers only
                    updates,
                )
        rotated += len(rows)
        if len(rows) < batch_size:
            return rotated
        last_pk = rows[-1][0]


def rotate_fields(
    fields: Iterable[EncryptedTextField],
    *,
    dry_run: bool,
    batch_size: int = BATCH_SIZE,
) -> dict[str, int]:
    """Re-encrypt the stored values of ``fields`` with the newest key.

    Returns the number of values per ``"app.Model.field"``; with ``dry_run``
    the number that would be re-encrypted, and nothing is written.
    """
    return {
        _label(field): _rotate_field(field, dry_run=dry_run, batch_size=batch_size)
        for field in fields
    }


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field value with the first key in "
        "FIELD_ENCRYPTION_KEYS, in batches of 500 rows."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count the values that would be re-encrypted.",
        )

    def handle(self, *args, dry_run: bool = False, **options):
        fields = encrypted_fields()
        if not fields:
            self.stdout.write("No encrypted fields found.")
            return
        counts = rotate_fields(fields, dry_run=dry_run)
        verb = "would be re-encrypted" if dry_run else "re-encrypted"
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count} rows {verb}")
        if not dry_run:
            self.stdout.write(
                self.style.SUCCESS(
                    "Done: every stored value now uses the first key. Older keys "
                    "can go once no running process encrypts with them."
                )
            )
