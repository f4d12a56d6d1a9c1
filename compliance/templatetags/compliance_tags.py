from django import template

from compliance.selectors import policy_notice_version

register = template.Library()


@register.inclusion_tag("compliance/_policy_notice.html", takes_context=True)
def policy_notice(context):
    """The notice of a significant policy change the member has not acknowledged."""
    request = context.get("request")
    user = getattr(request, "user", None)
    version = policy_notice_version(user=user) if user is not None else None
    return {
        "notice_version": version,
        "next": request.get_full_path() if request is not None else "/",
        "csrf_token": context.get("csrf_token"),
    }
