"""Freelancer pages: the directory and profile pages, and the owner's own
profile (edit, CPR number, photo, CV, publishing)."""

import hashlib
from functools import partial
from urllib.parse import urlsplit

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from core.forms import form_errors_add
from profiles import selectors, services
from profiles.directory import (
    DETAIL_BODY_TEMPLATE,
    directory_cards_html,
    directory_facets,
    directory_paginator,
    public_profile_page,
)
from profiles.forms import (
    PHOTO_CONSENT_TEXT,
    CvForm,
    DirectoryFilterForm,
    FreelancerProfileForm,
    PhotoForm,
)

# Photos and logos: storage names start with this (profiles/storage.py).
PHOTO_DIR = "photos/"
SUGGEST_TTL = 300  # seconds


def _back_to_results(request) -> str:
    """The directory search the visitor came from (its filters kept), read
    from the Referer only when it is this site's directory; else the directory."""
    base = reverse("profiles:freelancer_list")
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.get_host() and referer.path == base:
        return f"{base}?{referer.query}" if referer.query else base
    return base


# --- Directory and public pages ---------------------------------------------


def home(request):
    latest = selectors.freelancer_list_public()[:6]
    return render(request, "home.html", {"latest": latest})


def freelancer_list(request):
    form = DirectoryFilterForm(request.GET)
    search = form.search()
    paginator = directory_paginator(selectors.freelancer_list_public(**search), search)
    page = paginator.get_page(request.GET.get("page"))
    facets = (
        directory_facets(paginator.results(), count_key=paginator.count_key)
        if search.get("q")
        else None
    )
    return render(
        request,
        "profiles/freelancer_list.html",
        {
            "page": page,
            "form": form,
            "params": search,
            "cards": directory_cards_html(page),
            "facets": facets,
        },
    )


@require_safe
def skill_suggest(request):
    """Competence names for the directory's autocomplete: public data only,
    cached per prefix (so repeated keystrokes cost no query)."""
    prefix = request.GET.get("q", "").replace("\x00", "")[:60].strip().casefold()
    key = "profiles:skills:suggest:" + hashlib.sha256(prefix.encode()).hexdigest()
    names = cache.get(key)
    if names is None:
        names = selectors.skill_names_suggest(prefix=prefix)
        cache.set(key, names, SUGGEST_TTL)
    response = JsonResponse({"skills": names})
    response["Cache-Control"] = f"public, max-age={SUGGEST_TTL}"
    return response


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
        can_download, _company = selectors.cv_download_access_for_user(
            profile=profile, user=request.user
        )
        title = profile.full_name
        body = render_to_string(
            DETAIL_BODY_TEMPLATE,
            {
                "profile": profile,
                "public": profile.public,
                "can_download_cv": can_download,
                "inquiry": _inquiry_offer(profile=profile, user=request.user),
                "shortlist": _shortlist_offer(profile=profile, user=request.user),
            },
            request=request,
        )
    return render(
        request,
        "profiles/freelancer_detail.html",
        {"title": title, "body": body, "back_url": _back_to_results(request)},
    )


def _inquiry_offer(*, profile, user) -> str | None:
    """What the page offers a logged-in visitor for contacting the freelancer:
    "send" (a member of a verified company), "unavailable" (explained), or
    None (the owner, or a profile that is not public)."""
    if profile.user_id == user.pk or not profile.public:
        return None
    if selectors.company_list_verified_for_user(user=user).exists():
        return "send"
    return "unavailable"


def _shortlist_offer(*, profile, user) -> str | None:
    """What the page offers a member of a company for its shortlist: "add",
    "remove" (already on it), or None (not a company member, the owner, or a
    profile that is not public)."""
    if profile.user_id == user.pk or not profile.public:
        return None
    company = selectors.shortlist_company_for_user(user=user)
    if company is None:
        return None
    if selectors.shortlist_contains(company=company, profile=profile):
        return "remove"
    return "add"


@never_cache
@login_required
def freelancer_cv_download(request, slug: str):
    profile = selectors.freelancer_get_for_user(slug=slug, user=request.user)
    allowed, company = selectors.cv_download_access_for_user(
        profile=profile, user=request.user
    )
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
    if not selectors.photo_file_is_visible(name=name, user=request.user):
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, SuspiciousFileOperation) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=60"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- The owner's own profile --------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    profile = services.freelancer_profile_ensure(user=request.user)
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
            form_errors_add(form, exc)
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
    profile = services.freelancer_profile_ensure(user=request.user)
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
                form_errors_add(form, exc, field=field)
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
    profile = services.freelancer_profile_ensure(user=request.user)
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
