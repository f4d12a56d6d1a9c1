"""Inquiries (who wrote to whom, never what) and reports of abuse, whose
conversation staff read only through the audited review."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from engagements import services
from engagements.admin.base import thread_label, thread_link
from engagements.models import Thread, ThreadReport


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    """Who wrote to whom, when, and the answer: never what was written."""

    list_display = (
        "inquiry",
        "company",
        "freelancer",
        "status",
        "last_activity_at",
        "created_at",
    )
    list_filter = ("status",)
    list_select_related = ("company", "freelancer")
    search_fields = ("company__name", "freelancer__full_name")
    date_hierarchy = "last_activity_at"
    fields = (
        "company",
        "freelancer",
        "status",
        "created_at",
        "last_activity_at",
        "decided_at",
        "contact_shared_at",
        "period_start",
        "period_end",
        "rate",
    )
    readonly_fields = fields
    protected_lookup_fields = ("subject", "messages", "participants", "reports")

    @admin.display(description=_("inquiry"), ordering="pk")
    def inquiry(self, obj):
        return thread_label(obj.pk)

    def get_object(self, request, object_id, from_field=None):
        # The change and history pages title the row with str(), its subject.
        # Masked in memory only: this admin never saves or deletes a thread.
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj.subject = thread_label(obj.pk)
        return obj


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was found and done; the audit trail keeps it."),
    )


@admin.register(ThreadReport)
class ThreadReportAdmin(ReadOnlyAdmin):
    """Reports of abuse. The conversation is read only through "Review
    reported conversation", and each reading is audited."""

    change_form_template = "admin/engagements/threadreport/change_form.html"
    list_display = ("__str__", "inquiry", "reporter", "created_at", "resolved_at")
    list_filter = (("resolved_at", admin.EmptyFieldListFilter),)
    list_select_related = ("reporter",)
    search_fields = ("reporter__email",)
    fields = (
        "inquiry",
        "reporter",
        "reason",
        "created_at",
        "resolved_at",
        "resolved_by",
        "resolution",
    )
    readonly_fields = fields

    @admin.display(description=_("inquiry"))
    def inquiry(self, obj):
        return thread_link(obj.thread_id)

    def get_urls(self):
        return [
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(self.review_view),
                name="engagements_threadreport_review",
            ),
            path(
                "<int:pk>/resolve/",
                self.admin_site.admin_view(self.resolve_view),
                name="engagements_threadreport_resolve",
            ),
            *super().get_urls(),
        ]

    @staticmethod
    def _may_review(request) -> bool:
        return request.user.has_perm("engagements.view_threadreport")

    @staticmethod
    def _may_resolve(request) -> bool:
        return request.user.has_perm("engagements.change_threadreport")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "may_review": self._may_review(request),
            "may_resolve": self._may_resolve(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _context(self, request, report, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "report": report,
            "thread_label": thread_label(report.thread_id),
            "change_url": reverse(
                "admin:engagements_threadreport_change", args=[report.pk]
            ),
            **extra,
        }

    def review_view(self, request, pk: int):
        """GET: what reading means (audited); POST: the messages."""
        if not self._may_review(request):
            raise PermissionDenied
        report = get_object_or_404(
            ThreadReport.objects.select_related("thread__freelancer__user"), pk=pk
        )
        if request.method != "POST":
            return TemplateResponse(
                request,
                "admin/engagements/thread_review_confirm.html",
                self._context(
                    request, report, title=gettext("Review reported conversation")
                ),
            )
        try:
            thread_messages = services.thread_report_review(
                report=report, actor=request.user
            )
        except ValidationError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from exc
        may_resolve = self._may_resolve(request)
        return TemplateResponse(
            request,
            "admin/engagements/thread_review.html",
            self._context(
                request,
                report,
                title=gettext("Reported conversation"),
                thread_messages=thread_messages,
                form=ResolveForm() if may_resolve else None,
            ),
            headers={"Cache-Control": "no-store"},
        )

    def resolve_view(self, request, pk: int):
        if not self._may_resolve(request):
            raise PermissionDenied
        report = get_object_or_404(ThreadReport, pk=pk)
        form = ResolveForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                services.thread_report_resolve(
                    report=report,
                    actor=request.user,
                    resolution=form.cleaned_data["resolution"],
                )
            except ValidationError as exc:
                raise PermissionDenied(" ".join(exc.messages)) from exc
            self.message_user(request, gettext("The report is resolved."))
            return HttpResponseRedirect(
                reverse("admin:engagements_threadreport_change", args=[report.pk])
            )
        return TemplateResponse(
            request,
            "admin/engagements/thread_resolve.html",
            self._context(
                request, report, title=gettext("Resolve the report"), form=form
            ),
            status=400 if form.errors else 200,
        )
