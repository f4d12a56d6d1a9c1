"""Freelancer and company journeys in a real browser, as people would do them."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from profiles.models import FreelancerProfile
from tests.e2e.helpers import dismiss_banner as _dismiss_banner
from tests.factories import PASSWORD, CompanyFactory, UserFactory
from tests.profiles import upload_corpus as corpus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "freja.e2e@example.com"
NEW_PASSWORD = "a-Strong-pass-2026"


def _file(upload) -> dict:
    upload.seek(0)
    return {
        "name": upload.name,
        "mimeType": upload.content_type,
        "buffer": upload.read(),
    }


def _sign_up_and_verify(page: Page, base: str, email: str) -> None:
    page.goto(base + "/accounts/signup/")
    _dismiss_banner(page)
    page.get_by_label("Freelancer").check()
    page.locator("#id_name").fill("Freja E2E")
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name=re.compile("Verify"))).to_be_visible()
    message = next(m for m in reversed(mail.outbox) if m.to == [email])
    link = re.search(r"(/accounts/confirm-email/[^\s]+/)", message.body).group(1)
    page.goto(base + link)
    page.get_by_role("button", name="Confirm").click()


def _publish_profile_with_photo_and_cv(page: Page, base: str) -> None:
    page.goto(base + "/dashboard/profile/")
    page.get_by_label("Full name").fill("Freja E2E")
    page.get_by_label("Headline").fill("Django developer")
    page.get_by_label("CVR number").fill("24256790")
    page.get_by_label(re.compile(r"^CPR number:?$")).fill("010190-1234")
    page.get_by_label("City").fill("Aarhus")
    page.get_by_label("Skills").fill("Python, Django")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your profile was saved.")).to_be_visible()

    page.goto(base + "/dashboard/profile/photo/")
    page.get_by_label("Profile photo").set_input_files(_file(corpus.jpeg_photo()))
    page.get_by_label(re.compile("I consent to Worksome publishing")).check()
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Your photo was saved.")).to_be_visible()

    page.goto(base + "/dashboard/profile/cv/")
    page.get_by_label(re.compile("^CV")).set_input_files(_file(corpus.pdf_cv()))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Your CV was saved.")).to_be_visible()

    page.goto(base + "/dashboard/profile/publish/")
    expect(page.get_by_role("heading", name="Freja E2E")).to_be_visible()
    expect(page.get_by_text("010190")).to_have_count(0)
    page.get_by_role("button", name="Publish my profile").click()


def test_freelancer_signs_up_publishes_and_company_downloads_cv(
    live_server, page: Page, browser, shot
):
    base = live_server.url
    _sign_up_and_verify(page, base, EMAIL)
    shot(page, "verified-and-logged-in")
    _publish_profile_with_photo_and_cv(page, base)
    shot(page, "published-profile")

    # The public page, as a logged-out visitor sees it.
    profile = FreelancerProfile.objects.get(user__email=EMAIL)
    visitor = browser.new_context().new_page()
    visitor.goto(f"{base}/freelancers/{profile.slug}/")
    _dismiss_banner(visitor)
    expect(visitor.get_by_role("heading", name="Freja E2E")).to_be_visible()
    expect(visitor.get_by_role("img", name="Photo of Freja E2E")).to_be_visible()
    html = visitor.content()
    assert "010190" not in html and "1234" not in html.replace(profile.slug, "")
    shot(visitor, "public-profile")

    # A member of a verified company finds her by competence and downloads the CV.
    company = CompanyFactory(name="Nordlys ApS", verified=True)
    buyer = UserFactory(email="buyer@example.com")
    company.memberships.create(user=buyer)
    client = browser.new_context(accept_downloads=True).new_page()
    client.goto(base + "/accounts/login/")
    _dismiss_banner(client)
    client.locator("#id_login").fill("buyer@example.com")
    client.locator("#id_password").fill(PASSWORD)
    client.get_by_role("button", name="Sign In").click()
    client.goto(base + "/freelancers/?q=django")
    client.get_by_role("link", name="Freja E2E").click()
    with client.expect_download() as download:
        client.get_by_role("link", name="Download CV").click()
    assert download.value.suggested_filename.endswith(".pdf")

    # Her dashboard lists the company as a recipient of her data.
    page.goto(base + "/dashboard/")
    expect(
        page.get_by_text(re.compile("Nordlys ApS downloaded your CV"))
    ).to_be_visible()

    # Withdrawing photo consent takes the photo off the public page at once.
    page.goto(base + "/dashboard/profile/photo/")
    page.get_by_role("button", name="Remove photo and withdraw consent").click()
    visitor.reload()
    expect(visitor.get_by_role("img", name="Photo of Freja E2E")).to_have_count(0)
    shot(visitor, "public-profile-without-photo")
