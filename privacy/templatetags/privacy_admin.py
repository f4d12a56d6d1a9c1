"""The admin index's link to the data-subject request queue, with its deadlines."""

from django import template
from django.urls import reverse
from django.utils import timezone

from privacy.models import DataSubjectRequest
from privacy.requests.selectors import dsr_due_soon, dsr_overdue

register = template.Library()

DUE_SOON_DAYS = 7


@register.simple_tag(takes_context=True)
def dsr_queue_summary(context) -> dict | None:
    """Counts of open requests past their deadline and due within a week, with
    links to the queue filtered to each; None for staff who may not see it."""
    request = context.get("request")
    user = getattr(request, "user", None)
    opts = DataSubjectRequest._meta
    if user is None or not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
        return None
    now = timezone.now()
    queue = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return {
        "url": queue,
        "overdue": dsr_overdue(now=now).count(),
        "overdue_url": f"{queue}?due=overdue",
        "due_soon": dsr_due_soon(now=now, days=DUE_SOON_DAYS).count(),
        "due_soon_url": f"{queue}?due=week",
        "days": DUE_SOON_DAYS,
    }
