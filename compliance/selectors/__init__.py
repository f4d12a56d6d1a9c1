"""Reads of compliance: the policy, its versions, the registers. The map.

- the policy page (``policy``): ``policy_context``, ``policy_body_html``,
  ``policy_version_render``, ``policy_drift``, ``cookie_groups``;
  ``TRACKER_PROCESSORS``, ``POLICY_LANGUAGES``, ``POLICY_PAGE_GENERATION_KEY``
- its versions (``versions``): ``policy_version_current``,
  ``policy_version_current_label``, ``policy_versions_published``,
  ``policy_version_get_published``, ``policy_notice_version``,
  ``policy_version_text``, ``policy_version_diff``, ``text_diff_words``,
  ``policy_html_text``
- the registers (``registers``): ``processors_list``, ``activities_list``,
  ``activity_gaps``, ``ropa_rows`` (the record of processing),
  ``breach_staff_recipients``

The registry's summary and its retention periods are privacy's
(``privacy.selectors.registry_overview``, ``retention_periods``); the writes
(publish, acknowledge, notices, breach reminders) are ``compliance.services``.
"""

from compliance.selectors.policy import (
    POLICY_LANGUAGES,
    POLICY_PAGE_GENERATION_KEY,
    TRACKER_PROCESSORS,
    cookie_groups,
    policy_body_html,
    policy_context,
    policy_drift,
    policy_version_render,
)
from compliance.selectors.registers import (
    activities_list,
    activity_gaps,
    breach_staff_recipients,
    processors_list,
    ropa_rows,
)
from compliance.selectors.versions import (
    policy_html_text,
    policy_notice_version,
    policy_version_current,
    policy_version_current_label,
    policy_version_diff,
    policy_version_get_published,
    policy_version_text,
    policy_versions_published,
    text_diff_words,
)

__all__ = [
    # the policy page
    "POLICY_LANGUAGES",
    "POLICY_PAGE_GENERATION_KEY",
    "TRACKER_PROCESSORS",
    "cookie_groups",
    "policy_body_html",
    "policy_context",
    "policy_drift",
    "policy_version_render",
    # its versions
    "policy_html_text",
    "policy_notice_version",
    "policy_version_current",
    "policy_version_current_label",
    "policy_version_diff",
    "policy_version_get_published",
    "policy_version_text",
    "policy_versions_published",
    "text_diff_words",
    # the registers
    "activities_list",
    "activity_gaps",
    "breach_staff_recipients",
    "processors_list",
    "ropa_rows",
]
