"""Base admins for rows that only code writes, and the lookup guard."""

from django.contrib import admin
from django.db.models.constants import LOOKUP_SEP

from .fields import EncryptedTextField

#: Field names no changelist may filter on, on any model.
ALWAYS_PROTECTED = frozenset({"password", "digest", "token_key", "auth_hash"})


class ProtectedLookupsMixin:
    """The changelist refuses query-string lookups on fields staff do not see.

    A filter on a hidden field tells its facts one request at a time:
    ``?cpr__isnull=False`` lists who registered a CPR number,
    ``?cpr_hash__startswith=ab`` narrows a hash down. Refused (400, Django's
    DisallowedModelAdminLookup) whenever any step of the lookup path names an
    encrypted field, a ``*_hash`` field, a password or token column, a field in
    the admin's ``exclude``, or one in ``protected_lookup_fields``.
    """

    protected_lookup_fields: tuple[str, ...] = ()

    def _protected_lookup_names(self) -> set[str]:
        names = set(ALWAYS_PROTECTED) | set(self.protected_lookup_fields)
        names |= set(self.exclude or ())
        for field in self.model._meta.get_fields():
            if isinstance(field, EncryptedTextField) or field.name.endswith("_hash"):
                names.add(field.name)
        return names

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        protected = self._protected_lookup_names()
        for part in lookup.split(LOOKUP_SEP):
            if part in protected or part.endswith("_hash"):
                return False
        return super().lookup_allowed(lookup, value, request)


class ViewOnlyAdmin(ProtectedLookupsMixin, admin.ModelAdmin):
    """Rows written by code (runs, downloads, archives, notices): staff may look,
    and delete where their permissions allow, but never add or edit by hand."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ViewOnlyAdmin):
    """Evidence (consent records, the audit trail): never added, edited or
    deleted by hand, by anyone."""

    actions = None

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
