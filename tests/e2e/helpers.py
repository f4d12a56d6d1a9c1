"""What the browser journeys share: closing the cookie banner, and axe's
serious findings."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

#: axe impacts that fail a page.
BLOCKING = {"serious", "critical"}


def dismiss_banner(page: Page) -> None:
    """Reject all cookies when the banner is open (in any language: the form
    is found by its action, not its label)."""
    reject = page.locator("#consent-banner form[action*='decline'] button")
    if reject.count() and reject.first.is_visible():
        reject.first.click()


def serious_findings(page: Page) -> list[str]:
    """axe's serious and critical findings on the page as it is now."""
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]
