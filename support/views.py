"""The contact form, the visitor's verification link, and a member's tickets.

Every ticket page answers 404 to anyone but the ticket's owner (staff work
tickets in the admin); the attachment is streamed from private storage by
``ticket_attachment``, never by URL.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import ratelimit
from core.forms import form_errors_add
from support import selectors, services
from support.forms import ContactForm, ReplyForm, VisitorContactForm


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _throttled(request, retry_after: int):
    response = render(
        request,
        "support/rate_limited.html",
        {"retry_after": retry_after},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def contact(request):
    """Members are answered at their account's address; visitors confirm
    theirs by an e-mailed link before staff see the question."""
    member = request.user.is_authenticated
    form_class = ContactForm if member else VisitorContactForm
    initial = {"topic": request.GET.get("topic", "")}
    form = form_class(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_submit(
                user=request.user if member else None,
                email=data.get("email", ""),
                topic=data["topic"],
                body=data["body"],
                attachment=data.get("attachment"),
                language=translation.get_language() or "",
                client_ip=ratelimit.client_ip(request),
                base_url=_base_url(request),
            )
        except services.SubmissionThrottled as throttled:
            return _throttled(request, throttled.retry_after)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            if member:
                messages.success(
                    request, _("Your message was sent to customer service.")
                )
                return redirect(ticket)
            return render(request, "support/contact_sent.html")
    status = 400 if form.errors else 200
    return render(
        request,
        "support/contact.html",
        {"form": form, "member": member},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request, token: str):
    """GET shows a button (link scanners only GET); POST verifies, once."""
    try:
        if request.method == "POST":
            services.ticket_verify_token(token=token, base_url=_base_url(request))
            return render(request, "support/verified.html")
        selectors.ticket_get_by_token(token=token)
    except ValidationError as exc:
        return render(
            request,
            "support/verify_invalid.html",
            {"error": " ".join(exc.messages)},
            status=400,
        )
    return render(request, "support/verify.html")


@never_cache
@login_required
@require_GET
def ticket_list(request):
    return render(
        request,
        "support/ticket_list.html",
        {"tickets": selectors.ticket_list_for_user(user=request.user)},
    )


def _detail(request, ticket, form, *, status: int = 200):
    return render(
        request,
        "support/ticket_detail.html",
        {
            "ticket": ticket,
            "ticket_messages": selectors.ticket_messages_for_member(ticket=ticket),
            "form": form,
        },
        status=status,
    )


@never_cache
@login_required
@require_GET
def ticket_detail(request, pk: int):
    ticket = selectors.ticket_get_for_user(pk=pk, user=request.user)
    return _detail(request, ticket, ReplyForm())


@never_cache
@login_required
@require_POST
def ticket_reply(request, pk: int):
    ticket = selectors.ticket_get_for_user(pk=pk, user=request.user)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_member_reply(
                ticket=ticket, actor=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect(ticket)
    return _detail(request, ticket, form, status=400)


def attachment_response(ticket) -> FileResponse:
    """The ticket's attachment as a download from private storage; 404 when
    there is none (or its file is gone)."""
    if not ticket.attachment:
        raise Http404
    try:
        handle = ticket.attachment.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    extension = ticket.attachment.name.rsplit(".", 1)[-1]
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"ticket-{ticket.pk}.{extension}",
        content_type=ticket.attachment_content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@login_required
@require_GET
def ticket_attachment(request, pk: int):
    ticket = selectors.ticket_get_for_user(pk=pk, user=request.user)
    return attachment_response(ticket)
