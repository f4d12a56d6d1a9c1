"""The layout every page shares, and the public pages of the foundation."""

import re

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/accounts/signup/", "/accounts/login/", "/privacy/", "/cookies/"]
)
def test_pages_share_the_accessible_layout(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<html lang="en"', html)
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html
    # Every page links to the privacy policy and the cookie settings.
    assert 'href="/privacy/"' in html
    assert 'href="/cookies/"' in html
    # Styles come from this site, never from a CDN.
    assert "/static/css/site.css" in html
    assert not re.search(r'(src|href)="https?://', html)


@pytest.mark.django_db
def test_stylesheet_is_served(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert b"skip-link" in b"".join(response.streaming_content)


@pytest.mark.django_db
def test_privacy_policy_lists_registered_data_with_retention(client):
    response = client.get("/privacy/")
    html = response.content.decode()
    assert "User" in html
    assert "1 year after the purpose ends" in html


@pytest.mark.django_db
def test_dashboard_needs_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_dashboard_is_not_cached(member_client):
    response = member_client.get("/dashboard/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_unknown_page_is_a_404(client):
    assert client.get("/no-such-page/").status_code == 404
