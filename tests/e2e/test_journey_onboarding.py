"""Issue 20 in a real browser: sign-up as a freelancer to the dashboard's
checklist, and a directory search with filters at 390 and 1280 px, with axe."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from profiles.models import FreelancerProfile, User
from tests.e2e.helpers import dismiss_banner as _dismiss_banner
from tests.e2e.helpers import serious_findings as _serious
from tests.factories import FreelancerProfileFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "nora.onboarding@example.com"
PASSWORD = "a-Strong-pass-2026"


def test_freelancer_signs_up_and_sees_the_checklist(live_server, page: Page, shot):
    base = live_server.url
    page.goto(base + "/accounts/signup/")
    _dismiss_banner(page)
    expect(page.get_by_role("heading", name="Sign up")).to_be_visible()
    assert _serious(page) == []
    page.get_by_label("Freelancer").check()
    page.get_by_label("Your full name").fill("Nora Nielsen")
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    shot(page, "signup-filled")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name=re.compile("Verify"))).to_be_visible()
    message = next(m for m in reversed(mail.outbox) if m.to == [EMAIL])
    link = re.search(r"(/accounts/confirm-email/[^\s]+/)", message.body).group(1)
    page.goto(base + link)
    page.get_by_role("button", name="Confirm").click()

    page.goto(base + "/dashboard/")
    expect(page.get_by_text("Profile 0% complete.")).to_be_visible()
    expect(page.get_by_text("Still missing:")).to_be_visible()
    for label in ("Your CV", "Publish your profile"):
        expect(page.get_by_role("link", name=label)).to_be_visible()
    shot(page, "dashboard-checklist")
    assert _serious(page) == []
    user = User.objects.get(email=EMAIL)
    assert user.role == "freelancer"
    # The profile starts with the name given, never the address.
    page.goto(base + "/dashboard/profile/")
    expect(page.get_by_label("Full name")).to_have_value("Nora Nielsen")
    assert FreelancerProfile.objects.get(user=user).full_name == "Nora Nielsen"


@pytest.mark.parametrize("width", [390, 1280])
def test_directory_search_with_filters(live_server, page: Page, shot, width):
    today = timezone.localdate()
    FreelancerProfileFactory(
        full_name="Ada Remote",
        availability="now",
        languages=["da", "en"],
        work_mode="remote",
        rate_min=500,
        rate_max=700,
        skills=["Python"],
    )
    FreelancerProfileFactory(
        full_name="Bo Onsite",
        availability="from",
        available_from=today + dt.timedelta(days=60),
        work_mode="onsite",
        skills=["Python"],
    )
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    page.goto(base + "/freelancers/")
    _dismiss_banner(page)
    skill = page.get_by_label("Competence", exact=True)
    skill.fill("Py")
    # Our own script fills the native datalist from /skills/suggest/.
    expect(page.locator("#skill-options option[value='Python']")).to_have_count(1)
    skill.fill("Python")
    page.locator("#id_available").select_option("now")
    page.locator("#id_work_mode").select_option("remote")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Ada Remote")).to_be_visible()
    expect(page.get_by_role("link", name="Bo Onsite")).to_have_count(0)
    assert "work_mode=remote" in page.url and "skill=Python" in page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"directory-filtered-{width}")
    assert _serious(page) == []

    # The profile leads back to the same search.
    search_url = page.url
    page.get_by_role("link", name="Ada Remote").click()
    expect(page.get_by_text("DKK 500–700 per hour")).to_be_visible()
    page.get_by_role("link", name="Back to results").click()
    assert page.url == search_url
    expect(page.locator("#id_work_mode")).to_have_value("remote")
