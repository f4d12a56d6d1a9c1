"""Field encryption: tokens at rest, plaintext in Python, key rotation."""

import io
import json
import os

import pytest
from cryptography.fernet import Fernet
from django.core import serializers
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test.utils import isolate_apps
from django.utils.crypto import salted_hmac

from core import crypto
from core.crypto import InvalidToken, decrypt, encrypt, keyed_hash, rotate
from core.fields import EncryptedTextField
from core.management.commands import rotate_encryption_keys
from core.management.commands.rotate_encryption_keys import (
    encrypted_fields,
    rotate_fields,
)

CPR = "0101901234"


@pytest.fixture
def old_key(settings) -> str:
    key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [key]
    return key


@pytest.fixture
def new_key() -> str:
    return Fernet.generate_key().decode()


# --- crypto -----------------------------------------------------------------


def test_encrypt_then_decrypt_gives_the_plaintext_back(old_key):
    assert decrypt(encrypt(CPR)) == CPR
    assert decrypt(encrypt("Søren Ærø ✓")) == "Søren Ærø ✓"


def test_token_is_not_the_plaintext_and_holds_none_of_its_digits(old_key):
    token = encrypt(CPR)
    assert token.startswith("gAAAA")
    assert CPR not in token
    assert CPR[-4:] not in token


def test_the_same_plaintext_gives_a_new_token_each_time(old_key):
    assert encrypt(CPR) != encrypt(CPR)


def test_a_token_made_with_an_old_key_decrypts_after_a_new_key_is_put_first(
    settings, old_key, new_key
):
    token = encrypt(CPR)
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert decrypt(token) == CPR
    # New tokens are made with the new key only.
    with pytest.raises(InvalidToken):
        Fernet(old_key).decrypt(encrypt(CPR).encode())


def test_rotate_gives_a_token_the_new_key_alone_can_decrypt(settings, old_key, new_key):
    token = encrypt(CPR)
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    rotated = rotate(token)
    assert Fernet(new_key).decrypt(rotated.encode()).decode() == CPR
    with pytest.raises(InvalidToken):
        Fernet(old_key).decrypt(rotated.encode())


def test_a_token_no_key_opens_raises_invalid_token(settings, old_key, new_key):
    token = encrypt(CPR)
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    with pytest.raises(InvalidToken):
        decrypt(token)
    with pytest.raises(InvalidToken):
        rotate(token)


@pytest.mark.parametrize("token", ["", "not-a-token", "gAAAAø", CPR])
def test_garbage_raises_invalid_token_without_quoting_it(old_key, token):
    with pytest.raises(InvalidToken) as excinfo:
        decrypt(token)
    assert str(excinfo.value) == ""


@pytest.mark.parametrize("keys", [[], "", None, ["not-a-fernet-key"]])
def test_missing_or_malformed_keys_are_a_configuration_error(settings, keys):
    settings.FIELD_ENCRYPTION_KEYS = keys
    with pytest.raises(ImproperlyConfigured) as excinfo:
        encrypt(CPR)
    assert "not-a-fernet-key" not in str(excinfo.value)


def test_the_cached_fernet_follows_the_setting(settings, old_key, new_key):
    first = crypto.get_fernet()
    assert crypto.get_fernet() is first
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert crypto.get_fernet() is not first


def test_keyed_hash_is_stable_and_differs_per_purpose_and_value():
    digest = keyed_hash(CPR, purpose="profiles.cpr")
    assert digest == keyed_hash(CPR, purpose="profiles.cpr")
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert CPR not in digest
    assert digest != keyed_hash(CPR, purpose="profiles.phone")
    assert digest != keyed_hash("0101901235", purpose="profiles.cpr")


def test_keyed_hash_depends_on_the_hash_key_not_the_secret_key(settings):
    before = keyed_hash(CPR, purpose="profiles.cpr")
    settings.SECRET_KEY = "another-test-secret-key-0123456789-0123456789-0123456789"
    assert keyed_hash(CPR, purpose="profiles.cpr") == before
    settings.HASH_KEY = "another-hash-key-0123456789-0123456789-0123456789-0123"
    assert keyed_hash(CPR, purpose="profiles.cpr") != before


def test_without_its_own_setting_the_hash_key_is_the_secret_key(settings):
    """Hashes stored before HASH_KEY existed were keyed by SECRET_KEY; they
    must still match when HASH_KEY is not set."""
    assert "HASH_KEY" not in os.environ
    assert settings.HASH_KEY == settings.SECRET_KEY
    assert (
        keyed_hash(CPR, purpose="profiles.cpr")
        == salted_hmac(
            "worksome.profiles.cpr", CPR, secret=settings.SECRET_KEY, algorithm="sha256"
        ).hexdigest()
    )


