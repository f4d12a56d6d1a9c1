"""Layout at 390 px (a phone) and 1280 px (a laptop), measured in Chromium:
the cookie banner covers less than half a phone's screen, the header's
navigation stays on one line, long cookie names do not break mid-word (their
table scrolls, and shows it can), and titles carry the site's separator."""

import pytest
from playwright.sync_api import Page

from compliance.seed import compliance_seed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": (390, 844), "laptop": (1280, 800)}


@pytest.fixture
def seeded():
    compliance_seed()  # the cookie catalogue /cookies/ lists


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("language", ["en", "da"])
def test_banner_covers_less_than_half_the_screen(
    live_server, page: Page, seeded, size, language, shot
):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.set_extra_http_headers({"Accept-Language": language})
    page.goto(f"{live_server.url}/")
    banner = page.locator("#consent-banner")
    box = banner.bounding_box()
    assert box is not None
    shot(page, f"banner-{size}-{language}")
    print(f"banner {size} {language}: {box['height']:.0f} of {height} px")
    assert box["height"] < height / 2, (size, language, box["height"])
    # Its three first-layer choices are all visible without scrolling.
    for name in ("Accept all", "Reject all") if language == "en" else ():
        button = banner.get_by_role("button", name=name)
        button_box = button.bounding_box()
        assert button_box and button_box["y"] + button_box["height"] <= height


@pytest.mark.parametrize("size", sorted(SIZES))
def test_header_navigation_stays_on_one_line(live_server, page: Page, seeded, size):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/")
    items = page.locator(".site-header .nav > li")
    boxes = [items.nth(i).bounding_box() for i in range(items.count())]
    # Every item of the menu on the same line: each starts above where every
    # other ends (a second row would start below the first row's bottom).
    assert max(b["y"] for b in boxes) < min(b["y"] + b["height"] for b in boxes)
    nav = page.locator(".site-header nav .nav").bounding_box()
    line = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector("
        "'.site-header .nav > li')).lineHeight) || 24"
    )
    assert nav["height"] < 2 * max(line, 40), nav
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("size", sorted(SIZES))
def test_long_cookie_names_do_not_break_and_their_table_scrolls(
    live_server, page: Page, seeded, size, shot
):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/cookies/")
    names = page.locator(".cookie-group table th code")
    assert names.count() > 0
    for i in range(names.count()):
        code = names.nth(i)
        # One line box: the name is not broken anywhere.
        lines = code.evaluate("el => el.getClientRects().length")
        assert lines == 1, code.text_content()
    # The page itself never scrolls sideways; a wide table scrolls in its
    # wrapper, which says so (a shadow on the side there is more).
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.table-scroll')]
            .filter(el => el.scrollWidth > el.clientWidth + 1)
            .map(el => [getComputedStyle(el).overflowX,
                        getComputedStyle(el).backgroundImage])"""
    )
    for overflow_x, background in overflowing:
        assert overflow_x == "auto" and "gradient" in background
    shot(page, f"cookies-{size}")


def test_titles_carry_the_separator(live_server, page: Page, seeded):
    for path in ("/", "/accounts/login/", "/cookies/", "/privacy/requests/new/"):
        page.goto(f"{live_server.url}{path}")
        title = page.title()
        assert title.endswith(" · Worksome") and len(title) > len(" · Worksome"), (
            path,
            title,
        )
