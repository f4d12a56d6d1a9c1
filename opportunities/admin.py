"""Opportunities in the admin: read-only lists with filters, and how many
alert mails each one matched and sent (counted, never who)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from opportunities.models import Opportunity, OpportunityAlert


@admin.register(Opportunity)
class OpportunityAdmin(ReadOnlyAdmin):
    list_display = (
        "title",
        "company",
        "work_mode",
        "status",
        "deadline",
        "created_at",
        "matched",
        "sent",
    )
    list_filter = ("status", "work_mode", "company")
    list_select_related = ("company",)
    search_fields = ("title", "company__name")
    date_hierarchy = "created_at"
    fields = (
        "company",
        "title",
        "description",
        "skills",
        "work_mode",
        "city",
        "period_start",
        "period_end",
        "rate_min",
        "rate_max",
        "deadline",
        "status",
        "closed_at",
        "created_at",
        "updated_at",
        "matched",
        "sent",
        "interested",
    )
    readonly_fields = fields
    protected_lookup_fields = ("created_by", "deliveries", "interests")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                matched_count=Count("deliveries", distinct=True),
                sent_count=Count(
                    "deliveries",
                    filter=Q(deliveries__sent_at__isnull=False),
                    distinct=True,
                ),
                interest_count=Count("interests", distinct=True),
            )
        )

    @admin.display(description=_("alerts matched"), ordering="matched_count")
    def matched(self, obj) -> int:
        return obj.matched_count

    @admin.display(description=_("alert mails sent"), ordering="sent_count")
    def sent(self, obj) -> int:
        return obj.sent_count

    @admin.display(description=_("expressions of interest"))
    def interested(self, obj) -> int:
        return obj.interest_count


@admin.register(OpportunityAlert)
class OpportunityAlertAdmin(ReadOnlyAdmin):
    list_display = ("user", "frequency", "onsite", "remote", "hybrid", "updated_at")
    list_filter = ("frequency", "onsite", "remote", "hybrid")
    fields = ("user", "frequency", "onsite", "remote", "hybrid", "city", "updated_at")
    readonly_fields = fields
