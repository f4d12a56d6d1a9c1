import json
from functools import partial

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from profiles import selectors, services
from profiles.directory import (
    DETAIL_BODY_TEMPLATE,
    CachedCountPaginator,
    directory_cards_html,
    public_profile_page,
)
from profiles.forms import (
    PHOTO_CONSENT_TEXT,
    CloseAccountForm,
    CompanyForm,
    CvForm,
    FreelancerProfileForm,
    InviteForm,
    LogoForm,
    PhotoForm,
)

PAGE_SIZE = 20
# Photos and logos: storage names start with this (profiles/storage.py).
PHOTO_DIR = "photos/"


def _add_errors(form, exc: ValidationError, field: str | None = None) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(field, exc)


# --- Directory and public pages ---------------------------------------------


def home(request):
    latest = selectors.freelancer_list_public()[:6]
    return render(request, "home.html", {"latest": latest})


def freelancer_list(request):
    params = {k: request.GET.get(k, "") for k in ("q", "skill", "city")}
    profiles = selectors.freelancer_list_public(**params)
    paginator = CachedCountPaginator(
        profiles, PAGE_SIZE, count_key=json.dumps(params, sort_keys=True)
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "profiles/freelancer_list.html",
        {"page": page, "params": params, "cards": directory_cards_html(page)},
    )


def _redirect_old_slug(request, slug: str):
    """A former slug (the name changed): permanent redirect to the same page."""
    current = selectors.freelancer_current_slug(old_slug=slug)
    if current is None:
        raise Http404
    # Only to a page this visitor may see: a hidden profile's new slug stays unknown.
    selectors.freelancer_get_for_user(slug=current, user=request.user)
    return redirect(request.resolver_match.view_name, slug=current, permanent=True)


def freelancer_detail(request, slug: str):
    try:
        return _freelancer_detail(request, slug)
    except Http404:
        return _redirect_old_slug(request, slug)


def _freelancer_detail(request, slug: str):
    if not request.user.is_authenticated:
        title, body = public_profile_page(slug=slug)
    else:
        profile = selectors.freelancer_get_for_user(slug=slug, user=request.user)
        can_download, _company = selectors.cv_download_access(
            profile=profile, user=request.user
        )
        title = profile.full_name
        body = render_to_string(
            DETAIL_BODY_TEMPLATE,
            {
                "profile": profile,
                "public": profile.public,
                "can_download_cv": can_download,
            },
            request=request,
        )
    return render(
        request, "profiles/freelancer_detail.html", {"title": title, "body": body}
    )


