"""Filters for privacy's pages and mails: dates queued as ISO strings, request
kinds by their stored value."""

import datetime as dt

from django import template
from django.utils import timezone

from privacy.models import DataSubjectRequest

register = template.Library()


@register.filter
def iso_datetime(value):
    """An ISO 8601 string (a queued mail's context) as a local datetime, for
    ``|date``; "" when it is not one."""
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment)


@register.filter
def dsr_kind_label(value) -> str:
    """The label of a request kind (``"access"`` -> "Access to my data")."""
    try:
        return DataSubjectRequest.Kind(value).label
    except ValueError:
        return ""
