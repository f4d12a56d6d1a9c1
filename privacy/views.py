from django.shortcuts import render

from .selectors import registry_overview


def policy(request):
    """The privacy policy; its data and retention sections come from the registry."""
    return render(request, "privacy/policy.html", {"registry": registry_overview()})
