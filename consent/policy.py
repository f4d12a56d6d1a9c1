"""The privacy policy version the cookie banner cites.

Consent sits below the policy (``compliance``) and never imports it: the
policy registers where the version comes from (``policy_version_source``, in
``ComplianceConfig.ready``), the hook pattern of the project (see
docs/architecture.md, "Extension points").
"""

from collections.abc import Callable

from django.conf import settings

_sources: list[Callable[[], str | None]] = []


def policy_version_source(func: Callable[[], str | None]) -> Callable:
    """Register ``func() -> label or None``: the version of the policy in force."""
    if func not in _sources:
        _sources.append(func)
    return func


def current_policy_version() -> str:
    """The version of the policy in force, or ``settings.PRIVACY_POLICY_VERSION``
    while no version is published (or no source is registered)."""
    for source in _sources:
        current = source()
        if current is not None:
            return current
    return str(getattr(settings, "PRIVACY_POLICY_VERSION", "1"))
