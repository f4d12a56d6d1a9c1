"""How long each cookie lives, in words, from the settings that set it.

Worksome's own cookies are given a lifetime by Django, allauth and
django-cookie-consent settings; the cookie list reads those settings each time
it is shown, so changing ``SESSION_IDLE_TIMEOUT`` or ``CONSENT_MAX_AGE_DAYS``
changes what ``/cookies/`` says. Plural forms go through ``ngettext``
("1 dag", "2 dage").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cookie_consent.conf import settings as cookie_consent_settings
from django.conf import settings
from django.utils.translation import gettext, ngettext


@dataclass(frozen=True)
class Lifetime:
    """How long a cookie lives: a fixed period, or read from a setting.

    ``setting`` names a key of ``SETTING_LIFETIMES``; otherwise ``count``
    ``unit`` (``seconds`` … ``years``) is the vendor's documented lifetime.
    """

    count: int = 0
    unit: str = ""
    setting: str = ""


def _unit_text(count: int, unit: str) -> str:
    forms = {
        "seconds": lambda n: ngettext("%(count)d second", "%(count)d seconds", n),
        "minutes": lambda n: ngettext("%(count)d minute", "%(count)d minutes", n),
        "hours": lambda n: ngettext("%(count)d hour", "%(count)d hours", n),
        "days": lambda n: ngettext("%(count)d day", "%(count)d days", n),
        "weeks": lambda n: ngettext("%(count)d week", "%(count)d weeks", n),
        "months": lambda n: ngettext("%(count)d month", "%(count)d months", n),
        "years": lambda n: ngettext("%(count)d year", "%(count)d years", n),
    }
    return forms[unit](count) % {"count": count}


_EXACT_UNITS = (
    ("years", 365 * 24 * 60 * 60),
    ("weeks", 7 * 24 * 60 * 60),
    ("days", 24 * 60 * 60),
    ("hours", 60 * 60),
    ("minutes", 60),
    ("seconds", 1),
)


def seconds_text(seconds: int) -> str:
    """``seconds`` in the largest unit that divides it exactly ("52 weeks")."""
    seconds = int(seconds)
    for unit, size in _EXACT_UNITS:
        if seconds >= size and seconds % size == 0:
            return _unit_text(seconds // size, unit)
    return _unit_text(seconds, "seconds")


def browser_session_text() -> str:
    return gettext("Until you close the browser")


def _session() -> str:
    if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE:
        return browser_session_text()
    age = seconds_text(settings.SESSION_COOKIE_AGE)
    sliding = settings.SESSION_SAVE_EVERY_REQUEST
    remember = getattr(settings, "ACCOUNT_SESSION_REMEMBER", None)
    if remember is False:
        return browser_session_text()
    if remember is True:
        if sliding:
            return gettext("%(age)s after your last visit") % {"age": age}
        return gettext("%(age)s after you log in") % {"age": age}
    if sliding:
        return gettext(
            '%(age)s after your last visit if you tick "Remember me" when you '
            "log in; otherwise until you close the browser"
        ) % {"age": age}
    return gettext(
        '%(age)s after you log in if you tick "Remember me"; otherwise until '
        "you close the browser"
    ) % {"age": age}


def _csrf() -> str:
    if settings.CSRF_USE_SESSIONS:
        return _session()
    if settings.CSRF_COOKIE_AGE is None:
        return browser_session_text()
    return seconds_text(settings.CSRF_COOKIE_AGE)


def _language() -> str:
    age = settings.LANGUAGE_COOKIE_AGE
    return browser_session_text() if age is None else seconds_text(age)


def _consent_cookie() -> str:
    return seconds_text(cookie_consent_settings.COOKIE_CONSENT_MAX_AGE)


def _consent_visitor() -> str:
    days = getattr(settings, "CONSENT_MAX_AGE_DAYS", 365)
    return seconds_text(days * 24 * 60 * 60)


SETTING_LIFETIMES: dict[str, Callable[[], str]] = {
    "session": _session,
    "csrf": _csrf,
    "language": _language,
    "browser_session": browser_session_text,
    "consent_cookie": _consent_cookie,
    "consent_visitor": _consent_visitor,
}


def lifetime_text(lifetime: Lifetime) -> str:
    """The lifetime in words, in the active language."""
    if lifetime.setting:
        return SETTING_LIFETIMES[lifetime.setting]()
    return _unit_text(lifetime.count, lifetime.unit)