@never_cache
@login_required
def freelancer_cv_download(request, slug: str):
    profile = selectors.freelancer_get_for_user(slug=slug, user=request.user)
    allowed, company = selectors.cv_download_access(profile=profile, user=request.user)
    if not allowed:
        raise Http404
    services.freelancer_cv_download_record(
        profile=profile, user=request.user, company=company
    )
    extension = profile.cv.name.rsplit(".", 1)[-1]
    response = FileResponse(
        profile.cv.open("rb"),
        as_attachment=True,
        filename=f"cv-{profile.slug}.{extension}",
        content_type=profile.cv_content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def photo_file(request, name: str):
    """A profile photo or company logo, served only while it may be seen.

    Photos are not served as plain media files: a restriction (GDPR Art. 18),
    unpublishing or closing must hide them from everyone at once. Browsers
    may keep a copy for a minute; shared caches none.
    """
    name = f"{PHOTO_DIR}{name}"
    if not selectors.photo_file_visible(name=name, user=request.user):
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, SuspiciousFileOperation) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=60"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def company_list(request):
    q = request.GET.get("q", "")
    page = Paginator(selectors.company_list_public(q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "profiles/company_list.html", {"page": page, "q": q})


def company_detail(request, slug: str):
    company = selectors.company_get_public(slug=slug)
    role = selectors.company_role_for_user(company=company, user=request.user)
    return render(
        request, "profiles/company_detail.html", {"company": company, "role": role}
    )


# --- The member's own pages -------------------------------------------------


@never_cache
@login_required
def dashboard(request):
    profile = selectors.freelancer_profile_for_owner(user=request.user)
    return render(
        request,
        "profiles/dashboard.html",
        {
            "profile": profile,
            "completeness": _completeness(profile),
            "memberships": selectors.memberships_for_user(user=request.user),
            "recipients": selectors.cv_recipients_for_owner(user=request.user)[:50],
        },
    )


def _completeness(profile) -> int:
    if profile is None:
        return 0
    checks = [
        profile.full_name,
        profile.headline,
        profile.bio,
        profile.city,
        profile.phone,
        profile.photo,
        profile.cv,
        profile.skills.exists(),
    ]
    return round(100 * sum(bool(c) for c in checks) / len(checks))


def _owned_profile(request):
    profile = selectors.freelancer_profile_for_owner(user=request.user)
    if profile is None:
        profile = services.freelancer_profile_create(
            user=request.user, full_name=request.user.email.split("@")[0]
        )
    return profile


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    profile = _owned_profile(request)
    form = FreelancerProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The CPR number first: a refused change leaves the rest unsaved.
            if data["remove_cpr"]:
                services.freelancer_cpr_set(
                    profile=profile, actor=request.user, cpr=None
                )
            elif data["cpr"]:
                services.freelancer_cpr_set(
                    profile=profile, actor=request.user, cpr=data["cpr"]
                )
            profile = services.freelancer_profile_update(
                profile=profile,
                actor=request.user,
                data={k: data[k] for k in form.Meta.fields},
                skills=data["skills_text"],
            )
        except services.CprChangeRateLimited as exc:
            form.add_error(
                "cpr",
                _(
                    "You have changed your CPR number too often. Try again in "
                    "%(minutes)d minutes."
                )
                % {"minutes": max(1, exc.retry_after // 60)},
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Your profile was saved."))
            return redirect("profiles:dashboard")
    return render(
        request, "profiles/profile_edit.html", {"form": form, "profile": profile}
    )


@never_cache
@login_required
@reauthentication_required
def profile_cpr_reveal(request):
    profile = selectors.freelancer_profile_for_owner(user=request.user)
    if profile is None or not profile.cpr:
        raise Http404
    cpr = services.freelancer_cpr_reveal(profile=profile, actor=request.user)
    return render(request, "profiles/cpr_reveal.html", {"cpr": cpr})


def _upload_page(
    request, *, form_class, field, store, remove, template, saved, removed
):
    """GET: the upload form. POST: upload (``store``) or, with "remove", ``remove``.

    A rejected file is a form error; the stored file stays as it was.
    """
    profile = _owned_profile(request)
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if "remove" in request.POST:
            remove(profile=profile, actor=request.user)
            messages.success(request, removed)
            return redirect("profiles:dashboard")
        if form.is_valid():
            try:
                store(
                    profile=profile,
                    actor=request.user,
                    upload=form.cleaned_data[field],
                )
            except ValidationError as exc:
                _add_errors(form, exc, field)
            else:
                messages.success(request, saved)
                return redirect("profiles:dashboard")
    return render(request, template, {"form": form, "profile": profile})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile_photo(request):
    return _upload_page(
        request,
        form_class=PhotoForm,
        field="photo",
        store=partial(
            services.freelancer_photo_set, consent_text=str(PHOTO_CONSENT_TEXT)
        ),
        remove=services.freelancer_photo_remove,
        template="profiles/photo.html",
        saved=_("Your photo was saved."),
        removed=_("Your photo was removed and deleted."),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile_cv(request):
    return _upload_page(
        request,
        form_class=CvForm,
        field="cv",
        store=services.freelancer_cv_set,
        remove=services.freelancer_cv_remove,
        template="profiles/cv.html",
        saved=_("Your CV was saved."),
        removed=_("Your CV was removed."),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile_publish(request):
    """GET: a preview of exactly what becomes public. POST: publish or unpublish."""
    profile = _owned_profile(request)
    if request.method == "POST":
        if "unpublish" in request.POST:
            services.freelancer_unpublish(profile=profile, actor=request.user)
            messages.success(request, _("Your profile is no longer public."))
            return redirect("profiles:dashboard")
        try:
            services.freelancer_publish(profile=profile, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your profile is now public."))
            return redirect(profile.get_absolute_url())
    return render(
        request,
        "profiles/publish.html",
        {"profile": profile, "public": True, "preview": True},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_close(request):
    form = CloseAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.account_close(user=request.user, actor=request.user)
        logout(request)
        messages.success(request, _("Your account is closed."))
        return redirect("home")
    return render(request, "profiles/account_close.html", {"form": form})


@never_cache
@login_required
@require_safe
def api_tokens(request):
    """The member's API tokens: when each was created, last used, expires."""
    tokens = selectors.api_tokens_for_user(user=request.user)
    return render(request, "profiles/api_tokens.html", {"tokens": tokens})


@never_cache
@login_required
@require_http_methods(["POST"])
def api_token_revoke(request, pk: int):
    token = selectors.api_token_get_for_user(user=request.user, pk=pk)
    services.api_token_revoke(token=token, actor=request.user, reason="member")
    messages.success(request, _("The API token is revoked."))
    return redirect("profiles:api_tokens")


@never_cache
@require_http_methods(["GET", "POST"])
def account_keep(request, token: str):
    """The inactivity warning's one-click link (POST, so link scanners can't)."""
    error = None
    if request.method == "POST":
        try:
            services.account_keep(token=token)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Thank you: your account is kept."))
            return redirect("home")
    status = 400 if error else 200
    return render(
        request, "profiles/account_keep.html", {"error": error}, status=status
    )


# --- Companies ----------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def company_create(request):
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            company = services.company_create(
                actor=request.user, data=form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Your company page was created."))
            return redirect(company.get_absolute_url())
    return render(request, "profiles/company_form.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def company_edit(request, slug: str):
    company = selectors.company_get_for_owner(slug=slug, user=request.user)
    form = CompanyForm(request.POST or None, instance=company)
    logo_form = LogoForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if "logo" in request.FILES:
            if logo_form.is_valid():
                try:
                    services.company_logo_set(
                        company=company,
                        actor=request.user,
                        upload=logo_form.cleaned_data["logo"],
                    )
                except ValidationError as exc:
                    _add_errors(logo_form, exc, "logo")
                else:
                    messages.success(request, _("The logo was saved."))
                    return redirect(company.get_absolute_url())
        elif form.is_valid():
            try:
                services.company_update(
                    company=company, actor=request.user, data=form.cleaned_data
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The company page was saved."))
                return redirect(company.get_absolute_url())
    return render(
        request,
        "profiles/company_form.html",
        {"form": form, "logo_form": logo_form, "company": company},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def company_invite(request, slug: str):
    company = selectors.company_get_for_owner(slug=slug, user=request.user)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation, token = services.company_invite(
            company=company,
            actor=request.user,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
        )
        link = request.build_absolute_uri(
            reverse("profiles:company_invitation", kwargs={"token": token})
        )
        send_mail(
            # One line whatever the stored name holds: a line break in a
            # subject raises BadHeaderError after the invitation was saved.
            _("You are invited to join %(company)s on Worksome")
            % {"company": " ".join(company.name.split())},
            _(
                "%(inviter)s invited you to join %(company)s on Worksome.\n\n"
                "Accept within 14 days: %(link)s\n\n"
                "If you don't know them, ignore this e-mail; nothing happens."
            )
            % {"inviter": request.user.email, "company": company.name, "link": link},
            None,
            [invitation.email],
        )
        messages.success(request, _("The invitation was sent."))
        return redirect(company.get_absolute_url())
    return render(
        request, "profiles/company_invite.html", {"form": form, "company": company}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def company_invitation(request, token: str):
    invitation = services.company_invitation_get(token=token)
    if invitation is None:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            services.company_invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request, _("You joined %(company)s.") % {"company": invitation.company}
            )
            return redirect(invitation.company.get_absolute_url())
    return render(
        request,
        "profiles/company_invitation.html",
        {"invitation": invitation, "error": error},
    )


def set_language(request):
    """Django's language switcher; a logged-in member's choice is also kept
    for the e-mails they receive."""
    response = i18n_views.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        services.user_language_set(
            user=request.user, language=request.POST.get("language", "")
        )
    return response
