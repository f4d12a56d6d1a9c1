"""Every promise the rendered privacy policy makes is proven by tests.

Each promise carries a stable ``data-promise`` id; ``PROMISES`` maps each id to
the tests that prove it. A promise without tests, a test that does not exist,
or an id here that the policy no longer makes fails this module.
"""

import ast
import re
from functools import cache
from pathlib import Path

import pytest
from django.core.cache import caches

from compliance.seed import compliance_seed

ROOT = Path(__file__).resolve().parents[2]

PROMISES: dict[str, list[str]] = {
    "controller-named": [
        "tests/compliance/test_policy.py::test_controller_comes_from_settings_read_at_call_time",
        "tests/compliance/test_policy.py::test_controller_section_renders_without_the_setting",
    ],
    "data-from-registry": [
        "tests/compliance/test_policy.py::test_data_section_comes_from_the_registry",
        "tests/test_pages.py::test_privacy_policy_lists_registered_data_with_retention",
        "tests/privacy/test_checks.py::test_unregistered_model_linked_to_the_user_is_an_error",
    ],
    "cpr-never-public": [
        "tests/profiles/test_profile_views.py::test_public_profile_never_shows_cpr_phone_or_street",
        "tests/profiles/test_profile_services.py::test_cpr_is_encrypted_at_rest_and_readable_through_the_orm",
        "tests/profiles/test_profile_services.py::test_no_cpr_digits_anywhere_in_the_profile_row",
    ],
    "purposes-and-legal-bases": [
        "tests/compliance/test_policy.py::test_purposes_show_legal_basis_and_recipients",
        "tests/compliance/test_policy.py::test_ropa_exports_as_csv_with_the_purge_period",
    ],
    "dpo-statement": [
        "tests/compliance/test_policy_art13.py::test_the_dpo_statement_says_none_is_appointed_and_why",
    ],
    "requirement-and-consequence": [
        "tests/compliance/test_policy_art13.py::test_each_purpose_says_whether_the_data_is_required_and_what_if_not",
        "tests/compliance/test_policy_art13.py::test_a_required_purpose_needs_the_consequence_of_not_giving_it",
    ],
    "sources-art-14": [
        "tests/compliance/test_policy_art13.py::test_data_not_collected_from_the_person_names_its_source",
    ],
    "profiling-stated": [
        "tests/compliance/test_policy_art13.py::test_the_pixels_audience_building_is_plainly_called_profiling",
    ],
    "joint-controllers": [
        "tests/compliance/test_policy_art13.py::test_joint_controllership_with_meta_gives_the_essence_of_the_arrangement",
        "tests/compliance/test_policy_art13.py::test_a_joint_controller_needs_its_arrangement",
    ],
    "processors-named": [
        "tests/compliance/test_policy.py::test_an_added_processor_appears_in_the_sharing_section",
        "tests/compliance/test_policy.py::test_a_cookie_vendor_without_a_processor_is_an_error",
        "tests/compliance/test_policy.py::test_a_tracker_id_without_its_processor_is_an_error",
    ],
    "transfers-have-basis": [
        "tests/compliance/test_policy.py::test_transfers_name_their_basis_and_the_scc_assessment_date",
        "tests/compliance/test_policy.py::test_standard_contractual_clauses_need_an_assessment_date",
    ],
    "cookies-listed": [
        "tests/compliance/test_policy.py::test_an_added_cookie_is_listed_in_the_cookie_section",
        "tests/consent/test_views.py::test_the_cookie_page_lists_every_cookie_with_vendor_and_transfer",
    ],
    "no-cookies-before-consent": [
        "tests/consent/test_views.py::test_no_tracker_markup_at_all_without_ids",
        "tests/consent/test_views.py::test_trackers_wait_in_inert_templates_until_accepted",
        "tests/consent/test_views.py::test_a_tracker_cookie_without_consent_is_expired_on_any_page",
        "tests/e2e/test_consent_banner.py::test_a_fresh_visit_makes_no_tracker_request_and_sets_no_tracker_cookie",
    ],
    "cookie-choice-withdrawable": [
        "tests/consent/test_views.py::test_withdrawing_expires_the_groups_first_party_cookies",
        "tests/e2e/test_consent_banner.py::test_choosing_from_the_footer_link_expires_the_tracker_cookies",
    ],
    "retention-12-months": [
        "tests/privacy/test_retention.py::test_boundary_one_minute_either_side_of_365_days",
        "tests/privacy/test_registry.py::test_retention_rules_default_to_365_days",
        "tests/privacy/test_retention.py::test_closed_accounts_are_anonymised_with_their_email",
    ],
    "retention-periods-as-purged": [
        "tests/compliance/test_policy.py::test_a_changed_retention_period_is_shown_in_the_policy",
        "tests/privacy/test_retention.py::test_admins_tune_the_period_and_can_switch_a_rule_off",
    ],
    "rights-request": [
        "tests/compliance/test_policy.py::test_rights_link_to_the_request_form_and_complaint_names_datatilsynet",
        "tests/privacy/requests/test_dsr_views.py::test_member_files_a_request_verified_by_session",
        "tests/privacy/requests/test_dsr_views.py::test_anonymous_intake_answers_the_same_for_known_and_unknown_addresses",
    ],
    "reply-within-one-month": [
        "tests/privacy/requests/test_dsr_deadlines.py::test_due_one_calendar_month_after_receipt",
        "tests/privacy/requests/test_dsr_deadlines.py::test_extension_counts_from_receipt_up_to_three_months_in_all",
    ],
    "complaint-datatilsynet": [
        "tests/compliance/test_policy.py::test_rights_link_to_the_request_form_and_complaint_names_datatilsynet",
    ],
    "significant-changes-notice": [
        "tests/compliance/test_policy_notice.py::test_the_notice_shows_on_every_page_until_acknowledged",
        "tests/compliance/test_policy_notice.py::test_publishing_a_significant_version_mails_every_active_member_once",
    ],
}


@cache
def _test_names(path: str) -> frozenset[str]:
    """Test functions defined in a test file (read, not imported: e2e modules
    need a browser to import cleanly)."""
    file = ROOT / path
    if not file.is_file():
        return frozenset()
    tree = ast.parse(file.read_text())
    return frozenset(
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    )


@pytest.fixture
def rendered_promises(client, db) -> set[str]:
    compliance_seed()
    caches["consent"].clear()
    html = client.get("/privacy/").content.decode()
    return set(re.findall(r'data-promise="([^"]+)"', html))


def test_every_promise_in_the_policy_has_tests(rendered_promises):
    assert rendered_promises, "the policy carries no data-promise ids"
    unproven = sorted(p for p in rendered_promises if not PROMISES.get(p))
    assert not unproven, f"promises without tests: {unproven}"


def test_every_mapped_promise_is_still_in_the_policy(rendered_promises):
    stale = sorted(set(PROMISES) - rendered_promises)
    assert not stale, f"promises no longer in the policy: {stale}"


@pytest.mark.parametrize("promise", sorted(PROMISES))
def test_the_tests_named_for_a_promise_exist(promise):
    missing = []
    for ref in PROMISES[promise]:
        path, _, name = ref.partition("::")
        if name not in _test_names(path):
            missing.append(ref)
    assert not missing, f"{promise}: no such tests: {missing}"


def test_a_reference_to_a_missing_test_is_caught():
    assert "test_no_such_test" not in _test_names("tests/compliance/test_policy.py")
    assert _test_names("tests/privacy/no_such_module.py") == frozenset()
