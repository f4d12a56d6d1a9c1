"""Request and response plumbing shared by the middleware, views and API.

- The visitor id: a random first-party cookie (HttpOnly, SameSite=Lax, Secure
  behind HTTPS), set only when a browser *grants* a cookie group: a grant must
  be provable (Art. 7(1)), a refusal need not be. A refusal is remembered by
  django-cookie-consent's cookie alone (``analytics=-1|marketing=-1``, the same
  for every browser that refused), and its record carries a one-off id that is
  never sent to the browser. The id never holds or derives from an IP address.
- django-cookie-consent's own cookie is kept in step with the records, and on
  each request it is replaced by what the records say (after the re-ask rules),
  so the library's template filters and status view give the same answer.
- First-party cookies of a group that is not accepted are expired (Max-Age=0),
  ``_ga_*``-style wildcards included; third-party cookies cannot be.
"""

from __future__ import annotations

import fnmatch
import re
import secrets
from collections.abc import Iterator

from cookie_consent.conf import settings as cookie_consent_settings
from cookie_consent.util import (
    dict_to_cookie_str,
    get_cookie_dict_from_request,
    set_cookie_dict_to_response,
)
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from consent import selectors

VISITOR_ID_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")


def visitor_cookie_name() -> str:
    return getattr(settings, "CONSENT_VISITOR_COOKIE_NAME", "consent_visitor")


def visitor_id_from_request(request: HttpRequest) -> str | None:
    value = request.COOKIES.get(visitor_cookie_name(), "")
    return value if VISITOR_ID_RE.match(value) else None


def visitor_id_new() -> str:
    return secrets.token_urlsafe(24)


def refusal_id_new() -> str:
    """The subject id of an anonymous refusal's records: never sent anywhere,
    and never a valid browser id (``VISITOR_ID_RE`` does not match it)."""
    return f"refusal-{secrets.token_urlsafe(24)}"


def visitor_for_choice(
    request: HttpRequest, *, user, granted_any: bool
) -> tuple[str | None, bool]:
    """(visitor id to record a logged-out choice under, whether it is new).

    A browser without an id gets one only with a grant (it must be provable);
    a refusal's records get a one-off id the browser never sees. A logged-in
    user's choice is also recorded for the browser's existing id, if any.
    """
    visitor_id = visitor_id_from_request(request)
    if visitor_id is not None or user is not None:
        return visitor_id, False
    if granted_any:
        return visitor_id_new(), True
    return refusal_id_new(), False


def visitor_cookie_set(response: HttpResponseBase, visitor_id: str) -> None:
    response.set_cookie(
        visitor_cookie_name(),
        visitor_id,
        max_age=selectors.max_age().days * 24 * 60 * 60,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def request_user(request: HttpRequest):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def request_choices(request: HttpRequest) -> dict[str, bool | None]:
    """The request's cookie choices by group varname, from the consent records."""
    choices = getattr(request, "consent_choices", None)
    if choices is not None:
        return choices
    user = request_user(request)
    visitor_id = visitor_id_from_request(request)
    if user is None and visitor_id is None:
        return refusals_from_request(request)
    return selectors.cookie_choices(user=user, visitor_id=visitor_id)


def refusals_from_request(request: HttpRequest) -> dict[str, bool | None]:
    """A browser without an id: the refusals its library cookie remembers.

    Only refusals: a grant without a record (no id) proves nothing, so such a
    group is asked again. The cookie's own Max-Age (``CONSENT_MAX_AGE_DAYS``)
    makes a refusal lapse like a recorded one.
    """
    remembered = get_cookie_dict_from_request(request)
    decline = cookie_consent_settings.COOKIE_CONSENT_DECLINE
    return {
        varname: (False if remembered.get(varname) == decline else None)
        for varname in selectors.cookie_lists()
    }


def _library_cookie_dict(choices: dict[str, bool | None]) -> dict[str, str]:
    groups = selectors.cookie_lists()
    values = {}
    for varname, choice in choices.items():
        group = groups.get(varname)
        if group is None or choice is None:
            continue
        values[varname] = (
            group["library_version"]
            if choice
            else cookie_consent_settings.COOKIE_CONSENT_DECLINE
        )
    return values


def request_choices_apply(
    request: HttpRequest, choices: dict[str, bool | None]
) -> None:
    """Make the request carry ``choices``: for our code and the library's."""
    request.consent_choices = choices
    values = _library_cookie_dict(choices)
    name = cookie_consent_settings.COOKIE_CONSENT_NAME
    if values:
        request.COOKIES[name] = dict_to_cookie_str(values)
    else:
        request.COOKIES.pop(name, None)


def library_cookie_set(
    response: HttpResponseBase, choices: dict[str, bool | None]
) -> None:
    set_cookie_dict_to_response(response, _library_cookie_dict(choices))


def _request_host(request: HttpRequest) -> str:
    return request.get_host().rsplit(":", 1)[0].lower()


def _first_party(domain: str, host: str) -> bool:
    domain = domain.lstrip(".").lower()
    return not domain or host == domain or host.endswith("." + domain)


def _matches(pattern: str, name: str) -> bool:
    if "*" in pattern:
        return fnmatch.fnmatchcase(name, pattern)
    return name == pattern


def cookie_patterns(choices: dict[str, bool | None]) -> list[str]:
    """Names (with ``*`` wildcards) of cookies not consented to.

    Cookies catalogued on a vendor's own domain are included too: a vendor's
    script may also write them on this site's domain.
    """
    patterns = []
    for varname, group in selectors.cookie_lists().items():
        if choices.get(varname) is True or not group["is_deletable"]:
            continue
        for cookie in group["cookies"]:
            if cookie["name"] not in patterns:
                patterns.append(cookie["name"])
    return patterns


def storage_patterns(choices: dict[str, bool | None]) -> dict[str, list[str]]:
    """localStorage/sessionStorage key patterns of groups not consented to."""
    patterns: dict[str, list[str]] = {"localStorage": [], "sessionStorage": []}
    for varname, group in selectors.cookie_lists().items():
        if choices.get(varname) is True or not group["is_deletable"]:
            continue
        for entry in group.get("storage", []):
            if entry["name"] not in patterns[entry["area"]]:
                patterns[entry["area"]].append(entry["name"])
    return patterns


def cookies_to_expire(
    request: HttpRequest, choices: dict[str, bool | None]
) -> Iterator[tuple[str, str, str]]:
    """(name, path, domain) of the request's cookies that have no consent."""
    host = _request_host(request)
    for varname, group in selectors.cookie_lists().items():
        if choices.get(varname) is True or not group["is_deletable"]:
            continue
        for cookie in group["cookies"]:
            if not _first_party(cookie["domain"], host):
                continue
            for name in request.COOKIES:
                if _matches(cookie["name"], name):
                    yield name, cookie["path"] or "/", cookie["domain"]


def unconsented_cookies_expire(
    request: HttpRequest, response: HttpResponseBase, choices: dict[str, bool | None]
) -> list[str]:
    expired = []
    for name, path, domain in cookies_to_expire(request, choices):
        if name in response.cookies:
            continue
        response.delete_cookie(name, path=path, domain=domain or None)
        expired.append(name)
    return expired
