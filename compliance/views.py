from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import (
    require_POST,
    require_safe,
)

from compliance import selectors, services


@require_safe
def policy(request):
    """The policy in force: its editorial text plus sections generated from the
    records the code uses (``compliance.selectors.policy``)."""
    return render(
        request, "compliance/policy.html", {"body": selectors.policy_body_html()}
    )


@require_safe
def policy_version_detail(request, version: str):
    """One published version in full, as it read when it was published."""
    try:
        found = selectors.policy_version_get_published(version=version)
    except ValidationError:
        raise Http404 from None
    return render(
        request,
        "compliance/policy_version_detail.html",
        {"version": found, "body": mark_safe(found.rendered)},  # noqa: S308 - stored render
    )


@require_safe
def policy_versions(request):
    """Every published version; ``?from=<v>&to=<v>`` adds the diff of two."""
    versions = list(selectors.policy_versions_published())
    context = {"versions": versions, "diff": None, "error": ""}
    old_name, new_name = request.GET.get("from"), request.GET.get("to")
    status = 200
    if old_name is not None or new_name is not None:
        try:
            old = selectors.policy_version_get_published(version=old_name or "")
            new = selectors.policy_version_get_published(version=new_name or "")
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
            status = 400
        else:
            context.update(
                old=old,
                new=new,
                diff=selectors.policy_version_diff(old=old, new=new),
            )
    return render(request, "compliance/policy_versions.html", context, status=status)


@require_POST
@login_required
def policy_acknowledge(request):
    """The member dismisses the notice of a significant policy change."""
    try:
        services.policy_acknowledge(
            user=request.user, version_id=request.POST.get("version")
        )
    except ValidationError as exc:
        return render(
            request,
            "compliance/policy_acknowledge_invalid.html",
            {"error": " ".join(exc.messages)},
            status=400,
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return redirect(target)
