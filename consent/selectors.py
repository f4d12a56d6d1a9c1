"""Reads: current consent state, cookie-list versions, the cookie catalogue.

The current state of a subject and purpose is the one record with
``superseded_at IS NULL``; the partial unique constraints on ``ConsentRecord``
are the index these queries use, so no query scans the log.

A cookie consent stops counting (and the banner asks again) when:
- it is older than ``CONSENT_MAX_AGE_DAYS`` (choices either way);
- it was a grant and the group's cookie list changed since (a cookie added or
  removed, a purpose, vendor, duration or transfer text changed);
- it was a grant and the privacy policy version the banner cites changed.
A refusal stays a refusal when the list or policy changes: asking again only
to get a yes would be pestering.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from cookie_consent.conf import settings as cookie_consent_settings
from cookie_consent.models import Cookie, CookieGroup
from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core.cache import caches
from django.db.models import Prefetch, Q
from django.utils import timezone

from consent import catalogue, texts
from consent.models import ConsentRecord, MarketingSuppression, Purpose
from consent.policy import current_policy_version
from core.crypto import keyed_hash

COOKIE_LISTS_CACHE_KEY = "consent:cookie_lists:v2"
COOKIE_LISTS_CACHE_TIMEOUT = 60 * 10

Choice = bool | None


def _user_or_none(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def _subject_q(*, user=None, visitor_id=None) -> Q | None:
    user = _user_or_none(user)
    if user is not None:
        return Q(user=user)
    if visitor_id:
        return Q(user__isnull=True, visitor_id=visitor_id)
    return None


def _cache():
    # django-cookie-consent's cache: shared (Redis) in production.
    return caches[cookie_consent_settings.COOKIE_CONSENT_CACHE_BACKEND]


def max_age() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "CONSENT_MAX_AGE_DAYS", 365))


# --- The cookie catalogue --------------------------------------------------


def _cookie_entry(cookie: Cookie) -> dict[str, str]:
    details = getattr(cookie, "details", None)
    return {
        "name": cookie.name,
        "domain": cookie.domain,
        "path": cookie.path,
        "description": cookie.description,
        "vendor": details.vendor if details else "",
        "purpose": details.purpose if details else "",
        "duration": details.duration if details else "",
        "vendor_country": details.vendor_country if details else "",
        "transfer_basis": details.transfer_basis if details else "",
    }


def _cookie_lists_from_db() -> dict[str, dict[str, Any]]:
    # One query: a group without cookies has nothing to consent to.
    cookies = (
        Cookie.objects.filter(cookiegroup__is_required=False)
        .select_related("cookiegroup", "details")
        .order_by("cookiegroup__ordering", "cookiegroup__varname", "name", "domain")
    )
    lists: dict[str, dict[str, Any]] = {}
    newest: dict[str, dt.datetime] = {}
    for cookie in cookies:
        group = cookie.cookiegroup
        entry = lists.setdefault(
            group.varname,
            {
                "varname": group.varname,
                "name": group.name,
                "description": group.description,
                "cookies": [],
                # Browser-storage keys are part of what is consented to.
                "storage": catalogue.STORAGE_KEYS.get(group.varname, []),
            },
        )
        entry["cookies"].append(_cookie_entry(cookie))
        if group.varname not in newest or cookie.created > newest[group.varname]:
            newest[group.varname] = cookie.created
        entry["is_deletable"] = group.is_deletable
    for varname, entry in lists.items():
        is_deletable = entry.pop("is_deletable")
        canonical = json.dumps(entry, sort_keys=True, ensure_ascii=False)
        entry["version"] = hashlib.sha256(canonical.encode()).hexdigest()
        entry["is_deletable"] = is_deletable
        # django-cookie-consent's own version of the group (its cookie value).
        entry["library_version"] = newest[varname].isoformat()
    return lists


def cookie_lists() -> dict[str, dict[str, Any]]:
    """Optional cookie groups by varname: name, description, cookies, version.

    ``version`` is a SHA-256 of everything shown about the group, so adding or
    removing a cookie or editing any of its texts gives a new version
    (django-cookie-consent's own version only changes when a cookie is added).
    Cached
    in django-cookie-consent's cache; saving a cookie, group or details clears
    it (``consent.receivers``).
    """
    cache = _cache()
    lists = cache.get(COOKIE_LISTS_CACHE_KEY)
    if lists is None:
        lists = _cookie_lists_from_db()
        cache.set(COOKIE_LISTS_CACHE_KEY, lists, COOKIE_LISTS_CACHE_TIMEOUT)
    return lists


def cookie_lists_clear_cache() -> None:
    _cache().delete(COOKIE_LISTS_CACHE_KEY)


def cookie_catalogue() -> list[CookieGroup]:
    """Every cookie group (necessary first) with its cookies and their details.

    Each group and cookie carries ``shown``: its texts in the active language
    and the computed duration (``consent.texts``); each group also its
    browser-storage keys (``storage``) and the Google Consent Mode signals
    its consent grants (``consent_mode``). Templates show ``shown``, never the
    stored English.
    """
    cookies = Cookie.objects.select_related("details").order_by("name", "domain")
    groups = list(
        CookieGroup.objects.prefetch_related(
            Prefetch("cookie_set", queryset=cookies)
        ).order_by("-is_required", "ordering", "varname")
    )
    for group in groups:
        group.shown = texts.group_shown(group)
        group.storage = texts.storage_shown(group.varname)
        group.consent_mode = texts.consent_mode_shown(group.varname)
        for cookie in group.cookie_set.all():
            cookie.shown = texts.cookie_shown(cookie)
    return groups


# --- Current state ---------------------------------------------------------


def consent_current(*, user=None, visitor_id=None) -> dict[str, ConsentRecord]:
    """Purpose -> the subject's latest record (one indexed query).

    The user's records when ``user`` is a logged-in user, else the visitor's.
    """
    subject = _subject_q(user=user, visitor_id=visitor_id)
    if subject is None:
        return {}
    records = ConsentRecord.objects.filter(
        subject, superseded_at__isnull=True
    ).select_related("version")
    return {record.purpose: record for record in records}


def consent_current_many(*, user_ids) -> dict[int, dict[str, ConsentRecord]]:
    """``consent_current`` for many users in one query: user id -> purpose ->
    the latest record (users without records are absent)."""
    found: dict[int, dict[str, ConsentRecord]] = {}
    records = ConsentRecord.objects.filter(
        user_id__in=list(user_ids), superseded_at__isnull=True
    ).select_related("version")
    for record in records:
        found.setdefault(record.user_id, {})[record.purpose] = record
    return found


def consent_record_effective(
    record: ConsentRecord | None,
    *,
    lists: dict[str, dict[str, Any]] | None = None,
    now: dt.datetime | None = None,
) -> Choice:
    """True/False while a record still counts; None when it must be asked again."""
    if record is None:
        return None
    varname = Purpose.cookie_group_of(record.purpose)
    if varname is None:
        return record.granted
    now = now or timezone.now()
    if record.decided_at < now - max_age():
        return None
    if not record.granted:
        return False
    lists = cookie_lists() if lists is None else lists
    group = lists.get(varname)
    if group is None:
        return None
    if record.version.cookie_list_version != group["version"]:
        return None
    if record.version.policy_version != current_policy_version():
        return None
    return True


def consent_is_granted(*, purpose: str, user=None, visitor_id=None) -> bool:
    """Whether the subject's current choice for ``purpose`` is a valid grant."""
    subject = _subject_q(user=user, visitor_id=visitor_id)
    if subject is None:
        return False
    record = (
        ConsentRecord.objects.filter(
            subject, purpose=purpose, superseded_at__isnull=True
        )
        .select_related("version")
        .first()
    )
    return consent_record_effective(record) is True


def cookie_choices(
    *,
    user=None,
    visitor_id=None,
    records: dict[str, ConsentRecord] | None = None,
) -> dict[str, Choice]:
    """Optional group varname -> True (accepted), False (rejected), None (ask)."""
    lists = cookie_lists()
    if records is None:
        records = consent_current(user=user, visitor_id=visitor_id)
    now = timezone.now()
    return {
        varname: consent_record_effective(
            records.get(Purpose.for_cookie_group(varname)), lists=lists, now=now
        )
        for varname in lists
    }


def consent_records_for_subject(*, user=None, visitor_id=None):
    """The whole log of one subject, newest first (for the API and exports)."""
    subject = _subject_q(user=user, visitor_id=visitor_id)
    if subject is None:
        return ConsentRecord.objects.none()
    return ConsentRecord.objects.filter(subject).select_related("version")


# --- Marketing suppression (objections, Art. 21(3)) ----------------------------

#: the keyed hash's purpose; changing it orphans every stored suppression.
SUPPRESSION_PURPOSE = "privacy.marketing_suppression"


def marketing_suppression_hash(email: str) -> str:
    """The keyed hash an objecting address is kept under (never the address)."""
    # The normalisation the hashes were first written with (the user manager's).
    normalised = BaseUserManager.normalize_email((email or "").strip()).lower()
    return keyed_hash(normalised, purpose=SUPPRESSION_PURPOSE)


def marketing_suppressed_hashes(*, emails) -> set[str]:
    """The suppression hashes (``marketing_suppression_hash``) of those of
    ``emails`` that objected to marketing, in one query."""
    hashes = {marketing_suppression_hash(email) for email in emails}
    return set(
        MarketingSuppression.objects.filter(email_hash__in=hashes).values_list(
            "email_hash", flat=True
        )
    )


def marketing_is_suppressed(*, email: str) -> bool:
    """Whether the address objected to marketing (kept even after erasure)."""
    return MarketingSuppression.objects.filter(
        email_hash=marketing_suppression_hash(email)
    ).exists()
