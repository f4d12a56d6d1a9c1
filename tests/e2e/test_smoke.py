"""The site in a real browser: the layout works for keyboard users."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_page_skip_link_moves_focus_to_main(live_server, page: Page):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    footer = page.get_by_role("contentinfo")
    expect(footer.get_by_role("link", name="Privacy policy")).to_be_visible()
    expect(footer.get_by_role("link", name="Cookie settings")).to_be_visible()


def test_signup_page_works_at_360px(live_server, page: Page):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/accounts/signup/")
    expect(page.get_by_label("Email")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
