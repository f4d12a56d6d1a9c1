"""Template tags for the layout: the banner, the head snippet and the trackers.

Trackers are rendered only for groups the request has accepted (server-side);
for the others, when an id is configured, the same markup sits in an inert
``<template data-consent-group>`` that ``consent.js`` activates right after an
accept, without a reload. With no tracker id configured nothing is rendered.
"""

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .. import selectors, web
from ..texts import cookie_notice_html

register = template.Library()

GA_SCRIPT = "consent/vendors/google-analytics.js"
META_SCRIPT = "consent/vendors/meta-pixel.js"
TWITTER_SCRIPT = "consent/vendors/x-pixel.js"


def _request(context):
    return context.get("request")


def _choices(context) -> dict:
    request = _request(context)
    if request is None:
        return {}
    return web.request_choices(request)


def _trackers() -> dict[str, list[dict]]:
    """Group varname -> the scripts it enables (only those with an id set)."""
    trackers: dict[str, list[dict]] = {"analytics": [], "marketing": []}
    if settings.GA_MEASUREMENT_ID:
        trackers["analytics"].append(
            {"src": GA_SCRIPT, "data": {"measurement-id": settings.GA_MEASUREMENT_ID}}
        )
    if settings.META_PIXEL_ID:
        trackers["marketing"].append(
            {"src": META_SCRIPT, "data": {"pixel-id": settings.META_PIXEL_ID}}
        )
    if settings.TWITTER_PIXEL_ID:
        trackers["marketing"].append(
            {"src": TWITTER_SCRIPT, "data": {"pixel-id": settings.TWITTER_PIXEL_ID}}
        )
    return {varname: scripts for varname, scripts in trackers.items() if scripts}


def _state(choice) -> str:
    return "granted" if choice is True else "denied"


def _show_banner(context, choices) -> bool:
    request = _request(context)
    if request is None or not choices:
        return False
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name == "cookie_consent_cookie_group_list":
        return False  # the page is the choice itself
    return any(choice is None for choice in choices.values())


@register.inclusion_tag("consent/head.html", takes_context=True)
def consent_head(context):
    """Stylesheet, script, and Consent Mode v2 defaults before any Google tag."""
    choices = _choices(context)
    return {
        "ga_id": settings.GA_MEASUREMENT_ID,
        "analytics_state": _state(choices.get("analytics")),
        "marketing_state": _state(choices.get("marketing")),
    }


@register.inclusion_tag("consent/banner.html", takes_context=True)
def consent_banner(context):
    """The banner's heading and text (before the skip link: focus goes here)."""
    choices = _choices(context)
    show = _show_banner(context, choices)
    return {"show": show, "notice": mark_safe(cookie_notice_html()) if show else ""}  # noqa: S308 - our own template


@register.inclusion_tag("consent/banner_actions.html", takes_context=True)
def consent_banner_actions(context):
    """The banner's buttons: Accept all, Reject all, Choose (with toggles)."""
    choices = _choices(context)
    show = _show_banner(context, choices)
    request = _request(context)
    return {
        "show": show,
        "groups": list(selectors.cookie_lists().values()) if show else [],
        "next": request.get_full_path() if request is not None else "/",
    }


@register.inclusion_tag("consent/scripts.html", takes_context=True)
def consent_scripts(context):
    """The trackers of accepted groups, and inert templates for the others."""
    choices = dict(_choices(context))
    trackers = _trackers()
    return {
        "config": {
            "choices": choices,
            "gaMeasurementId": settings.GA_MEASUREMENT_ID,
            "messages": {
                "saved": _("Your cookie choices are saved."),
                "accepted": _("Your choice: accepted"),
                "rejected": _("Your choice: rejected"),
            },
        },
        "snippets": [
            {
                "varname": varname,
                "accepted": choices.get(varname) is True,
                "scripts": scripts,
            }
            for varname, scripts in trackers.items()
            if varname in choices
        ],
    }


@register.filter
def consent_accepted(request, varname: str) -> bool:
    """``{{ request|consent_accepted:"analytics" }}``, after the re-ask rules."""
    return web.request_choices(request).get(varname) is True
