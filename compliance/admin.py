import csv
import io
import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models as db_models
from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from compliance import selectors as compliance_selectors
from compliance import services as compliance_services
from compliance.models import (
    Breach,
    PolicyAcknowledgement,
    PolicyVersion,
    ProcessingActivity,
    Processor,
)
from core.admin import ViewOnlyAdmin
from privacy.admin_mixins import AuditedAdminMixin
from privacy.facts import controller
from privacy.registry import personal_data
from privacy.selectors import retention_periods


@admin.register(Processor)
class ProcessorAdmin(AuditedAdminMixin, TranslationAdmin):
    """The processor register (Art. 28); the policy's sharing section reads it."""

    # Without it Django 5.2 warns (an error under the test settings) on the form.
    formfield_overrides = {db_models.URLField: {"assume_scheme": "https"}}

    def admin_save(self, request, obj, *, fields, created):
        return compliance_services.processor_save(
            processor=obj, actor=request.user, fields=fields, created=created
        )

    def admin_delete(self, request, obj):
        compliance_services.processor_delete(processor=obj, actor=request.user)

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
    return [("", "---------")] + sorted(
        (r.key, r.key) for r in personal_data.retention_rules()
    )


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
            "other_recipients",
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
        period = retention_periods().get(obj.retention_key)
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
        rows = compliance_selectors.ropa_rows()
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
            "controller": controller(),
            "activities": compliance_selectors.ropa_rows(),
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
                compliance_services.policy_version_publish(
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

    @admin.display(description=_("overdue"))
    def overdue(self, obj):
        """A passed deadline is a warning in words, never a (green) tick."""
        if obj.discovered_at and obj.is_overdue:
            return format_html(
                '<strong class="deadline-passed" data-overdue="yes">{}</strong>',
                _("Deadline passed: notify the authority now"),
            )
        if obj.authority_notified_at:
            return _("Authority notified")
        return "-"

    def admin_save(self, request, obj, *, fields, created):
        return compliance_services.breach_save(
            breach=obj, actor=request.user, fields=fields, created=created
        )

    def has_delete_permission(self, request, obj=None):
        return False
