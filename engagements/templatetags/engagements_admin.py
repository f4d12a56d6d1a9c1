"""The admin index's link to the overdue invoices, with their count."""

from django import template
from django.urls import reverse

from engagements.models import Invoice
from engagements.selectors import invoices_overdue

register = template.Library()


@register.simple_tag(takes_context=True)
def invoice_queue_summary(context) -> dict | None:
    """The number of overdue invoices and the invoice list filtered to them;
    None for staff who may not see invoices."""
    request = context.get("request")
    user = getattr(request, "user", None)
    opts = Invoice._meta
    if user is None or not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
        return None
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return {
        "url": changelist,
        "overdue": invoices_overdue().count(),
        "overdue_url": f"{changelist}?overdue=yes",
    }