def test_keyed_hash_needs_a_purpose():
    with pytest.raises(ValueError):
        keyed_hash(CPR, purpose="")


# --- EncryptedTextField -----------------------------------------------------


@pytest.fixture
def note_apps(transactional_db, old_key):
    """A throwaway model with an encrypted column, and a real table for it."""
    with isolate_apps("privacy") as isolated_apps:

        class EncryptedNote(models.Model):
            secret = EncryptedTextField(null=True, blank=True)

            class Meta:
                app_label = "privacy"
                db_table = "tests_privacy_encrypted_note"

        with connection.schema_editor() as editor:
            editor.create_model(EncryptedNote)
        try:
            yield isolated_apps
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(EncryptedNote)


@pytest.fixture
def note_model(note_apps):
    return note_apps.get_model("privacy", "EncryptedNote")


def _raw(model, pk):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('secret')} FROM {quote(model._meta.db_table)} "  # noqa: S608 - quoted identifiers only
            f"WHERE {quote('id')} = %s",
            [pk],
        )
        return cursor.fetchone()[0]


def _raw_write(model, pk, value):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {quote('secret')} = %s "  # noqa: S608 - quoted identifiers only
            f"WHERE {quote('id')} = %s",
            [value, pk],
        )


def test_the_column_holds_a_token_and_the_orm_gives_plaintext(note_model):
    note = note_model.objects.create(secret=CPR)
    raw = _raw(note_model, note.pk)
    assert raw.startswith("gAAAA")
    assert CPR not in raw
    assert "1234" not in raw
    assert note.secret == CPR  # the instance keeps the plaintext after saving
    assert note_model.objects.get(pk=note.pk).secret == CPR
    assert list(note_model.objects.values_list("secret", flat=True)) == [CPR]


def test_saving_again_never_encrypts_a_token(note_model):
    note = note_model.objects.create(secret=CPR)
    note.save()
    note.refresh_from_db()
    note.save()
    assert note_model.objects.get(pk=note.pk).secret == CPR
    assert decrypt(_raw(note_model, note.pk)) == CPR


def test_none_and_empty_string_are_stored_as_they_are(note_model):
    empty = note_model.objects.create(secret="")
    missing = note_model.objects.create(secret=None)
    assert _raw(note_model, empty.pk) == ""
    assert _raw(note_model, missing.pk) is None
    assert note_model.objects.get(pk=empty.pk).secret == ""
    assert list(note_model.objects.filter(secret__isnull=True)) == [missing]


@pytest.mark.parametrize(
    "lookup",
    [
        {"secret": CPR},
        {"secret__exact": CPR},
        {"secret__iexact": CPR},
        {"secret__icontains": "1234"},
        {"secret__startswith": "0101"},
        {"secret__in": [CPR]},
        {"secret__gt": ""},
        {"secret__lower": CPR},
        {"secret__lower__exact": CPR},
    ],
)
def test_lookups_other_than_isnull_are_refused(note_model, lookup):
    with pytest.raises(FieldError, match="keyed_hash"):
        note_model.objects.filter(**lookup)


def test_sql_updates_store_tokens_too(note_model):
    """QuerySet.update and Value(..., output_field=field), as the purge uses."""
    note = note_model.objects.create(secret=CPR)
    field = note_model._meta.get_field("secret")
    note_model.objects.update(secret=models.Value("Deleted", output_field=field))
    assert decrypt(_raw(note_model, note.pk)) == "Deleted"
    note_model.objects.update(secret="2202021234")
    assert decrypt(_raw(note_model, note.pk)) == "2202021234"


def test_bulk_create_and_bulk_update_store_tokens(note_model):
    notes = note_model.objects.bulk_create(
        [note_model(secret=CPR), note_model(secret="0202021234")]
    )
    pks = list(note_model.objects.order_by("pk").values_list("pk", flat=True))
    assert [decrypt(_raw(note_model, pk)) for pk in pks] == [CPR, "0202021234"]
    for note, pk in zip(notes, pks, strict=True):
        note.pk = pk
        note.secret = note.secret[::-1]
    note_model.objects.bulk_update(notes, ["secret"])
    assert [decrypt(_raw(note_model, pk)) for pk in pks] == [
        CPR[::-1],
        "4321202020",
    ]


def test_serialised_rows_carry_a_token_not_the_plaintext(note_model):
    note = note_model.objects.create(secret=CPR)
    dumped = serializers.serialize("json", note_model.objects.all())
    assert CPR not in dumped
    value = json.loads(dumped)[0]["fields"]["secret"]
    assert decrypt(value) == CPR
    assert note.secret == CPR


def test_field_deconstructs_for_migrations():
    field = EncryptedTextField(null=True, blank=True)
    name, path, args, kwargs = field.deconstruct()
    assert path == "core.fields.EncryptedTextField"
    assert args == []
    assert kwargs == {"null": True, "blank": True}
    assert EncryptedTextField(*args, **kwargs).null is True


