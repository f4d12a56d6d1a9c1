"""The diff of two policy versions reads on a 390 px phone without sideways
scrolling (issue 16 item 11)."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from compliance.models import PolicyVersion, ProcessingActivity, Processor
from compliance.records import policy_records_apply, policy_records_read
from compliance.seed import compliance_seed
from compliance.services import policy_version_publish

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_word_diff_fits_a_390px_screen(live_server, page: Page, admin_user):
    compliance_seed()
    policy_records_apply(
        processor_model=Processor,
        activity_model=ProcessingActivity,
        version_model=PolicyVersion,
        data=policy_records_read(),
    )
    for name, intro in (("2", "Short."), ("3", "A_very_long_unbroken_" * 12)):
        draft = PolicyVersion.objects.create(
            version=name, effective_date=timezone.localdate(), intro_en=intro
        )
        policy_version_publish(version=draft, actor=admin_user)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/privacy/versions/?from=2&to=3")
    diff = page.locator(".policy-diff")
    expect(diff).to_be_visible()
    expect(diff.locator("ins").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = diff.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
