from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
)

from core import ratelimit
from core.forms import form_errors_add
from core.storage import export_storage
from privacy.facts import COMPLAINT_TEXT
from privacy.models import ExportArchive
from privacy.requests import selectors
from privacy.requests import services as dsr
from privacy.requests.forms import (
    AnonymousRequestForm,
    RequestForm,
)
from privacy.requests.progress import dsr_next_step, dsr_status_for_member

# Anonymous intake: (uses, seconds) per e-mail address and per IP address.
DEFAULT_RATE_PER_EMAIL = (3, 60 * 60)
DEFAULT_RATE_PER_IP = (10, 60 * 60)


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _limits() -> tuple[ratelimit.Limit, ratelimit.Limit]:
    per_email = getattr(settings, "DSR_RATE_LIMIT_PER_EMAIL", DEFAULT_RATE_PER_EMAIL)
    per_ip = getattr(settings, "DSR_RATE_LIMIT_PER_IP", DEFAULT_RATE_PER_IP)
    return (
        ratelimit.Limit("dsr.email", limit=per_email[0], window=per_email[1]),
        ratelimit.Limit("dsr.ip", limit=per_ip[0], window=per_ip[1]),
    )


def _too_many(request, retry_after: int):
    response = render(
        request,
        "privacy/requests/rate_limited.html",
        {"retry_after": retry_after},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


@never_cache
@login_required
def request_list(request):
    return render(
        request,
        "privacy/requests/request_list.html",
        {"requests": selectors.dsr_list_for_user(user=request.user)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def request_new(request):
    """Members are verified by their session; anyone else by an e-mailed link."""
    member = request.user.is_authenticated
    form_class = RequestForm if member else AnonymousRequestForm
    initial = {"kind": request.GET.get("kind", "")}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if member:
            try:
                created = dsr.dsr_submit(
                    user=request.user,
                    kind=data["kind"],
                    details=data["details"],
                    base_url=_base_url(request),
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("Your request was received."))
                return redirect(created)
        else:
            per_email, per_ip = _limits()
            ip = ratelimit.client_ip(request)
            wait = ratelimit.hit(per_ip, ip) or ratelimit.hit(per_email, data["email"])
            if wait:
                return _too_many(request, wait)
            try:
                dsr.dsr_submit_anonymous(
                    email=data["email"],
                    kind=data["kind"],
                    details=data["details"],
                    base_url=_base_url(request),
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                # The same page whether or not the address has an account.
                return render(request, "privacy/requests/request_sent.html")
    status = 400 if form.errors else 200
    return render(
        request,
        "privacy/requests/request_new.html",
        {"form": form, "member": member},
        status=status,
    )


@never_cache
@login_required
def request_detail(request, pk: int):
    dsr_request = selectors.dsr_get_for_user(pk=pk, user=request.user)
    archive = getattr(dsr_request, "export", None)
    building = archive is not None and archive.status in (
        ExportArchive.Status.PENDING,
        ExportArchive.Status.BUILDING,
    )
    return render(
        request,
        "privacy/requests/request_detail.html",
        {
            "req": dsr_request,
            "archive": archive,
            "building": building,
            "next_step": dsr_next_step(dsr_request),
            "complaint_text": COMPLAINT_TEXT,
        },
    )


@never_cache
@login_required
@require_GET
def request_status(request, pk: int):
    """The request's state as JSON, for the page's poll; the owner's only
    (anyone else's, or none: 404)."""
    dsr_request = selectors.dsr_get_for_user(pk=pk, user=request.user)
    return JsonResponse(dsr_status_for_member(dsr_request))


@never_cache
@require_http_methods(["GET", "POST"])
def request_verify(request, token: str):
    """GET shows a button (link scanners only GET); POST verifies, once."""
    try:
        if request.method == "POST":
            verified = dsr.dsr_verify_token(token=token, base_url=_base_url(request))
            return render(
                request, "privacy/requests/request_verified.html", {"req": verified}
            )
        pending = selectors.dsr_get_by_token(token=token)
    except ValidationError as exc:
        return render(
            request,
            "privacy/requests/request_verify_invalid.html",
            {"error": " ".join(exc.messages)},
            status=400,
        )
    return render(request, "privacy/requests/request_verify.html", {"req": pending})


def _archive_response(archive: ExportArchive) -> FileResponse:
    response = FileResponse(
        export_storage.open_plain(archive.file.name),
        as_attachment=True,
        filename=f"worksome-data-{archive.request_id}.zip",
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    if not response.has_header("Content-Length") and archive.size:
        response["Content-Length"] = str(archive.size)
    return response


@never_cache
@login_required
@require_GET
def export_download(request, pk: int):
    return _archive_response(
        selectors.export_get_for_download(pk=pk, user=request.user)
    )


@never_cache
@require_GET
def export_download_token(request, token: str):
    archive = selectors.export_get_by_token(token=token)
    if request.user.is_authenticated and request.user.pk != archive.subject_id:
        raise Http404
    return _archive_response(archive)
