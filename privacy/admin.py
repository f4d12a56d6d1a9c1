import csv
import io
import json
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import models as db_models
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from . import dsr, services
from . import policy as privacy_policy
from .admin_mixins import (
    AuditedAdminMixin,
    ProtectedLookupsMixin,
    ReadOnlyAdmin,
    ViewOnlyAdmin,
)
from .forms import ExtendForm, ReasonForm
from .models import (
    AuditEvent,
    Breach,
    DataSubjectRequest,
    ExportArchive,
    FileDeletion,
    LegalHold,
    PolicyAcknowledgement,
    PolicyVersion,
    ProcessingActivity,
    Processor,
    PurgeRun,
    PurgeRunRule,
    RetentionPolicy,
)
from .retention import retention_rules


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


@admin.register(FileDeletion)
class FileDeletionAdmin(ReadOnlyAdmin):
    """Files waiting to be deleted: normally empty within minutes; rows with
    attempts > 0 need an operator (see README, Operations)."""

    list_display = ("created_at", "storage", "name", "attempts", "last_error")
    list_filter = ("storage",)


# --- Data-subject requests ----------------------------------------------------


class DueFilter(admin.SimpleListFilter):
    title = _("due")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("week", _("Due within 7 days"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        open_ = queryset.filter(status__in=DataSubjectRequest.OPEN_STATUSES)
        if self.value() == "overdue":
            return open_.filter(effective_due__lt=now)
        if self.value() == "week":
            return open_.filter(
                effective_due__gte=now, effective_due__lt=now + timedelta(days=7)
            )
        return queryset


def _dsr_action(description: str, permission: str):
    """An admin action that calls ``call(obj, request)`` for each selected request."""

    def wrap(call):
        def action(modeladmin, request, queryset):
            done = 0
            for obj in queryset:
                try:
                    call(modeladmin, obj, request)
                except ValidationError as exc:
                    modeladmin.message_user(
                        request, f"{obj}: {' '.join(exc.messages)}", messages.ERROR
                    )
                else:
                    done += 1
            if done:
                modeladmin.message_user(
                    request,
                    _("%(action)s: %(n)d request(s).")
                    % {"action": description, "n": done},
                    messages.SUCCESS,
                )

        action.__name__ = call.__name__
        return admin.action(description=description, permissions=[permission])(action)

    return wrap


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(
    AuditedAdminMixin, ProtectedLookupsMixin, admin.ModelAdmin
):
    """The request queue. Nothing is edited by hand: every change is an action
    that calls the same services as the site, and each is audited."""

    list_display = (
        "pk",
        "kind",
        "status",
        "email",
        "received_at",
        "due",
        "days_left",
    )
    list_filter = (DueFilter, "kind", "status")
    search_fields = ("email",)
    date_hierarchy = "received_at"
    list_select_related = ("subject",)
    ordering = ("-received_at",)
    actions = [
        "verify",
        "start",
        "build_export",
        "execute_erasure",
        "apply_restriction",
        "notify_restriction_lift",
        "lift_restriction",
        "extend",
        "complete",
        "reject",
    ]
    exclude = ("token_hash",)
    readonly_fields = (
        "kind",
        "status",
        "subject",
        "email",
        "details",
        "received_at",
        "due_at",
        "extended_due_at",
        "extension_reason",
        "verification_method",
        "token_expires_at",
        "verified_at",
        "started_at",
        "completed_at",
        "rejected_at",
        "rejection_reason",
        "legal_exceptions",
        "recipients_notified",
        "restriction_applied_at",
        "restriction_lift_notified_at",
        "restriction_lifted_at",
        "erased_at",
        "anonymised_at",
        "export_state",
        "audit_trail",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(effective_due=Coalesce("extended_due_at", "due_at"))
        )

    @admin.display(description=_("due"), ordering="effective_due")
    def due(self, obj):
        return obj.effective_due_at

    @admin.display(description=_("days left"))
    def days_left(self, obj):
        return obj.days_left if obj.is_open else "-"

    @admin.display(description=_("export"))
    def export_state(self, obj):
        archive = getattr(obj, "export", None)
        if archive is None:
            return "-"
        return f"{archive.get_status_display()} ({archive.progress}%)"

    @admin.display(description=_("audit trail"))
    def audit_trail(self, obj):
        events = (
            AuditEvent.objects.filter(
                target_type=DataSubjectRequest._meta.label_lower, target_id=str(obj.pk)
            )
            .select_related("actor")
            .order_by("at", "pk")
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (f"{timezone.localtime(e.at):%Y-%m-%d %H:%M}", e.action, e.actor or "-")
                for e in events
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("when"),
            _("what"),
            _("who"),
            rows,
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_process_permission(self, request):
        return request.user.has_perm("privacy.process_datasubjectrequest")

    def has_erase_permission(self, request):
        return request.user.has_perm("privacy.execute_erasure")

    def has_restrict_permission(self, request):
        return request.user.has_perm("privacy.apply_restriction")

    @staticmethod
    def _base_url(request) -> str:
        return request.build_absolute_uri("/")

    @_dsr_action(_("Verify the requester"), "process")
    def verify(self, obj, request):
        dsr.dsr_verify(request=obj, actor=request.user)

    @_dsr_action(_("Start"), "process")
    def start(self, obj, request):
        dsr.dsr_start(request=obj, actor=request.user)

    @_dsr_action(_("Build the export (access, portability)"), "process")
    def build_export(self, obj, request):
        dsr.dsr_export_request(
            request=obj, actor=request.user, base_url=self._base_url(request)
        )

    @_dsr_action(_("Execute erasure"), "erase")
    def execute_erasure(self, obj, request):
        dsr.dsr_erasure_execute(
            request=obj, actor=request.user, base_url=self._base_url(request)
        )

    @_dsr_action(_("Apply restriction"), "restrict")
    def apply_restriction(self, obj, request):
        dsr.dsr_restriction_apply(
            request=obj, actor=request.user, base_url=self._base_url(request)
        )

    @_dsr_action(_("Tell the member the restriction will be lifted"), "restrict")
    def notify_restriction_lift(self, obj, request):
        dsr.dsr_restriction_lift_notify(request=obj, actor=request.user)

    @_dsr_action(_("Lift restriction (after telling the member)"), "restrict")
    def lift_restriction(self, obj, request):
        dsr.dsr_restriction_lift(request=obj, actor=request.user)

    @_dsr_action(_("Complete"), "process")
    def complete(self, obj, request):
        dsr.dsr_complete(
            request=obj, actor=request.user, base_url=self._base_url(request)
        )

    def _with_reason(self, request, queryset, *, form_class, title, call):
        """An intermediate page asking for the reason; nothing changes without it."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done = 0
            for obj in queryset:
                try:
                    call(obj, form.cleaned_data)
                except ValidationError as exc:
                    self.message_user(
                        request, f"{obj}: {' '.join(exc.messages)}", messages.ERROR
                    )
                else:
                    done += 1
            if done:
                self.message_user(
                    request,
                    _("%(action)s: %(n)d request(s).") % {"action": title, "n": done},
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "queryset": queryset,
            "action": request.POST.get("action", ""),
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request,
            "admin/privacy/dsr_reason.html",
            context,
            status=400 if form.errors else 200,
        )

    @admin.action(
        description=_("Extend the deadline (with a reason)"), permissions=["process"]
    )
    def extend(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            form_class=ExtendForm,
            title=_("Extend the deadline"),
            call=lambda obj, data: dsr.dsr_extend(
                request=obj,
                actor=request.user,
                months=data["months"],
                reason=data["reason"],
                base_url=self._base_url(request),
            ),
        )

    @admin.action(description=_("Reject (with a reason)"), permissions=["process"])
    def reject(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            form_class=ReasonForm,
            title=_("Reject"),
            call=lambda obj, data: dsr.dsr_reject(
                request=obj, actor=request.user, reason=data["reason"]
            ),
        )


@admin.register(ExportArchive)
class ExportArchiveAdmin(ViewOnlyAdmin):
    """Read-only: archives are built by the export task and deleted on expiry."""

    list_display = ("request", "status", "progress", "size", "expires_at")
    list_filter = ("status",)
    exclude = ("token_hash", "file")


# --- The privacy policy as a product ---------------------------------------------


@admin.register(Processor)
class ProcessorAdmin(AuditedAdminMixin, TranslationAdmin):
    """The processor register (Art. 28); the policy's sharing section reads it."""

    # Without it Django 5.2 warns (an error under the test settings) on the form.
    formfield_overrides = {db_models.URLField: {"assume_scheme": "https"}}

    def admin_save(self, request, obj, *, fields, created):
        return services.processor_save(
            processor=obj, actor=request.user, fields=fields, created=created
        )

    def admin_delete(self, request, obj):
        services.processor_delete(processor=obj, actor=request.user)

    list_display = (
        "vendor",
        "key",
        "service",
        "country",
        "transfer_basis",
        "transfer_assessment_date",
        "dpa_signed_on",
    )
    list_filter = ("service", "transfer_basis")
    search_fields = ("vendor", "key", "country")


def _retention_key_choices():
    return [("", "---------")] + sorted((r.key, r.key) for r in retention_rules())


class ProcessingActivityForm(forms.ModelForm):
    retention_key = forms.ChoiceField(
        label=_("retention rule"),
        choices=_retention_key_choices,
        help_text=ProcessingActivity._meta.get_field("retention_key").help_text,
    )

    class Meta:
        model = ProcessingActivity
        fields = [
            "purpose",
            "description",
            "legal_basis",
            "special_basis",
            "legal_basis_note",
            "data_subjects",
            "data_categories",
            "requirement",
            "requirement_consequence",
            "source",
            "profiling",
            "recipients",
            "retention_key",
            "ordering",
        ]


@admin.register(ProcessingActivity)
class ProcessingActivityAdmin(AuditedAdminMixin, TranslationAdmin):
    """The record of processing activities (Art. 30), exportable for the
    supervisory authority as CSV or JSON."""

    form = ProcessingActivityForm
    list_display = (
        "purpose",
        "legal_basis",
        "data_subjects",
        "retention_key",
        "retention_period",
        "transfers",
    )
    list_filter = ("legal_basis",)
    search_fields = ("purpose", "data_subjects", "data_categories")
    filter_horizontal = ("recipients",)
    actions = ["export_csv", "export_json"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("recipients")

    @admin.display(description=_("period the purge applies"))
    def retention_period(self, obj):
        period = privacy_policy.retention_periods().get(obj.retention_key)
        return period.text if period else "-"

    @admin.display(description=_("transfers outside the EU/EEA"))
    def transfers(self, obj):
        found = [p for p in obj.recipients.all() if p.is_transfer]
        return (
            ", ".join(f"{p.vendor} ({p.get_transfer_basis_display()})" for p in found)
            or "-"
        )

    @admin.action(description=_("Export the whole record as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        rows = privacy_policy.ropa_rows()
        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer, fieldnames=list(rows[0]) if rows else ["purpose"]
        )
        writer.writeheader()
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="ropa.csv"'
        return response

    @admin.action(
        description=_("Export the whole record as JSON"), permissions=["view"]
    )
    def export_json(self, request, queryset):
        payload = {
            "controller": privacy_policy.controller(),
            "activities": privacy_policy.ropa_rows(),
        }
        response = HttpResponse(
            json.dumps(payload, ensure_ascii=False, indent=2),
            content_type="application/json",
        )
        response["Content-Disposition"] = 'attachment; filename="ropa.json"'
        return response


@admin.register(PolicyVersion)
class PolicyVersionAdmin(AuditedAdminMixin, TranslationAdmin):
    """Draft, then publish. A published version is history and is not edited."""

    list_display = ("version", "effective_date", "significant", "published_at")
    list_filter = ("significant",)
    actions = ["publish"]
    readonly_fields = ("created_at", "published_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return [f.name for f in self.model._meta.fields if f.name != "id"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(
        description=_("Publish (a significant version is announced to members)"),
        permissions=["change"],
    )
    def publish(self, request, queryset):
        for version in queryset:
            try:
                privacy_policy.policy_version_publish(
                    version=version,
                    actor=request.user,
                    base_url=request.build_absolute_uri("/"),
                )
            except ValidationError as exc:
                self.message_user(
                    request, f"{version}: {' '.join(exc.messages)}", messages.ERROR
                )
            else:
                self.message_user(
                    request,
                    _("Version %(v)s published.") % {"v": version.version},
                    messages.SUCCESS,
                )


@admin.register(PolicyAcknowledgement)
class PolicyAcknowledgementAdmin(ViewOnlyAdmin):
    """Read-only: who was e-mailed about and who acknowledged which version."""

    list_display = ("version", "user", "notified_at", "acknowledged_at")
    list_filter = ("version",)
    search_fields = ("user__email",)
    list_select_related = ("version", "user")


# --- Breach register ---------------------------------------------------------------


@admin.register(Breach)
class BreachAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The breach register (Art. 33(5)). Records are documentation and are not
    deleted here; the retention purge deletes them after 5 years."""

    list_display = (
        "reference",
        "discovered_at",
        "notification_deadline",
        "overdue",
        "authority_notified_at",
        "subjects_notified_at",
        "reminder_sent_at",
    )
    list_filter = (
        ("authority_notified_at", admin.EmptyFieldListFilter),
        ("subjects_notified_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("reference", "nature")
    date_hierarchy = "discovered_at"
    readonly_fields = (
        "notification_deadline",
        "reminder_sent_at",
        "created_by",
        "created_at",
    )
    fieldsets = (
        (None, {"fields": ("reference", "discovered_at", "notification_deadline")}),
        (
            _("What happened"),
            {
                "fields": (
                    "nature",
                    "data_categories",
                    "subject_categories",
                    "approx_subjects",
                    "approx_records",
                    "likely_consequences",
                    "measures_taken",
                )
            },
        ),
        (
            _("Notifications"),
            {
                "fields": (
                    "authority_notified_at",
                    "delay_reason",
                    "subjects_notified_at",
                    "reminder_sent_at",
                )
            },
        ),
        (_("Record"), {"fields": ("created_by", "created_at")}),
    )

    @admin.display(description=_("notify authority by"), ordering="discovered_at")
    def notification_deadline(self, obj):
        return obj.notification_deadline if obj.discovered_at else "-"

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue

    def admin_save(self, request, obj, *, fields, created):
        return services.breach_save(
            breach=obj, actor=request.user, fields=fields, created=created
        )

    def has_delete_permission(self, request, obj=None):
        return False
