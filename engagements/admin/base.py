"""What the engagements admins share: inquiries named without their subject,
read-only inlines, and PDF downloads from private storage."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext


def thread_label(thread_id: int | None) -> str:
    """An inquiry named by number only: its subject is the parties' words."""
    if thread_id is None:
        return "-"
    return gettext("Inquiry %(number)s") % {"number": thread_id}


def thread_link(thread_id: int | None):
    if thread_id is None:
        return "-"
    url = reverse("admin:engagements_thread_change", args=[thread_id])
    return format_html('<a href="{}">{}</a>', url, thread_label(thread_id))


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PdfDownloadMixin:
    """``<pk>/pdf/``: the stored PDF, for staff who may view the row."""

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<int:pk>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name=f"{opts.app_label}_{opts.model_name}_pdf",
            ),
            *super().get_urls(),
        ]

    def private_file_url(self, obj, name: str) -> str | None:
        opts = self.model._meta
        if name == "pdf" and obj.pdf:
            return reverse(
                f"admin:{opts.app_label}_{opts.model_name}_pdf", args=[obj.pk]
            )
        return None

    def pdf_view(self, request, pk: int):
        obj = get_object_or_404(self.model, pk=pk)
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        if not obj.pdf:
            raise Http404
        try:
            file = obj.pdf.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(
            file,
            as_attachment=True,
            filename=f"{self.model._meta.model_name}-{obj.pk}.pdf",
            content_type="application/pdf",
            headers={"Cache-Control": "no-store"},
        )
