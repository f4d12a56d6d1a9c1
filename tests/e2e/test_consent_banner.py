"""Cookie consent in a real browser: nothing tracks before consent.

Every request that leaves the live server is intercepted: tracker hosts get an
empty-ish 200 JavaScript body (a stand-in for the vendor's script that sets
the vendor's first-party cookie and sends its beacon, as the real one would)
and are recorded; nothing reaches the network.
"""

import re
from urllib.parse import urlparse

import pytest
from django.core.cache import caches
from playwright.sync_api import Browser, BrowserContext, Page, expect

from compliance.seed import compliance_seed
from consent.models import ConsentRecord

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


GA_ID = "G-TEST123"
TRACKER_DOMAINS = (
    "googletagmanager.com",
    "google-analytics.com",
    "connect.facebook.net",
    "facebook.com",
    "static.ads-twitter.com",
)
FAKE_SCRIPTS = {
    "www.googletagmanager.com": (
        'document.cookie = "_ga=GA1.1.123.456; path=/";'
        f'document.cookie = "_ga_{GA_ID[2:]}=GS1.1.1; path=/";'
        'new Image().src = "https://www.google-analytics.com/g/collect?v=2";'
    ),
    "connect.facebook.net": (
        'document.cookie = "_fbp=fb.1.123.456; path=/";'
        'new Image().src = "https://www.facebook.com/tr?id=1234567890&ev=PageView";'
    ),
    "static.ads-twitter.com": (
        'new Image().src = "https://analytics.twitter.com/i/adsct?txn_id=tw-abc12";'
    ),
}
TRACKER_COOKIES = {"_ga", f"_ga_{GA_ID[2:]}", "_fbp"}


@pytest.fixture(autouse=True)
def catalogue(transactional_db, settings):
    """The seeded cookie groups, the tracker ids, a cold consent cache."""
    compliance_seed()
    caches["consent"].clear()
    settings.GA_MEASUREMENT_ID = GA_ID
    settings.META_PIXEL_ID = "1234567890"
    settings.TWITTER_PIXEL_ID = "tw-abc12"
    yield
    caches["consent"].clear()


class Outside:
    """Records (and answers) every request that is not for the live server."""

    def __init__(self, live_server_url: str):
        self.origin = live_server_url
        self.urls: list[str] = []

    def handle(self, route, request):
        if request.url.startswith(self.origin):
            route.continue_()
            return
        self.urls.append(request.url)
        host = urlparse(request.url).hostname or ""
        route.fulfill(
            status=200,
            content_type="application/javascript",
            body=FAKE_SCRIPTS.get(host, ""),
        )

    def tracker_hosts(self) -> set[str]:
        hosts = {urlparse(url).hostname or "" for url in self.urls}
        return {
            domain
            for domain in TRACKER_DOMAINS
            for host in hosts
            if host == domain or host.endswith("." + domain)
        }


@pytest.fixture
def outside(live_server, context: BrowserContext) -> Outside:
    recorder = Outside(live_server.url)
    context.route("**/*", recorder.handle)
    return recorder


def _cookie_names(context: BrowserContext) -> set[str]:
    return {cookie["name"] for cookie in context.cookies()}


def _settle(page: Page) -> None:
    page.wait_for_load_state("networkidle")


