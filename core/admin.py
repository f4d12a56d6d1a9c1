"""Base admins: for rows that only code writes, for models with private files,
and the lookup guard."""

from django.contrib import admin
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils.html import format_html

from core.fields import EncryptedTextField
from core.models import FileDeletion
from core.storage import PrivateFileStorage

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


def private_file_fields(model) -> list[str]:
    """Names of ``model``'s file fields kept in a private storage (no URL)."""
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
        and isinstance(field.storage, PrivateFileStorage)
    ]


class PrivateFileAdminMixin:
    """Shows private files (CVs, archives) without ever asking their storage
    for a URL, which it refuses: Django's file widget and read-only display
    both call ``storage.url`` and so answer 500 for any object with a file.

    Such a field is always read-only here (uploads go through the services
    that check them) and shown as the stored name, linked to the
    permission-checking view when ``private_file_url`` names one. Applies to
    the form, fieldsets, read-only fields and list_display alike, including
    the view-only mode where Django shows every field read-only.
    """

    def private_file_url(self, obj, name: str) -> str | None:
        """The permission-checking view that serves ``obj``'s file, if any."""
        return None

    def _private_names(self) -> list[str]:
        return private_file_fields(self.model)

    def _private_display(self, name: str):
        cache = self.__dict__.setdefault("_private_displays", {})
        if name not in cache:
            field = self.model._meta.get_field(name)

            def display(obj, _name=name):
                file = getattr(obj, _name, None) if obj is not None else None
                if not file:
                    return "-"
                url = self.private_file_url(obj, _name)
                if url:
                    return format_html('<a href="{}">{}</a>', url, file.name)
                return file.name

            display.short_description = field.verbose_name
            display.__name__ = f"{name}_private_file"
            cache[name] = display
        return cache[name]

    def _map(self, names):
        private = set(self._private_names())
        return [self._private_display(n) if n in private else n for n in names]

    def get_exclude(self, request, obj=None):
        excluded = super().get_exclude(request, obj)
        private = self._private_names()
        if not private:
            return excluded
        return [*(excluded or ()), *private]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        excluded = set(super().get_exclude(request, obj) or ())
        mapped = self._map(fields)
        for name in self._private_names():
            display = self._private_display(name)
            if name not in excluded and display not in mapped:
                mapped.append(display)
        return mapped

    def get_fieldsets(self, request, obj=None):
        return [
            (title, {**options, "fields": self._map_lines(options["fields"])})
            for title, options in super().get_fieldsets(request, obj)
        ]

    def _map_lines(self, lines):
        mapped = []
        for line in lines:
            if isinstance(line, (list, tuple)):
                mapped.append(tuple(self._map(line)))
            else:
                mapped.extend(self._map([line]))
        return mapped

    def get_list_display(self, request):
        return self._map(super().get_list_display(request))


@admin.register(FileDeletion)
class FileDeletionAdmin(ReadOnlyAdmin):
    """Files waiting to be deleted: normally empty within minutes; rows with
    attempts > 0 need an operator (see README, Operations)."""

    list_display = ("created_at", "storage", "name", "attempts", "last_error")
    list_filter = ("storage",)