@isolate_apps("privacy")
def test_a_unique_or_indexed_encrypted_field_fails_the_system_check():
    class Indexed(models.Model):
        plain = EncryptedTextField()
        unique = EncryptedTextField(unique=True)
        indexed = EncryptedTextField(db_index=True)

        class Meta:
            app_label = "privacy"

    def ids(name):
        return [m.id for m in Indexed._meta.get_field(name).check()]

    assert "privacy.E100" not in ids("plain")
    assert "privacy.E100" in ids("unique")
    assert "privacy.E100" in ids("indexed")


def test_a_value_no_key_opens_fails_loudly_without_quoting_it(
    settings, note_model, new_key
):
    note = note_model.objects.create(secret=CPR)
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    with pytest.raises(InvalidToken) as excinfo:
        note_model.objects.get(pk=note.pk)
    assert "privacy.EncryptedNote.secret" in str(excinfo.value)
    assert _raw(note_model, note.pk) not in str(excinfo.value)


# --- rotate_encryption_keys -------------------------------------------------


def test_rotation_reencrypts_every_value_with_the_new_key(
    settings, note_model, old_key, new_key
):
    secrets = [CPR, "0202021234", "0303031234"]
    pks = [note_model.objects.create(secret=s).pk for s in secrets]
    empty = note_model.objects.create(secret="").pk
    missing = note_model.objects.create(secret=None).pk
    field = note_model._meta.get_field("secret")
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    # Batches of 2 over 3 values: the second batch starts after the first.
    counts = rotate_fields([field], dry_run=False, batch_size=2)

    assert counts == {"privacy.EncryptedNote.secret": 3}
    for pk, secret in zip(pks, secrets, strict=True):
        raw = _raw(note_model, pk)
        assert Fernet(new_key).decrypt(raw.encode()).decode() == secret
        with pytest.raises(InvalidToken):
            Fernet(old_key).decrypt(raw.encode())
    assert _raw(note_model, empty) == ""
    assert _raw(note_model, missing) is None
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert sorted(
        note_model.objects.exclude(secret__isnull=True).values_list("secret", flat=True)
    ) == ["", *sorted(secrets)]


def test_dry_run_counts_and_changes_nothing(settings, note_model, old_key, new_key):
    note = note_model.objects.create(secret=CPR)
    note_model.objects.create(secret=None)
    before = _raw(note_model, note.pk)
    field = note_model._meta.get_field("secret")
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    counts = rotate_fields([field], dry_run=True)

    assert counts == {"privacy.EncryptedNote.secret": 1}
    assert _raw(note_model, note.pk) == before


def test_a_value_no_key_opens_stops_rotation_with_its_batch_unchanged(
    settings, note_model, old_key, new_key
):
    good = note_model.objects.create(secret=CPR)
    bad = note_model.objects.create(secret="x")
    foreign_token = Fernet(Fernet.generate_key()).encrypt(b"0404041234").decode()
    _raw_write(note_model, bad.pk, foreign_token)
    good_before = _raw(note_model, good.pk)
    field = note_model._meta.get_field("secret")
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    with pytest.raises(CommandError) as excinfo:
        rotate_fields([field], dry_run=False)

    assert f"pk={bad.pk}" in str(excinfo.value)
    assert foreign_token not in str(excinfo.value)
    assert _raw(note_model, good.pk) == good_before
    assert _raw(note_model, bad.pk) == foreign_token


def test_the_command_finds_encrypted_fields_and_reports_counts(
    settings, monkeypatch, note_apps, note_model, old_key, new_key
):
    note = note_model.objects.create(secret=CPR)
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    monkeypatch.setattr(rotate_encryption_keys, "apps", note_apps)

    dry, real = io.StringIO(), io.StringIO()
    call_command("rotate_encryption_keys", "--dry-run", stdout=dry)
    assert Fernet(old_key).decrypt(_raw(note_model, note.pk).encode())
    call_command("rotate_encryption_keys", stdout=real)

    assert "privacy.EncryptedNote.secret: 1 rows would be re-encrypted" in (
        dry.getvalue()
    )
    assert "privacy.EncryptedNote.secret: 1 rows re-encrypted" in real.getvalue()
    assert Fernet(new_key).decrypt(_raw(note_model, note.pk).encode()) == CPR.encode()


def test_discovery_on_the_project_finds_only_encrypted_fields():
    assert all(isinstance(f, EncryptedTextField) for f in encrypted_fields())


def test_the_command_runs_on_the_project(db):
    for args in (["--dry-run"], []):
        out = io.StringIO()
        call_command("rotate_encryption_keys", *args, stdout=out)
        assert out.getvalue()