def _wait_for(page: Page, condition, timeout_ms: int = 5000) -> None:
    """Let the page run (and the route handler record) until ``condition()``."""
    for _ in range(timeout_ms // 50):
        if condition():
            return
        page.wait_for_timeout(50)
    assert condition()


def _data_layer(page: Page) -> list:
    return page.evaluate("(window.dataLayer || []).map(entry => Array.from(entry))")


def test_a_fresh_visit_makes_no_tracker_request_and_sets_no_tracker_cookie(
    live_server, page: Page, context: BrowserContext, outside: Outside
):
    page.goto(live_server.url + "/")
    _settle(page)
    assert outside.urls == []
    assert not _cookie_names(context) & TRACKER_COOKIES
    # Consent Mode v2 defaults are set (denied) before any Google tag.
    assert _data_layer(page)[0] == [
        "consent",
        "default",
        {
            "ad_storage": "denied",
            "ad_user_data": "denied",
            "ad_personalization": "denied",
            "analytics_storage": "denied",
        },
    ]
    # Focus order: skip link, the banner (a labelled region holding its
    # text), then its buttons, inside the same landmark.
    banner = page.get_by_role("region", name="Cookies on Worksome")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(banner).to_be_focused()
    page.keyboard.press("Tab")
    accept = banner.get_by_role("button", name="Accept all")
    expect(accept).to_be_focused()
    page.keyboard.press("Tab")
    expect(banner.get_by_role("button", name="Reject all")).to_be_focused()


def test_accept_all_loads_the_trackers_at_once_and_after_reload(
    live_server, page: Page, context: BrowserContext, outside: Outside
):
    page.goto(live_server.url + "/")
    _settle(page)
    # The page reloads: its CSP predates consent and blocks the vendors' hosts.
    with page.expect_navigation():
        page.get_by_role("button", name="Accept all").click()
    expect(page.get_by_role("region", name="Cookies on Worksome")).to_be_hidden()
    _wait_for(page, lambda: outside.tracker_hosts() == set(TRACKER_DOMAINS))
    _wait_for(page, lambda: TRACKER_COOKIES <= _cookie_names(context))
    layer = _data_layer(page)
    assert ["consent", "update", {"analytics_storage": "granted"}] in layer
    # Accepting everything grants Google exactly the mapped signals
    # (consent.catalogue.CONSENT_MODE_SIGNALS): never an advertising one.
    updates = [entry[2] for entry in layer if entry[:2] == ["consent", "update"]]
    granted = {k for update in updates for k, v in update.items() if v == "granted"}
    assert granted == {"analytics_storage"}
    assert ["config", GA_ID] in layer
    queue = page.evaluate("window.fbq.queue.map(entry => Array.from(entry))")
    assert queue[:3] == [
        ["consent", "revoke"],
        ["init", "1234567890"],
        ["consent", "grant"],
    ]
    assert ConsentRecord.objects.filter(granted=True).count() == 2

    outside.urls.clear()
    page.reload()
    _wait_for(page, lambda: outside.tracker_hosts() == set(TRACKER_DOMAINS))
    expect(page.locator("#consent-banner")).to_be_hidden()


def test_reject_all_loads_nothing(
    live_server, page: Page, context: BrowserContext, outside: Outside
):
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Reject all").click()
    expect(page.locator("#consent-banner")).to_be_hidden()
    page.wait_for_timeout(500)  # time for anything that would load to ask
    page.reload()
    _settle(page)
    page.goto(live_server.url + "/freelancers/")
    _settle(page)
    assert outside.urls == []
    assert not _cookie_names(context) & TRACKER_COOKIES
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_choosing_from_the_footer_link_expires_the_tracker_cookies(
    live_server, page: Page, context: BrowserContext, outside: Outside
):
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Accept all").click()
    _wait_for(page, lambda: TRACKER_COOKIES <= _cookie_names(context))

    footer = page.get_by_role("contentinfo")
    footer.get_by_role("link", name="Cookies in detail").click()
    expect(page).to_have_url(live_server.url + "/cookies/")
    expect(page.get_by_role("switch", name="Allow Analytics cookies")).to_be_checked()
    with page.expect_response("**/cookies/decline/") as declined:
        page.get_by_role("button", name="Reject all").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Your cookie choices are saved."
    )
    set_cookies = [
        header["value"]
        for header in declined.value.headers_array()
        if header["name"].lower() == "set-cookie"
    ]
    for name in TRACKER_COOKIES:
        assert any(
            re.match(rf"{name}=\"?\"?;", value) and "Max-Age=0" in value
            for value in set_cookies
        ), (name, set_cookies)
    assert not _cookie_names(context) & TRACKER_COOKIES
    expect(
        page.get_by_role("switch", name="Allow Analytics cookies")
    ).not_to_be_checked()

    outside.urls.clear()
    page.reload()
    _settle(page)
    assert outside.urls == []
    assert not _cookie_names(context) & TRACKER_COOKIES
    assert page.get_by_text("Your choice: rejected").count() == 2


