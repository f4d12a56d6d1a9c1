"""Issue 20's screens: the pages of the journeys, at 1280 and 390 px, in English
and Danish, as the person who uses each sees them: a visitor (sign-up, the
directory with filters, a public profile), a freelancer (dashboard checklist,
profile form, a finished self-service export), a company owner (dashboard
checklist, company page).

Each page is saved under var/e2e-results/steps/<test>/ (``shot``; not
committed), checked with axe (no serious or critical finding), checked to be
in the language asked for, and checked not to scroll sideways (the page
itself; a wide table scrolls inside its own box).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page

from compliance.seed import compliance_seed
from profiles.models import CompanyMembership
from tests.e2e.helpers import serious_findings as _serious
from tests.factories import (
    CompanyFactory,
    DataSubjectRequestFactory,
    FreelancerProfileFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _as(page: Page, base: str, user) -> None:
    """The browser logged in as ``user`` (a session made by Django's client)."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies(name="sessionid")
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )


@pytest.fixture
def people(transactional_db):
    compliance_seed()
    today = timezone.localdate()
    for i, (name, mode) in enumerate(
        (("Ada Remote", "remote"), ("Bo Hybrid", "hybrid"), ("Cai Onsite", "onsite"))
    ):
        FreelancerProfileFactory(
            full_name=name,
            headline="Python-udvikler med lang erfaring i webapplikationer",
            availability="now" if i != 2 else "from",
            available_from=None if i != 2 else today + dt.timedelta(days=30),
            languages=["da", "en"],
            work_mode=mode,
            rate_min=600,
            rate_max=900,
            skills=["Python", "Django", "PostgreSQL"],
        )
    freelancer = UserFactory(role="freelancer", email="screens.freelancer@example.com")
    FreelancerProfileFactory(
        user=freelancer,
        full_name="Nora Nielsen",
        skills=["Python"],
        published=False,
    )
    export = DataSubjectRequestFactory(
        subject=freelancer, kind="access", status="completed"
    )
    owner = UserFactory(role="company", email="screens.owner@example.com")
    company = CompanyFactory(name="Nordlys ApS", verified=True)
    CompanyMembership.objects.create(
        company=company, user=owner, role=CompanyMembership.Role.OWNER
    )
    return {
        "freelancer": freelancer,
        "export": export,
        "owner": owner,
        "company": company,
    }


@pytest.mark.parametrize("language", ["en", "da"])
@pytest.mark.parametrize("width", [1280, 390])
def test_every_journey_screen_at_both_widths_in_both_languages(
    live_server, page: Page, people, shot, width, language
):
    base = live_server.url
    page.set_viewport_size({"width": width, "height": 900})
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": base}]
    )
    # The banner's choice made first (its own tests cover it open): reject.
    page.goto(base + "/")
    page.locator("#consent-banner form[action*='decline'] button[type=submit]").click()
    page.wait_for_load_state()
    screens = {
        "visitor": [
            ("signup", "/accounts/signup/"),
            (
                "directory-filtered",
                "/freelancers/?skill=Python&available=now&work_mode=remote",
            ),
            ("directory-search", "/freelancers/?q=python+udvikler"),
        ],
        "freelancer": [
            ("dashboard", "/dashboard/"),
            ("profile-form", "/dashboard/profile/"),
            ("export-request", f"/privacy/requests/{people['export'].pk}/"),
        ],
        "owner": [
            ("dashboard", "/dashboard/"),
            ("company-page", f"/companies/{people['company'].slug}/"),
        ],
    }
    found = {}
    for who, pages in screens.items():
        if who != "visitor":
            _as(page, base, people[who])
        for name, path in pages:
            response = page.goto(base + path)
            key = f"{who}-{name}"
            assert response is not None and response.status == 200, (key, path)
            assert page.locator("html").get_attribute("lang") == language, key
            shot(page, f"{key}-{width}-{language}")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - window.innerWidth"
            )
            found[key] = _serious(page) + (
                [f"scrolls sideways by {overflow} px"] if overflow > 0 else []
            )
    assert found == {key: [] for key in found}
