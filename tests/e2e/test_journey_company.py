"""Issue 20 in a real browser: a company signs up, completes its details from
the dashboard, finds a freelancer with the directory's filters (competence,
region, availability), shortlists them and sees them on the shortlist; at
390 and 1280 px, axe on every page, and the directory and the shortlist
again in Danish."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from profiles.models import Company, ShortlistEntry, User
from tests.e2e.helpers import dismiss_banner as _dismiss_banner
from tests.e2e.helpers import serious_findings as _serious
from tests.factories import FreelancerProfileFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-Strong-pass-2026"
CVR = "24256790"


def _freelancers() -> None:
    """One freelancer fits competence, region and availability; each of the
    others misses exactly one of them."""
    later = timezone.localdate() + dt.timedelta(days=60)
    FreelancerProfileFactory(
        full_name="Ada Aarhus",
        city="Aarhus",
        postal_code="8000",
        availability="now",
        skills=["Python"],
    )
    FreelancerProfileFactory(
        full_name="Bo Odense",
        city="Odense",
        postal_code="5000",
        availability="now",
        skills=["Python"],
    )
    FreelancerProfileFactory(
        full_name="Cy Later",
        city="Aarhus",
        postal_code="8200",
        availability="from",
        available_from=later,
        skills=["Python"],
    )
    FreelancerProfileFactory(
        full_name="Di Design",
        city="Aarhus",
        postal_code="8000",
        availability="now",
        skills=["Figma"],
    )


@pytest.mark.parametrize("width", [390, 1280])
def test_company_signs_up_searches_and_shortlists_a_freelancer(
    live_server, page: Page, shot, width
):
    _freelancers()
    email = f"karen.company.{width}@example.com"
    base = live_server.url
    page.set_viewport_size({"width": width, "height": 900})

    # Sign up as a company and verify the address.
    page.goto(base + "/accounts/signup/")
    _dismiss_banner(page)
    page.get_by_label("Company", exact=True).check()
    page.get_by_label("Your full name").fill("Karen Company")
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    shot(page, f"signup-company-{width}")
    assert _serious(page) == []
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name=re.compile("Verify"))).to_be_visible()
    message = next(m for m in reversed(mail.outbox) if m.to == [email])
    link = re.search(r"(/accounts/confirm-email/[^\s]+/)", message.body).group(1)
    page.goto(base + link)
    page.get_by_role("button", name="Confirm").click()
    assert User.objects.get(email=email).role == "company"

    # The dashboard offers the company page, not a freelancer profile.
    page.goto(base + "/dashboard/")
    expect(page.get_by_role("link", name="Create profile")).to_have_count(0)
    shot(page, f"dashboard-new-company-{width}")
    assert _serious(page) == []
    page.get_by_role("link", name="Create a company page").first.click()
    page.get_by_label("Company name").fill("Karen Consulting ApS")
    page.get_by_label("CVR number").fill(CVR)
    page.get_by_label("Postal code").fill("8000")
    page.get_by_label("City").fill("Aarhus")
    page.get_by_label("Description").fill("We build things for the web.")
    shot(page, f"company-details-{width}")
    assert _serious(page) == []
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your company page was created.")).to_be_visible()
    company = Company.objects.get(cvr=CVR)

    page.goto(base + "/dashboard/")
    expect(page.locator('[data-step="details"]')).to_be_visible()
    shot(page, f"dashboard-company-checklist-{width}")
    assert _serious(page) == []

    # Search with competence, region and availability.
    page.get_by_role("link", name="Find freelancers").first.click()
    page.get_by_label("Competence", exact=True).fill("Python")
    page.locator("#id_region").select_option("midtjylland")
    page.locator("#id_available").select_option("now")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Ada Aarhus")).to_be_visible()
    for other in ("Bo Odense", "Cy Later", "Di Design"):
        expect(page.get_by_role("link", name=other)).to_have_count(0)
    assert "region=midtjylland" in page.url and "available=now" in page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    search_url = page.url
    shot(page, f"directory-region-{width}")
    assert _serious(page) == []

    # The profile: region beside the city, and the shortlist button.
    page.get_by_role("link", name="Ada Aarhus").click()
    expect(page.locator('[data-field="region"]')).to_have_text(
        "(Central Denmark (Midtjylland))"
    )
    assert _serious(page) == []
    page.get_by_role("button", name="Add to shortlist").click()
    expect(page.get_by_text("Ada Aarhus is on your shortlist.")).to_be_visible()
    expect(page.get_by_role("button", name="Remove from shortlist")).to_be_visible()
    shot(page, f"profile-shortlisted-{width}")
    assert _serious(page) == []
    entry = ShortlistEntry.objects.get()
    assert entry.company == company and entry.added_by.email == email

    page.get_by_role("link", name="Your company's shortlist").click()
    expect(
        page.get_by_role("heading", name="Shortlist of Karen Consulting ApS")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Ada Aarhus")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"shortlist-{width}")
    assert _serious(page) == []

    # The same search and the shortlist in Danish.
    page.context.add_cookies([{"name": "django_language", "value": "da", "url": base}])
    page.goto(search_url)
    assert page.locator("html").get_attribute("lang") == "da"
    expect(page.get_by_role("link", name="Ada Aarhus")).to_be_visible()
    expect(page.locator("#id_region")).to_have_value("midtjylland")
    shot(page, f"directory-region-da-{width}")
    assert _serious(page) == []
    page.goto(base + "/dashboard/shortlist/")
    assert page.locator("html").get_attribute("lang") == "da"
    expect(page.get_by_role("link", name="Ada Aarhus")).to_be_visible()
    shot(page, f"shortlist-da-{width}")
    assert _serious(page) == []
