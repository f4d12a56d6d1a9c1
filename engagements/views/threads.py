"""Inquiries and their threads: the inquiry form on a public profile, the
inbox, a thread with its actions (reply, accept, decline, report, block) and
the freelancer's list of blocked companies."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from core.forms import form_errors_add
from engagements import selectors, services
from engagements.forms import (
    ActionForm,
    AnswerForm,
    InquiryForm,
    MessageForm,
    ReasonForm,
)
from engagements.models import Party, ThreadParticipant
from engagements.views.common import form_errors_take
from profiles.selectors import freelancer_get_public

PAGE_SIZE = 25

#: The thread page's forms: context name -> (form class, id pattern). Two
#: forms have a "body" field, so each form's ids get their own prefix.
THREAD_FORMS = {
    "reply_form": (MessageForm, "reply_%s"),
    "accept_form": (AnswerForm, "accept_%s"),
    "decline_form": (AnswerForm, "decline_%s"),
    "report_form": (ReasonForm, "report_%s"),
    "block_form": (ActionForm, "block_%s"),
}


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def inquiry_new(request, slug: str):
    profile = freelancer_get_public(slug=slug)
    companies = selectors.inquiry_companies_for_user(user=request.user)
    form = InquiryForm(request.POST or None, companies=companies)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                thread = services.inquiry_send(
                    company=data["company"],
                    freelancer=profile,
                    actor=request.user,
                    subject=data["subject"],
                    body=data["body"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    rate=data["rate"],
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(
                    request,
                    _("Your inquiry was sent to %(name)s.")
                    % {"name": profile.full_name},
                )
                return redirect("engagements:thread_detail", pk=thread.pk)
    return render(
        request,
        "engagements/inquiry_form.html",
        {"form": form, "profile": profile, "has_company": bool(companies)},
        status=status,
    )


@never_cache
@login_required
@require_safe
def thread_list(request):
    unread = ThreadParticipant.objects.filter(
        thread=OuterRef("pk"), user=request.user
    ).filter(
        Q(last_read_at__isnull=True) | Q(last_read_at__lt=OuterRef("last_activity_at"))
    )
    threads = selectors.thread_list_for_user(user=request.user).annotate(
        unread=Exists(unread)
    )
    page = Paginator(threads, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "engagements/thread_list.html", {"page": page})


def _thread_page(request, thread, party: str, *, status: int = 200, errors=(), **bound):
    """The thread page; ``bound`` holds a refused form to show with its field
    errors, ``errors`` the summary of why it was refused."""
    forms = {
        name: bound.get(name) or form_class(auto_id=auto_id)
        for name, (form_class, auto_id) in THREAD_FORMS.items()
    }
    is_company = party == Party.COMPANY
    contact_visible = selectors.thread_contact_visible(thread=thread, party=party)
    context = {
        "thread": thread,
        "party": party,
        "is_freelancer": party == Party.FREELANCER,
        "is_company": is_company,
        "thread_messages": thread.messages.all(),
        "contact_visible": contact_visible,
        "contact": (
            {"email": thread.freelancer.user.email, "phone": thread.freelancer.phone}
            if is_company and contact_visible
            else None
        ),
        "blocked": not is_company
        and selectors.company_is_blocked(
            company=thread.company, freelancer=thread.freelancer
        ),
        "engagements": thread.engagements.order_by("-created_at"),
        "errors": list(errors),
        **forms,
    }
    return render(request, "engagements/thread_detail.html", context, status=status)


@never_cache
@login_required
@require_safe
def thread_detail(request, pk):
    thread, party = selectors.thread_get_for_user(user=request.user, pk=pk)
    services.thread_read_mark(thread=thread, user=request.user)
    return _thread_page(request, thread, party)


def _thread_action(request, pk, form_name: str, act, success: str):
    """Run ``act(thread, cleaned_data)`` on a valid POST; back to the thread
    with ``success``, or the thread page with the refusal (400)."""
    thread, party = selectors.thread_get_for_user(user=request.user, pk=pk)
    form_class, auto_id = THREAD_FORMS[form_name]
    form = form_class(request.POST, auto_id=auto_id)
    if form.is_valid():
        try:
            act(thread, form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, success)
            return redirect("engagements:thread_detail", pk=thread.pk)
    return _thread_page(
        request,
        thread,
        party,
        status=400,
        errors=form_errors_take(form),
        **{form_name: form},
    )


@login_required
@require_POST
def thread_reply(request, pk):
    return _thread_action(
        request,
        pk,
        "reply_form",
        lambda thread, data: services.message_send(
            thread=thread, actor=request.user, body=data["body"]
        ),
        _("Your message was sent."),
    )


@login_required
@require_POST
def thread_accept(request, pk):
    return _thread_action(
        request,
        pk,
        "accept_form",
        lambda thread, data: services.inquiry_accept(
            thread=thread, actor=request.user, body=data["body"]
        ),
        _(
            "You accepted the inquiry. The company can now see your e-mail "
            "address and phone number."
        ),
    )


@login_required
@require_POST
def thread_decline(request, pk):
    return _thread_action(
        request,
        pk,
        "decline_form",
        lambda thread, data: services.inquiry_decline(
            thread=thread, actor=request.user, body=data["body"]
        ),
        _("You declined the inquiry."),
    )


@login_required
@require_POST
def thread_report(request, pk):
    return _thread_action(
        request,
        pk,
        "report_form",
        lambda thread, data: services.thread_report(
            thread=thread, actor=request.user, reason=data["reason"]
        ),
        _(
            "Thank you. Staff will review the conversation; only reported "
            "conversations are ever read by staff."
        ),
    )


@login_required
@require_POST
def thread_block(request, pk):
    return _thread_action(
        request,
        pk,
        "block_form",
        lambda thread, data: services.company_block(
            freelancer=thread.freelancer, company=thread.company, actor=request.user
        ),
        _(
            "The company is blocked: it can no longer send you inquiries or "
            "messages. You can unblock it under Blocked companies."
        ),
    )


@never_cache
@login_required
@require_safe
def block_list(request):
    blocks = selectors.company_block_list_for_owner(user=request.user).order_by(
        "company__name"
    )
    return render(request, "engagements/block_list.html", {"blocks": blocks})


@login_required
@require_POST
def company_unblock(request, company_id):
    block = (
        selectors.company_block_list_for_owner(user=request.user)
        .select_related("freelancer")
        .filter(company_id=company_id)
        .first()
    )
    if block is None:
        raise Http404
    services.company_unblock(
        freelancer=block.freelancer, company=block.company, actor=request.user
    )
    messages.success(
        request,
        _("%(company)s is no longer blocked.") % {"company": block.company.name},
    )
    return redirect("engagements:block_list")
