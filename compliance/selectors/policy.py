"""The privacy policy as the site shows it, generated from the records.

Every section of ``/privacy/`` except the editorial text of a ``PolicyVersion``
is read from the records the code itself uses: the controller from settings,
the data and retention periods from the registry and the ``RetentionPolicy``
rows the purge applies (``privacy.selectors``), purposes from
``ProcessingActivity``, sharing and transfers from ``Processor``, cookies from
consent's cookie catalogue. So the policy cannot promise one thing while the
code does another; ``policy_drift`` says when the published text has fallen
behind them.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from compliance.models import PolicyVersion
from compliance.selectors.registers import activities_list, processors_list
from compliance.selectors.versions import (
    policy_html_text,
    policy_version_current,
    policy_version_current_label,
    policy_versions_published,
    text_diff_words,
)
from consent.selectors import cookie_catalogue
from core.generations import generation
from engagements.models import BOOKKEEPING_YEARS
from privacy.facts import SUPERVISORY_AUTHORITY, controller
from privacy.selectors import duration_text, registry_overview, retention_periods

#: tracker id setting -> the key of the Processor that receives its data.
TRACKER_PROCESSORS = {
    "GA_MEASUREMENT_ID": "google",
    "META_PIXEL_ID": "meta",
    "TWITTER_PIXEL_ID": "x",
}

#: the languages a published version's text is stored in.
POLICY_LANGUAGES = ("en", "da")

POLICY_PAGE_GENERATION_KEY = "compliance:policy_page:generation"
# Writes that bypass model signals (QuerySet.update) show after at most this.
POLICY_PAGE_TTL = 600


def cookie_groups() -> list:
    """consent's cookie groups with their cookies and vendor details."""
    return cookie_catalogue()


def policy_context(*, version: PolicyVersion | None = None) -> dict:
    """Everything ``compliance/policy.html`` renders (for ``version``, or the one
    in force)."""
    periods = retention_periods()
    processors = processors_list()
    activities = activities_list(periods)
    return {
        "bookkeeping_years": duration_text(BOOKKEEPING_YEARS * 365),
        "profiling": [e["activity"] for e in activities if e["activity"].profiling],
        "sources": [e["activity"] for e in activities if e["activity"].source],
        "joint_controllers": [p for p in processors if p.joint_controller],
        "version": version if version is not None else policy_version_current(),
        "controller": controller(),
        "authority": SUPERVISORY_AUTHORITY,
        "registry": registry_overview(periods=periods),
        "activities": activities,
        "processors": processors,
        "transfers": [p for p in processors if p.is_transfer],
        "cookie_groups": cookie_groups(),
        "retention": sorted(periods.values(), key=lambda p: (p.model, p.key)),
    }


def policy_body_html() -> str:
    """The policy's generated body, rendered once per change of its records.

    Keyed by the language, the version in force (its effective date arriving
    changes the key), the controller settings and a generation counter that
    saves and deletes of versions, retention policies, processors, activities
    and cookies move on (connected in ``ComplianceConfig.ready``). The body
    holds no personal data and nothing about the visitor (it is rendered
    without the request).
    """
    identity = repr(
        (
            get_language(),
            policy_version_current_label(),
            sorted(controller().items()),
            generation(POLICY_PAGE_GENERATION_KEY),
        )
    ).encode()
    key = f"compliance:policy_page:{hashlib.sha256(identity).hexdigest()}"
    html = cache.get(key)
    if html is None:
        html = render_to_string("compliance/_policy_body.html", policy_context())
        cache.set(key, html, POLICY_PAGE_TTL)
    return mark_safe(html)  # noqa: S308 - rendered by the template engine above


def policy_version_render(*, version: PolicyVersion, language: str) -> str:
    """The whole policy as it reads with ``version``'s text and today's records,
    in ``language`` (what publishing stores)."""
    with translation.override(language):
        return render_to_string(
            "compliance/_policy_body.html", policy_context(version=version)
        ).strip()


def policy_drift(*, language: str = "en") -> dict | None:
    """Whether the policy as generated now differs from the latest published
    version's stored text: a processor, cookie, purpose or retention period
    changed since. None when they agree (or nothing is published)."""
    latest = policy_versions_published().first()
    if latest is None:
        return None
    with translation.override(language):
        stored = latest.rendered
    if not stored:
        return {"version": latest, "diff": [], "missing": True}
    now = policy_version_render(version=latest, language=language)
    if now == stored:
        return None
    return {
        "version": latest,
        "diff": text_diff_words(policy_html_text(stored), policy_html_text(now)),
        "missing": False,
    }
