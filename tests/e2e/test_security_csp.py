"""The Content Security Policy in a real browser: the site, the admin and the
API docs run without a single violation."""

import pytest
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect

from tests.factories import CompanyFactory, UserFactory
from tests.security.totp import activate_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def violations(context: BrowserContext):
    """CSP violations reported to the console or as events, on any page."""
    seen: list[str] = []
    context.add_init_script(LISTENER)

    def on_console(message):
        if "Content Security Policy" in message.text:
            seen.append(message.text)

    context.on("console", lambda message: on_console(message))
    return seen


def _events(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def _log_in(context: BrowserContext, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies(
        [{"name": "sessionid", "value": cookie.value, "url": live_server.url}]
    )


def test_home_page_has_no_csp_violation(live_server, page: Page, violations):
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert _events(page) == [] and violations == []


def test_admin_pages_have_no_csp_violation(
    live_server, page: Page, context: BrowserContext, violations
):
    staff = UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.set(
        Permission.objects.filter(codename__in=["view_company", "change_company"])
    )
    activate_totp(staff)  # every staff member needs TOTP for the admin
    company = CompanyFactory()
    _log_in(context, live_server, staff)
    change = f"/admin/profiles/company/{company.pk}/change/"
    for path in ("/admin/", "/admin/profiles/company/", change):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        expect(page.locator("#content")).to_be_visible()
        assert _events(page) == [], path
    assert violations == []


def test_account_login_page_has_no_csp_violation(live_server, page: Page, violations):
    page.goto(live_server.url + "/admin/login/")
    expect(page).to_have_url(live_server.url + "/accounts/login/?next=/admin/")
    page.wait_for_load_state("networkidle")
    assert _events(page) == [] and violations == []


def test_api_docs_render_under_the_policy(live_server, page: Page, violations):
    page.goto(live_server.url + "/api/docs/")
    # Swagger UI ran: it fetched the schema and drew the operations.
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
    assert page.locator(".opblock").count() >= 10
    assert _events(page) == [] and violations == []


def test_an_injected_inline_script_is_blocked(live_server, page: Page, violations):
    """The policy is really enforced: inline code without the nonce does not run."""
    page.goto(live_server.url + "/")
    page.evaluate(
        """() => { const s = document.createElement('script');
        s.textContent = 'window.__injected = true'; document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.__injected === true") is False
    assert any("script-src" in v for v in _events(page))
