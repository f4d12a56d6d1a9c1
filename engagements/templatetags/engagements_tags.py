"""Template helpers of engagements: the inbox's unread count in the site
header, and amounts in DKK as the documents write them."""

from django import template

from engagements.documents import money as money_format
from engagements.selectors import thread_unread_count_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_unread_count(context) -> int:
    """Threads with news for the logged-in user (0 for visitors; one query,
    once per request however often the header asks)."""
    request = context.get("request")
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    if request is None:
        return thread_unread_count_for_user(user=user)
    if not hasattr(request, "_inbox_unread_count"):
        request._inbox_unread_count = thread_unread_count_for_user(user=user)
    return request._inbox_unread_count


@register.filter
def money(amount) -> str:
    """``1.234,50 DKK`` in Danish, ``1,234.50 DKK`` in English; empty for None."""
    return "" if amount is None else money_format(amount)
