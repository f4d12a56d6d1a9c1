"""Engagements (with the on-demand invoice action), their contract
versions (PDF download) and hours: all read-only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import PrivateFileAdminMixin, ReadOnlyAdmin, ViewOnlyAdmin
from engagements import services
from engagements.admin.base import PdfDownloadMixin, ReadOnlyInline, thread_link
from engagements.models import (
    ContractAcceptance,
    ContractVersion,
    Engagement,
    HoursReport,
)


class ContractVersionInline(ReadOnlyInline):
    model = ContractVersion
    fields = (
        "number",
        "status",
        "start_date",
        "end_date",
        "rate_kind",
        "rate",
        "accepted_at",
    )
    readonly_fields = fields
    ordering = ("-number",)


@admin.register(Engagement)
class EngagementAdmin(ViewOnlyAdmin):
    list_display = (
        "title",
        "company",
        "freelancer",
        "status",
        "created_at",
        "activated_at",
        "restricted_at",
    )
    list_filter = ("status", ("restricted_at", admin.EmptyFieldListFilter))
    list_select_related = ("company", "freelancer")
    search_fields = ("title", "company__name", "freelancer__full_name")
    fields = (
        "title",
        "company",
        "freelancer",
        "inquiry",
        "billing_email",
        "status",
        "created_by",
        "created_at",
        "activated_at",
        "ended_at",
        "restricted_at",
        "retain_until",
        "anonymised_at",
    )
    readonly_fields = fields
    inlines = [ContractVersionInline]
    actions = ["invoice_last_month"]

    @admin.display(description=_("inquiry"))
    def inquiry(self, obj):
        return thread_link(obj.thread_id)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_invoice_permission(self, request) -> bool:
        return request.user.has_perm("engagements.add_invoice")

    @admin.action(description=_("Invoice last month now"), permissions=["invoice"])
    def invoice_last_month(self, request, queryset):
        start, end = services.previous_month(timezone.localdate())
        for engagement in queryset:
            try:
                invoice = services.invoice_issue(
                    engagement=engagement,
                    period_start=start,
                    period_end=end,
                    actor=request.user,
                )
            except ValidationError as exc:
                self.message_user(
                    request,
                    f"{engagement}: {' '.join(exc.messages)}",
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    gettext("%(engagement)s: invoice %(number)s issued.")
                    % {"engagement": engagement, "number": invoice.number},
                    messages.SUCCESS,
                )


class ContractAcceptanceInline(ReadOnlyInline):
    model = ContractAcceptance
    fields = ("party", "name", "user", "text_sha256", "accepted_at")
    readonly_fields = fields
    show_change_link = False


@admin.register(ContractVersion)
class ContractVersionAdmin(PdfDownloadMixin, PrivateFileAdminMixin, ReadOnlyAdmin):
    list_display = (
        "__str__",
        "engagement",
        "number",
        "status",
        "rate_kind",
        "rate",
        "proposed_at",
        "accepted_at",
        "pdf",
    )
    list_filter = ("status", "rate_kind")
    list_select_related = ("engagement",)
    search_fields = ("engagement__title", "engagement__company__name")
    readonly_fields = (
        "engagement",
        "number",
        "status",
        "scope",
        "start_date",
        "end_date",
        "rate_kind",
        "rate",
        "payment_terms_days",
        "text",
        "text_sha256",
        "proposed_by",
        "proposed_at",
        "accepted_at",
        "pdf",
        "emailed_at",
        "restricted_at",
        "retain_until",
        "anonymised_at",
    )
    fields = readonly_fields
    inlines = [ContractAcceptanceInline]


@admin.register(HoursReport)
class HoursReportAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "engagement",
        "week",
        "hours",
        "status",
        "invoice",
        "submitted_at",
    )
    list_filter = ("status",)
    list_select_related = ("engagement", "invoice")
    search_fields = ("engagement__title", "engagement__company__name")
    date_hierarchy = "week"
    fields = (
        "engagement",
        "week",
        "hours",
        "note",
        "status",
        "submitted_by",
        "submitted_at",
        "decided_by",
        "decided_at",
        "dispute_reason",
        "invoice",
        "restricted_at",
        "retain_until",
        "anonymised_at",
    )
    readonly_fields = fields
