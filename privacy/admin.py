from django.contrib import admin

from core.admin import ReadOnlyAdmin, ViewOnlyAdmin
from privacy import services
from privacy.admin_mixins import AuditedAdminMixin
from privacy.models import (
    AuditEvent,
    LegalHold,
    PurgeRun,
    PurgeRunRule,
    RetentionPolicy,
)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit trail is evidence and is never edited by hand."""

    list_display = ("at", "action", "actor", "subject", "target_type", "target_id")
    list_filter = ("action",)
    search_fields = ("action", "actor__email", "subject__email")
    date_hierarchy = "at"
    list_select_related = ("actor", "subject")


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Tune a rule's period or switch it off; rules come from the code, so no
    adding or deleting here. Every change (also from the list) is audited."""

    def admin_save(self, request, obj, *, fields, created):
        return services.retention_policy_update(
            policy=obj, actor=request.user, fields=fields
        )

    list_display = (
        "key",
        "model_label",
        "action",
        "period_days",
        "default_period_days",
        "enabled",
    )
    list_editable = ("period_days", "enabled")
    readonly_fields = (
        "key",
        "model_label",
        "action",
        "description",
        "default_period_days",
        "updated_at",
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LegalHold)
class LegalHoldAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = (
        "pk",
        "subject",
        "content_type",
        "object_id",
        "until",
        "released_at",
    )
    list_filter = ("released_at",)
    raw_id_fields = ("subject",)
    readonly_fields = ("created_by", "created_at")
    search_fields = ("subject__email", "reason")

    def admin_save(self, request, obj, *, fields, created):
        return services.legal_hold_save(
            hold=obj, actor=request.user, fields=fields, created=created
        )

    def has_delete_permission(self, request, obj=None):
        return False


class PurgeRunRuleInline(admin.TabularInline):
    model = PurgeRunRule
    extra = 0
    can_delete = False
    fields = (
        "rule_key",
        "action",
        "matched",
        "anonymised",
        "deleted",
        "skipped_hold",
        "errors",
        "error_message",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PurgeRun)
class PurgeRunAdmin(ViewOnlyAdmin):
    list_display = (
        "started_at",
        "finished_at",
        "status",
        "failure_reason",
        "dry_run",
        "triggered_by",
    )
    list_filter = ("status", "dry_run")
    date_hierarchy = "started_at"
    inlines = [PurgeRunRuleInline]
    readonly_fields = (
        "started_at",
        "finished_at",
        "status",
        "failure_reason",
        "dry_run",
        "triggered_by",
        "worker",
        "heartbeat_at",
    )


# Data-subject requests have their admin in privacy.requests.
import privacy.requests.admin  # noqa: E402,F401
