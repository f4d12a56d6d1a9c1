from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@never_cache
@login_required
def dashboard(request):
    """The member's own page: what the platform holds about them starts here."""
    return render(request, "profiles/dashboard.html")
