"""Journey 6: a freelancer asks to be erased; staff execute it from the queue.

The member's path is the real one (the request form), and so is the admin's:
password and TOTP, the request queue, the "execute erasure" action. Afterwards
the public page is gone and the old credentials no longer log in.
"""

import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from privacy.models import DataSubjectRequest
from tests.e2e.test_journey_export import QUEUE, _log_in
from tests.factories import FreelancerProfileFactory, UserFactory
from tests.security.totp import activate_totp, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "freja.erase@example.com"
STAFF_EMAIL = "dpo.erase@example.com"


def _eraser_with_totp() -> str:
    staff = UserFactory(email=STAFF_EMAIL, is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="privacy",
            codename__in=["view_datasubjectrequest", "execute_erasure"],
        )
    )
    return activate_totp(staff)


def test_freelancer_is_erased_through_the_admin_queue(
    live_server, page: Page, browser, shot
):
    base = live_server.url
    profile = FreelancerProfileFactory(
        user=UserFactory(email=EMAIL), full_name="Freja Sletning"
    )
    public_url = f"{base}/freelancers/{profile.slug}/"
    secret = _eraser_with_totp()

    # The public page exists; the freelancer asks for erasure.
    visitor = browser.new_context().new_page()
    assert visitor.goto(public_url).status == 200
    _log_in(page, base, EMAIL)
    page.goto(base + "/privacy/requests/new/")
    page.get_by_label("Delete my data").check()
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_text("Your request was received.")).to_be_visible()
    shot(page, "erasure-requested")
    request = DataSubjectRequest.objects.get(subject=profile.user)
    assert request.kind == "erasure" and request.status == "verified"

    # Staff find it in the queue (with its deadline) and execute it.
    admin = browser.new_context().new_page()
    _log_in(admin, base, STAFF_EMAIL)
    admin.locator("#id_code").fill(totp_code(secret))
    admin.get_by_role("button", name="Sign In").click()
    admin.goto(base + QUEUE)
    row = admin.locator("#result_list tbody tr", has_text=EMAIL)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(re.compile(r"\d+"))  # days left are shown
    row.locator('input[name="_selected_action"]').check()
    admin.locator('select[name="action"]').select_option("execute_erasure")
    admin.get_by_role("button", name="Go").click()
    expect(admin.get_by_text(re.compile(r": 1 request"))).to_be_visible()
    shot(admin, "admin-executed-erasure")
    request.refresh_from_db()
    assert request.status == "completed"

    # The public page is gone and the old credentials no longer work.
    assert visitor.goto(public_url).status == 404
    fresh = browser.new_context().new_page()
    _log_in(fresh, base, EMAIL)
    expect(fresh).to_have_url(re.compile(r"/accounts/login/"))
    assert fresh.goto(base + "/dashboard/").url.startswith(base + "/accounts/login/")
