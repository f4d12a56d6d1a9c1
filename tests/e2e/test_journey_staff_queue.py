"""Journey: staff work the request queue in the admin (password + TOTP).

The index's counters lead to the list they count; a request's page offers
the steps possible now as buttons; a step asks for confirmation (and its
reason), and the audit trail beside the buttons shows it afterwards.
"""

import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from privacy.models import DataSubjectRequest
from privacy.requests import services as dsr
from tests.factories import PASSWORD, UserFactory
from tests.security.totp import activate_totp, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STAFF_EMAIL = "queue.e2e@example.com"


def _staff() -> str:
    staff = UserFactory(email=STAFF_EMAIL, is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="privacy",
            codename__in=["view_datasubjectrequest", "process_datasubjectrequest"],
        )
    )
    return activate_totp(staff)


@pytest.mark.parametrize("width", [1280, 390])
def test_staff_extend_a_request_from_its_page(live_server, page: Page, width, shot):
    base = live_server.url
    secret = _staff()
    request = dsr.dsr_submit(user=UserFactory(), kind="rectification", details="Fix")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(base + "/accounts/login/")
    reject = page.get_by_role("button", name="Reject all")
    if reject.count():
        reject.first.click()
    page.locator("#id_login").fill(STAFF_EMAIL)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.locator("#id_code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()

    page.goto(base + "/admin/")
    expect(page.locator("#site-name")).to_have_text("Worksome administration")
    expect(page.locator('[data-count="open"]')).to_have_text("1")
    shot(page, f"index-{width}")
    page.locator("#dsr-queue").get_by_role("link", name="Open").click()
    page.get_by_role("link", name=str(request.pk), exact=True).click()
    expect(page.locator('input[name="_save"]')).to_have_count(0)
    shot(page, f"request-{width}")

    page.locator('[data-step="extend"]').click()
    expect(page.get_by_role("heading", name=re.compile("Confirm"))).to_be_visible()
    # The reason is required (the browser and the server refuse without it).
    reason = page.get_by_label("Reason (sent to the requester)")
    expect(reason).to_have_attribute("required", "")
    page.get_by_label("Reason (sent to the requester)").fill("Several systems.")
    page.get_by_role("button", name=re.compile("^Yes")).click()
    expect(page.get_by_text(re.compile("done for"))).to_be_visible()
    expect(page.locator(".dsr-events")).to_contain_text("dsr.extended")
    shot(page, f"extended-{width}")
    request.refresh_from_db()
    assert request.extended_due_at is not None
    assert DataSubjectRequest.objects.get(pk=request.pk).extension_reason
