"""Base admins for rows that only code writes."""

from django.contrib import admin


class ViewOnlyAdmin(admin.ModelAdmin):
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
