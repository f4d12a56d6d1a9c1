"""E-mail preferences, one-click unsubscribe (RFC 8058) and the open pixel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from consent import mail as consent_mail
from consent.forms import EmailPreferencesForm
from consent.opens import email_open_record
from consent.selectors import marketing_is_suppressed
from privacy.selectors import subject_is_restricted

#: a transparent 1x1 GIF.
PIXEL_GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000"
    "010001000002024401003b"
)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def email_preferences(request):
    """Service messages always go out; marketing, opportunity alerts and
    tracking are choices."""
    current = consent_mail.email_preferences_get(user=request.user)
    initial = {key: "yes" if value else "no" for key, value in current.items()}
    status = 200
    if request.method == "POST":
        form = EmailPreferencesForm(request.POST, initial=initial)
        if form.is_valid():
            consent_mail.email_preferences_set(
                user=request.user,
                marketing=form.cleaned_data["marketing"],
                opportunities=form.cleaned_data["opportunities"],
                tracking=form.cleaned_data["tracking"],
            )
            messages.success(request, _("Your e-mail preferences are saved."))
            return redirect("consent:email_preferences")
        status = 400
    else:
        form = EmailPreferencesForm(initial=initial)
    context = {
        "form": form,
        "suppressed": marketing_is_suppressed(email=request.user.email),
        "restricted": subject_is_restricted(user=request.user),
    }
    return render(request, "consent/email_preferences.html", context, status=status)


# The link is authenticated by its signature, not by a session, and mail
# clients send the RFC 8058 one-click POST without a CSRF token.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET shows a button (link scanners only GET); POST withdraws, once."""
    try:
        user, purpose = consent_mail.unsubscribe_token_read(token=token)
    except ValidationError as exc:
        return render(
            request,
            "consent/unsubscribe_invalid.html",
            {"error": " ".join(exc.messages)},
            status=400,
        )
    if request.method == "POST":
        consent_mail.marketing_unsubscribe(user=user, purpose=purpose)
        return render(request, "consent/unsubscribed.html")
    return render(request, "consent/unsubscribe.html")


@never_cache
@require_GET
def email_open(request, token: str):
    """The open pixel (only in mail to members who allowed tracking): records
    the first open while the member still allows it (``consent.opens``), and
    answers the same 1x1 GIF whatever the token is, so it tells nothing."""
    email_open_record(token=token)
    return HttpResponse(PIXEL_GIF, content_type="image/gif")
