"""The privacy policy version the cookie banner cites.

One function, so the privacy app can replace where the version comes from
(a policy-version model) without touching the consent code.
"""

from django.conf import settings


def current_policy_version() -> str:
    """The version of the policy in force (``privacy.PolicyVersion``), or
    ``settings.PRIVACY_POLICY_VERSION`` while no version is published."""
    from privacy.policy import policy_version_current_label

    current = policy_version_current_label()
    if current is not None:
        return current
    return str(getattr(settings, "PRIVACY_POLICY_VERSION", "1"))
