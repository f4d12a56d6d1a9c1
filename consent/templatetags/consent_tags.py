"""Template tags for the layout: the banner, the head snippet and the trackers.

Trackers are rendered only for groups the request has accepted (server-side);
for the others, when an id is configured, the same markup sits in an inert
``<template data-consent-group>`` that ``consent.js`` activates right after an
accept, without a reload. With no tracker id configured nothing is rendered.
"""

import json

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from consent import catalogue, selectors, web
from consent.texts import cookie_notice_html, group_shown

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
        signals = catalogue.consent_mode_signals_for("analytics")
        granted = dict.fromkeys(signals, "granted")
        trackers["analytics"].append(
            {
                "src": GA_SCRIPT,
                "data": {
                    "measurement-id": settings.GA_MEASUREMENT_ID,
                    "consent-update": json.dumps(granted),
                },
            }
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
    """Stylesheet, script, and Consent Mode v2 defaults before any Google tag.

    Every signal of ``catalogue.CONSENT_MODE_SIGNALS`` defaults to denied; the
    update grants only the signals of groups the request has accepted.
    """
    choices = _choices(context)
    state = catalogue.consent_mode_state(choices)
    return {
        "ga_id": settings.GA_MEASUREMENT_ID,
        "consent_defaults": json.dumps(dict.fromkeys(state, "denied")),
        "consent_update": json.dumps(
            {signal: value for signal, value in state.items() if value == "granted"}
        ),
    }


def _banner_renders(context) -> bool:
    """The banner is on every page of a site with optional groups, but not
    on ``/cookies/`` (that page is the choice itself)."""
    request = _request(context)
    if request is None or not _choices(context):
        return False
    match = getattr(request, "resolver_match", None)
    return match is None or match.url_name != "cookie_consent_cookie_group_list"


@register.inclusion_tag("consent/banner.html", takes_context=True)
def consent_banner(context):
    """The banner: one labelled region with the notice, then its buttons.

    Open on a page while a choice is missing; on every other page of a
    browser that can choose it is rendered hidden, and the "Cookie settings"
    control (``consent_settings_control``) opens it in place.
    """
    if not _banner_renders(context):
        return {"render": False}
    choices = _choices(context)
    request = _request(context)
    groups = [
        {**group, **group_shown(group), "checked": choices.get(varname) is True}
        for varname, group in selectors.cookie_lists().items()
    ]
    return {
        "render": True,
        "show": _show_banner(context, choices),
        "notice": mark_safe(cookie_notice_html()),  # noqa: S308 - our own template
        "groups": groups,
        "next": request.get_full_path(),
    }


@register.inclusion_tag("consent/banner_actions.html", takes_context=True)
def consent_banner_actions(context):
    """Kept for templates that still call it: the buttons now sit inside the
    banner's region (``consent_banner``)."""
    return {"show": False}


@register.inclusion_tag("consent/settings_control.html", takes_context=True)
def consent_settings_control(context):
    """The persistent "Cookie settings" control: opens the banner's choice
    layer in place (``consent.js``); without JavaScript it is a link to
    ``/cookies/``."""
    return {"controls": _banner_renders(context)}


@register.inclusion_tag("consent/scripts.html", takes_context=True)
def consent_scripts(context):
    """The trackers of accepted groups, and inert templates for the others."""
    choices = dict(_choices(context))
    trackers = _trackers()
    return {
        "config": {
            "choices": choices,
            "gaMeasurementId": settings.GA_MEASUREMENT_ID,
            # Signal -> group (null: never granted): the one mapping.
            "consentMode": catalogue.CONSENT_MODE_SIGNALS,
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
