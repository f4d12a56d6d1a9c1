from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.middleware import too_many_requests as respond


@require_GET
@never_cache
def healthz(request):
    """200 when every configured database answers, 503 naming the failing part."""
    checks = {}
    for alias in connections:
        name = "database" if alias == "default" else f"database:{alias}"
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            checks[name] = "error"
        else:
            checks[name] = "ok"
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks},
        status=200 if healthy else 503,
    )


# allauth's rate limits are per minute (login failures: 15 minutes per address);
# a minute is the honest lower bound of the wait.
ALLAUTH_RETRY_AFTER = 60


def too_many_requests(request):
    """allauth's 429 (``handler429``), with Retry-After like the others."""
    return respond(request, ALLAUTH_RETRY_AFTER)


def _api_error(request, status: int, detail: str):
    return JsonResponse({"detail": detail, "errors": {}}, status=status)


def page_not_found(request, exception=None):
    """``handler404``: API paths answer in the API's error shape, pages as usual."""
    if request.path.startswith("/api/"):
        return _api_error(request, 404, "Not found.")
    from django.views.defaults import page_not_found as default

    return default(request, exception)


def server_error(request):
    """``handler500``: no HTML (and no detail) for API clients."""
    if request.path.startswith("/api/"):
        return _api_error(request, 500, "Server error.")
    from django.views.defaults import server_error as default

    return default(request)
