"""Journey: staff work the request queue in the admin (password + TOTP).

The index's counters lead to the list they count; a request's page offers
the steps possible now as buttons; a step asks for confirmation (and its
reason), and the audit trail beside the buttons shows it afterwards.
"""

import re

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation
from django.utils.translation import gettext
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


def _in(language: str, text: str) -> str:
    """``text`` as the site shows it in ``language`` (the catalogue's)."""
    with translation.override(language):
        return gettext(text)


@pytest.mark.parametrize("language", ["en", "da"])
@pytest.mark.parametrize("width", [1280, 390])
def test_staff_extend_a_request_from_its_page(
    live_server, page: Page, width, language, shot
):
    base = live_server.url
    secret = _staff()
    request = dsr.dsr_submit(user=UserFactory(), kind="rectification", details="Fix")
    page.set_viewport_size({"width": width, "height": 900})
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": base}]
    )
    page.goto(base + "/accounts/login/")
    reject = page.locator("#consent-banner form[action*='decline'] button")
    if reject.count() and reject.first.is_visible():
        reject.first.click()
    page.locator("#id_login").fill(STAFF_EMAIL)
    page.locator("#id_password").fill(PASSWORD)
    sign_in = _in(language, "Sign In")
    page.get_by_role("button", name=sign_in, exact=True).click()
    page.locator("#id_code").fill(totp_code(secret))
    page.get_by_role("button", name=sign_in, exact=True).click()

    page.goto(base + "/admin/")
    expect(page.locator("#site-name")).to_have_text(
        _in(language, "Worksome administration")
    )
    assert page.locator("html").get_attribute("lang") == language
    expect(page.locator('[data-count="open"]')).to_have_text("1")
    shot(page, f"index-{width}-{language}")
    page.locator("#dsr-queue").get_by_role("link", name=_in(language, "Open")).click()
    page.get_by_role("link", name=str(request.pk), exact=True).click()
    expect(page.locator('input[name="_save"]')).to_have_count(0)
    shot(page, f"request-{width}-{language}")

    page.locator('[data-step="extend"]').click()
    confirm = _in(language, "Confirm: %(step)s (%(request)s)").split(":")[0]
    expect(page.get_by_role("heading", name=re.compile(confirm))).to_be_visible()
    # The reason is required (the browser and the server refuse without it).
    reason = page.get_by_label(_in(language, "Reason (sent to the requester)"))
    expect(reason).to_have_attribute("required", "")
    reason.fill("Several systems.")
    page.locator('input[name="confirm"]').click()
    done = _in(language, "%(step)s: done for %(request)s.").split("%(request)s")[0]
    done = done.split(": ")[-1]
    expect(page.get_by_text(re.compile(re.escape(done)))).to_be_visible()
    expect(page.locator(".dsr-events")).to_contain_text("dsr.extended")
    shot(page, f"extended-{width}-{language}")
    request.refresh_from_db()
    assert request.extended_due_at is not None
    assert DataSubjectRequest.objects.get(pk=request.pk).extension_reason