def test_the_banner_works_without_javascript(live_server, browser: Browser):
    context = browser.new_context(java_script_enabled=False)
    recorder = Outside(live_server.url)
    context.route("**/*", recorder.handle)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/freelancers/")
        page.get_by_text("Choose", exact=True).click()
        page.get_by_role("switch", name="Analytics").check()
        page.get_by_role("button", name="Save my choices").click()
        expect(page).to_have_url(live_server.url + "/freelancers/")
        expect(page.locator("#consent-banner")).to_be_hidden()
        cookies = {cookie["name"]: cookie for cookie in context.cookies()}
        visitor = cookies["consent_visitor"]
        assert visitor["httpOnly"] is True
        assert visitor["sameSite"] == "Lax"
        records = ConsentRecord.objects.filter(visitor_id=visitor["value"])
        assert {(r.purpose, r.granted) for r in records} == {
            ("cookies_analytics", True),
            ("cookies_marketing", False),
        }
        # The server now renders the analytics tag (not the marketing ones).
        html = page.content()
        outside_templates = re.sub(r"<template.*?</template>", "", html, flags=re.S)
        assert "google-analytics.js" in outside_templates
        assert "meta-pixel.js" not in outside_templates
        assert recorder.urls == []  # no script runs without JavaScript
    finally:
        context.close()


# Every first-party cookie name the catalogue lists, as vendors' scripts set
# them (wildcards filled in), and the vendors' storage keys.
CATALOGUED_COOKIES = [
    "_ga",
    f"_ga_{GA_ID[2:]}",
    "_gid",
    "_gat",
    f"_gat_{GA_ID[2:]}",
    "_gcl_au",
    "_gcl_aw",
    "_fbp",
    "_fbc",
    "_twclid",
    "personalization_id",
    "muc_ads",
    "guest_id",
    "guest_id_ads",
    "guest_id_marketing",
    "fr",
]
STORAGE = {
    "localStorage": ["_ga_state", "_gcl_ls", "_fbp", "_fbc", "_twclid", "twq_queue"],
    "sessionStorage": ["_gcl_session", "_fbq_state", "twq_session"],
}


def test_withdrawing_from_the_cookie_settings_control_removes_every_vendor_trace(
    live_server, page: Page, context: BrowserContext, outside: Outside
):
    page.goto(live_server.url + "/")
    with page.expect_navigation():
        page.get_by_role("button", name="Accept all").click()
    _wait_for(page, lambda: TRACKER_COOKIES <= _cookie_names(context))
    page.goto(live_server.url + "/freelancers/")
    _settle(page)
    _wait_for(page, lambda: page.evaluate("typeof window.twq") == "function")
    host = urlparse(live_server.url).hostname
    cookies = []
    for name in CATALOGUED_COOKIES:
        for path in ("/", "/freelancers/", "/freelancers"):
            cookies.append({"name": name, "value": "1", "domain": host, "path": path})
    context.add_cookies(cookies)
    page.evaluate(
        """storage => Object.entries(storage).forEach(([area, keys]) =>
            keys.forEach(key => window[area].setItem(key, "1")))""",
        STORAGE,
    )
    page.evaluate("localStorage.setItem('unrelated', 'kept')")
    assert set(CATALOGUED_COOKIES) <= _cookie_names(context)

    # Keyboard only: Tab to the persistent control, Enter opens the layer here.
    control = page.get_by_role("link", name="Cookie settings")
    for _ in range(60):
        page.keyboard.press("Tab")
        if control.evaluate("c => c === document.activeElement"):
            break
    expect(control).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/freelancers/")
    banner = page.get_by_role("region", name="Cookies on Worksome")
    expect(banner).to_be_visible()
    expect(banner.get_by_role("switch", name="Analytics")).to_be_checked()
    with page.expect_response("**/cookies/decline/"):
        banner.get_by_role("button", name="Reject all").click()
    expect(banner).to_be_hidden()
    expect(control).to_be_focused()

    _wait_for(page, lambda: not _cookie_names(context) & set(CATALOGUED_COOKIES))
    left = page.evaluate(
        """storage => Object.entries(storage).flatMap(([area, keys]) =>
            keys.filter(key => window[area].getItem(key) !== null))""",
        STORAGE,
    )
    assert left == []
    assert page.evaluate("localStorage.getItem('unrelated')") == "kept"
    # X's pixel has no revoke call: it is gone from the page at once.
    assert page.evaluate("typeof window.twq") == "undefined"
    assert page.locator('script[src*="x-pixel.js"]').count() == 0
    assert page.locator('script[src*="ads-twitter.com"]').count() == 0
    layer = _data_layer(page)
    assert ["consent", "update", {"analytics_storage": "denied"}] in layer
    queue = page.evaluate("window.fbq.queue.map(entry => Array.from(entry))")
    assert queue[-1] == ["consent", "revoke"]
    assert ConsentRecord.objects.filter(granted=False).count() == 2

    outside.urls.clear()
    page.reload()
    _settle(page)
    assert outside.urls == []
