"""The admin index's link to the data-subject request queue, with its deadlines."""

from django import template
from django.urls import reverse
from django.utils import timezone

from privacy.models import DataSubjectRequest
from privacy.requests.selectors import dsr_queue_filter

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
    # The same selector as the changelist's filter each counter links to.
    counts = {
        name: dsr_queue_filter(name, now=now).count()
        for name in ("open", "overdue", "week", "flagged")
    }
    return {
        "url": queue,
        "open": counts["open"],
        "open_url": f"{queue}?due=open",
        "overdue": counts["overdue"],
        "overdue_url": f"{queue}?due=overdue",
        "due_soon": counts["week"],
        "due_soon_url": f"{queue}?due=week",
        "flagged": counts["flagged"],
        "flagged_url": f"{queue}?due=flagged",
        "days": DUE_SOON_DAYS,
    }
