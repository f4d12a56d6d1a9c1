"""The admin index's notice that the policy needs a new version."""

from django import template
from django.urls import reverse
from django.utils import translation

from compliance.models import PolicyVersion
from compliance.selectors import policy_drift

register = template.Library()


@register.simple_tag(takes_context=True)
def policy_drift_summary(context) -> dict | None:
    """When the records the policy is generated from (processors, cookies,
    purposes, retention periods) changed since the latest published version:
    that version, what changed, and where to publish a new one. None when
    nothing changed or the staff member may not publish versions."""
    request = context.get("request")
    user = getattr(request, "user", None)
    opts = PolicyVersion._meta
    if user is None or not user.has_perm(f"{opts.app_label}.add_{opts.model_name}"):
        return None
    drift = policy_drift(language=translation.get_language() or "en")
    if drift is None:
        return None
    return {
        **drift,
        "add_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_add"),
    }
