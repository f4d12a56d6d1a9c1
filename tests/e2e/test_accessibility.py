"""axe-core on the pages people use most: no "serious" or "critical" violation.

axe-core comes bundled in axe-playwright-python; it runs inside the real page.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import caches
from playwright.sync_api import Page, expect

from compliance.seed import compliance_seed
from tests.e2e.test_journey_export import _log_in
from tests.factories import FreelancerProfileFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


@pytest.fixture(autouse=True)
def cookie_groups(transactional_db):
    """The seeded cookie groups (a transactional test starts with none), so the
    banner really is open on a first visit."""
    compliance_seed()
    caches["consent"].clear()
    yield
    caches["consent"].clear()


def _violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("language", ["en", "da"])
def test_public_pages_and_the_open_banner_have_no_serious_violations(
    live_server, page: Page, language: str
):
    profile = FreelancerProfileFactory(skills=["Django"])
    base = live_server.url
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": base}]
    )
    found = {}
    # The banner is open on the first visit: it is checked with every page.
    page.goto(base + "/")
    expect(page.locator("#consent-banner")).to_be_visible()
    for path in (
        "/",
        "/freelancers/",
        f"/freelancers/{profile.slug}/",
        "/accounts/signup/",
        "/accounts/login/",
        "/privacy/",
        "/cookies/",
    ):
        page.goto(base + path)
        assert page.locator("html").get_attribute("lang") == language
        found[path] = _violations(page)
    assert found == {path: [] for path in found}


@pytest.mark.parametrize("language", ["en", "da"])
def test_the_banner_and_its_open_choice_layer_sit_in_a_landmark(
    live_server, page: Page, language: str
):
    """axe's "region" (moderate, so checked on its own): every part of the
    banner, the choice layer open, is inside a landmark."""
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(live_server.url + "/")
    page.locator("#consent-banner summary").click()
    results = Axe().run(page, context="#consent-banner")
    ids = [v["id"] for v in results.response["violations"]]
    assert "region" not in ids, ids
    found = _violations(page)
    assert found == []


def test_member_pages_have_no_serious_violations(live_server, page: Page):
    user = UserFactory(email="axe.member@example.com")
    FreelancerProfileFactory(user=user)
    base = live_server.url
    _log_in(page, base, user.email)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    found = {}
    for path in (
        "/dashboard/",
        "/dashboard/profile/",
        "/dashboard/profile/photo/",
        "/privacy/requests/new/",
        "/privacy/requests/",
    ):
        page.goto(base + path)
        found[path] = _violations(page)
    assert found == {path: [] for path in found}


def test_the_banner_works_with_the_keyboard_alone(live_server, page: Page):
    page.goto(live_server.url + "/")
    banner_button = page.get_by_role("button", name="Reject all")
    for _ in range(10):
        page.keyboard.press("Tab")
        if banner_button.evaluate("b => b === document.activeElement"):
            break
    expect(banner_button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#consent-banner")).to_be_hidden()
