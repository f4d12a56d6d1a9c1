"""Invoices and credit notes: view only; "Mark paid" and "Credit in full"
(with a reason) are actions calling the services; the overdue queue."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin import PrivateFileAdminMixin, ViewOnlyAdmin
from engagements import selectors, services
from engagements.admin.base import PdfDownloadMixin, ReadOnlyInline
from engagements.models import Invoice, InvoiceLine


class OverdueFilter(admin.SimpleListFilter):
    """Unpaid, uncredited and past due, as ``selectors.invoices_overdue`` says."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pk__in=selectors.invoices_overdue().values("pk"))
        return queryset


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = (
        "position",
        "description",
        "service_date",
        "quantity",
        "unit",
        "unit_price",
        "amount",
    )
    readonly_fields = fields
    show_change_link = False


class CreditForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Printed on the credit note."),
    )


@admin.register(Invoice)
class InvoiceAdmin(PdfDownloadMixin, PrivateFileAdminMixin, ViewOnlyAdmin):
    """Issued invoices never change: view only, no delete. Payment and credit
    notes are actions; a correction is a credit note and a new invoice."""

    list_display = (
        "number",
        "kind",
        "buyer_name",
        "issue_date",
        "due_date",
        "total",
        "paid_at",
        "credited_at",
        "overdue",
        "pdf",
    )
    list_filter = (OverdueFilter, "kind", ("paid_at", admin.EmptyFieldListFilter))
    search_fields = ("number__exact", "buyer_name", "provider_name")
    date_hierarchy = "issue_date"
    readonly_fields = (
        "number",
        "kind",
        "credits",
        "engagement",
        "contract_version",
        "period_start",
        "period_end",
        "issue_date",
        "due_date",
        "description",
        "seller_name",
        "seller_cvr",
        "seller_address",
        "buyer_name",
        "buyer_cvr",
        "buyer_address",
        "buyer_email",
        "provider_name",
        "provider_cvr",
        "amount_excl_vat",
        "vat_rate",
        "vat_amount",
        "total",
        "currency",
        "created_at",
        "pdf",
        "emailed_at",
        "paid_at",
        "paid_marked_by",
        "credited_at",
        "restricted_at",
        "retain_until",
        "anonymised_at",
    )
    fields = readonly_fields
    inlines = [InvoiceLineInline]
    actions = ["mark_paid", "credit_in_full"]

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj) -> bool:
        return obj.is_overdue

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_settle_permission(self, request) -> bool:
        return request.user.has_perm("engagements.change_invoice")

    def _each(self, request, queryset, call, done_message) -> None:
        """``call`` each invoice; a refusal is reported and the rest go on."""
        done = 0
        for invoice in queryset:
            try:
                call(invoice)
            except ValidationError as exc:
                self.message_user(
                    request, f"{invoice}: {' '.join(exc.messages)}", messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)

    @admin.action(description=_("Mark paid"), permissions=["settle"])
    def mark_paid(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda invoice: services.invoice_mark_paid(
                invoice=invoice, actor=request.user
            ),
            lambda n: (
                ngettext("%(n)d invoice marked paid.", "%(n)d invoices marked paid.", n)
                % {"n": n}
            ),
        )

    @admin.action(
        description=_("Credit in full (with a reason)"), permissions=["settle"]
    )
    def credit_in_full(self, request, queryset):
        """An intermediate page asks for the reason; nothing changes without it."""
        form = CreditForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._each(
                request,
                queryset,
                lambda invoice: services.invoice_credit(
                    invoice=invoice, actor=request.user, reason=reason
                ),
                lambda n: (
                    ngettext("%(n)d invoice credited.", "%(n)d invoices credited.", n)
                    % {"n": n}
                ),
            )
            return None
        return TemplateResponse(
            request,
            "admin/engagements/invoice_credit.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Credit invoices in full"),
                "form": form,
                "queryset": queryset,
                "action": request.POST.get("action", ""),
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
            status=400 if form.errors else 200,
        )
