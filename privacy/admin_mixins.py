"""The admin base for models holding personal data: every write audited."""

from django.db import transaction

from privacy import services


class AuditedAdminMixin:
    """Admin writes go through a service that saves and audits in one transaction.

    ``save_model``, ``delete_model``, ``delete_queryset`` (bulk delete) and
    ``save_formset`` (inlines) all end in a service: ``admin_save`` and
    ``admin_delete`` default to ``privacy.services.audited_save`` /
    ``audited_delete`` with ``admin.<app_label.model>.saved|deleted``; an admin
    whose model has its own service overrides them to call it. The changelist's
    ``list_editable`` saves through ``save_model`` too.
    """

    def _audit_label(self, obj) -> str:
        return f"admin.{obj._meta.label_lower}"

    def admin_save(self, request, obj, *, fields, created):
        return services.audited_save(
            obj=obj,
            actor=request.user,
            action=f"{self._audit_label(obj)}.saved",
            fields=fields,
            created=created,
        )

    def admin_delete(self, request, obj):
        services.audited_delete(
            obj=obj, actor=request.user, action=f"{self._audit_label(obj)}.deleted"
        )

    def save_model(self, request, obj, form, change):
        fields = list(form.changed_data) if form is not None else []
        self.admin_save(request, obj, fields=fields, created=not change)

    def delete_model(self, request, obj):
        self.admin_delete(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.admin_delete(request, obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        changed = {id(f.instance): list(f.changed_data) for f in formset.forms}
        for obj in formset.deleted_objects:
            services.audited_delete(
                obj=obj,
                actor=request.user,
                action=f"{self._audit_label(obj)}.deleted",
            )
        for obj in instances:
            services.audited_save(
                obj=obj,
                actor=request.user,
                action=f"{self._audit_label(obj)}.saved",
                fields=changed.get(id(obj), []),
                created=obj._state.adding,
            )
        formset.save_m2m()
