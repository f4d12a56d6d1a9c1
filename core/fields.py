"""A model field whose column holds a Fernet token, never the plaintext.

Invariants:
- The column never holds plaintext: every value written through the ORM
  (``save``, ``update``, ``bulk_create``, ``bulk_update``, and ``Value(...,
  output_field=field)`` as the retention purge uses) passes ``get_prep_value``,
  which encrypts. None and "" are stored as they are, so "no value" stays
  queryable with ``__isnull``.
- Python holds plaintext only. Values are never decrypted on the way in, so a
  token typed into a form is stored as text, not opened: the field cannot be
  used as a decryption oracle. The flip side: assigning a token to the
  attribute stores an encrypted token, not the original value.
- Only ``isnull`` lookups exist: tokens are random, so comparing or ordering
  them finds nothing meaningful. Store ``core.crypto.keyed_hash`` of the
  normalised value in a second (unique/indexed) column and look that up.
- Serialisers (``dumpdata``) get a fresh token from ``value_to_string``, never
  plaintext. ``loaddata`` therefore does not round-trip such a dump: it
  would store an encryption of the token. Fixtures for these fields hold
  plaintext instead.
- Anonymisers that build values in SQL (``Anonymise.unique_text``, Concat)
  would write plaintext past ``get_prep_value``; use ``Anonymise.null()``,
  ``text()`` or ``fixed()`` for encrypted fields.
"""

from django.core import checks
from django.core.exceptions import FieldError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.crypto import InvalidToken, decrypt, encrypt


class EncryptedTextField(models.TextField):
    description = _("Text (encrypted at rest)")

    def check(self, **kwargs):
        return [*super().check(**kwargs), *self._check_not_indexed()]

    def _check_not_indexed(self) -> list[checks.CheckMessage]:
        if not (self.unique or self.primary_key or self.db_index):
            return []
        return [
            checks.Error(
                "An EncryptedTextField cannot be a primary key, unique or indexed: "
                "its tokens are random.",
                hint="Put core.crypto.keyed_hash() of the value in a separate "
                "unique or indexed field and look that up.",
                obj=self,
                id="privacy.E100",
            )
        ]

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return decrypt(value)
        except InvalidToken:
            raise InvalidToken(
                f"A value of {self.model._meta.label}.{self.name} does not "
                "decrypt with any key in FIELD_ENCRYPTION_KEYS."
            ) from None

    def get_prep_value(self, value):
        # TextField.get_prep_value turns lazy strings and other objects into str.
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def value_to_string(self, obj) -> str:
        # Serialisers (dumpdata, serializers.serialize) get a token, so a dump
        # never carries the plaintext; see the module docstring for loaddata.
        value = self.value_from_object(obj)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(self._no_lookup_message(lookup_name))

    def get_transform(self, lookup_name):
        raise FieldError(self._no_lookup_message(lookup_name))

    def _no_lookup_message(self, lookup_name: str) -> str:
        where = getattr(self, "model", None)
        name = f"{where._meta.label}.{self.name}" if where else self.name
        return (
            f"{name} is encrypted: '{lookup_name}' cannot be used on it; only "
            "'isnull' can. Filter on a keyed_hash() column instead."
        )
