"""The banner, /cookies/ and the accept/decline/choose endpoints over HTTP."""

import json
import re
from html import unescape

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from consent import catalogue, selectors, web
from consent.models import ConsentRecord

pytestmark = pytest.mark.usefixtures("catalogue")

VISITOR = django_settings.CONSENT_VISITOR_COOKIE_NAME
AJAX = {"HTTP_X_COOKIE_CONSENT_FETCH": "1"}


@pytest.fixture
def trackers(settings):
    settings.GA_MEASUREMENT_ID = "G-TEST123"
    settings.META_PIXEL_ID = "1234567890"
    settings.TWITTER_PIXEL_ID = "tw-abc12"


def _csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def _csrf_token(client: Client) -> str:
    client.get("/cookies/")
    return client.cookies["csrftoken"].value


# --- The banner ------------------------------------------------------------------


def test_a_fresh_visit_shows_the_banner_with_three_equal_choices(client):
    response = client.get("/")
    html = response.content.decode()
    assert 'id="consent-banner"' in html
    assert 'aria-labelledby="consent-banner-title"' in html
    buttons = re.findall(r'class="consent-button">([^<]+)<', html)
    assert buttons == ["Accept all", "Reject all", "Choose", "Save my choices"]
    # "Choose" shows a toggle per optional group, none ticked.
    toggles = re.findall(r'<input type="checkbox" role="switch"[^>]*>', html)
    assert len(toggles) == 2
    assert not any("checked" in toggle for toggle in toggles)
    # Skip link first, then the banner: one labelled region (a landmark)
    # holding its text and, after it, its buttons (axe "region").
    assert html.index('class="skip-link"') < html.index('id="consent-banner"')
    banner = re.search(r'<section id="consent-banner".*?</section>', html, re.S)[0]
    assert not re.search(r'<section id="consent-banner"[^>]*hidden', html)
    assert banner.index("consent-banner-text") < banner.index("Accept all")
    assert all(name in banner for name in ("Accept all", "Reject all", "Choose"))
    # Nothing was set and nothing recorded just by visiting.
    assert VISITOR not in response.cookies
    assert not ConsentRecord.objects.exists()


def test_a_fresh_visit_costs_no_consent_query_once_the_catalogue_is_cached(client):
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        Client().get("/")
    assert not [q["sql"] for q in queries if "consent" in q["sql"]]


def test_no_banner_once_chosen_and_the_site_works_after_reject_all(client):
    response = client.post("/cookies/decline/", {"all_groups": "on", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    # Rendered hidden, for the "Cookie settings" control to open in place.
    assert re.search(r'<section id="consent-banner"[^>]*hidden', html)
    assert client.get("/accounts/signup/").status_code == 200


# --- Recording a choice ----------------------------------------------------------


def test_accept_all_records_every_group_and_redirects_back(client):
    response = client.post(
        "/cookies/accept/",
        {"all_groups": "on", "source": "banner", "next": "/freelancers/?page=2"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/freelancers/?page=2"
    visitor = response.cookies[VISITOR]
    assert web.VISITOR_ID_RE.match(visitor.value)
    assert visitor["httponly"] is True
    assert visitor["samesite"] == "Lax"
    assert visitor["max-age"] == 365 * 24 * 60 * 60
    records = ConsentRecord.objects.order_by("purpose")
    assert [(r.purpose, r.granted, r.source) for r in records] == [
        ("cookies_analytics", True, "banner"),
        ("cookies_marketing", True, "banner"),
    ]
    assert {r.visitor_id for r in records} == {visitor.value}
    assert all(r.user is None and r.version.text for r in records)
    # django-cookie-consent's own cookie agrees, so its tags do too.
    library = response.cookies[django_settings.COOKIE_CONSENT_NAME].value
    assert "analytics=" in library and "marketing=" in library
    assert selectors.cookie_choices(visitor_id=visitor.value) == {
        "analytics": True,
        "marketing": True,
    }


def test_next_pointing_elsewhere_is_ignored(client):
    response = client.post(
        "/cookies/accept/", {"all_groups": "on", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/cookies/"


def test_choose_accepts_ticked_groups_and_rejects_the_rest(client):
    client.post("/cookies/choose/", {"cookie_groups": ["analytics"]})
    visitor_id = client.cookies[VISITOR].value
    assert selectors.cookie_choices(visitor_id=visitor_id) == {
        "analytics": True,
        "marketing": False,
    }


def test_choose_with_nothing_ticked_rejects_all(client):
    client.post("/cookies/choose/", {"source": "settings"})
    assert VISITOR not in client.cookies  # a refusal sets no unique id
    records = ConsentRecord.objects.all()
    assert {(r.purpose, r.granted, r.source) for r in records} == {
        ("cookies_analytics", False, "settings"),
        ("cookies_marketing", False, "settings"),
    }


def test_the_script_gets_json(client):
    response = client.post("/cookies/accept/", {"cookie_groups": "analytics"}, **AJAX)
    assert response.status_code == 200
    data = response.json()
    assert data["choices"] == {"analytics": True, "marketing": None}
    assert "_fbp" in data["expire_patterns"]
    assert "_ga" not in data["expire_patterns"]


def test_withdrawing_expires_the_groups_first_party_cookies(client):
    client.post("/cookies/accept/", {"all_groups": "on"})
    for name in ("_ga", "_ga_ABC123", "_fbp", "_twclid", "unrelated"):
        client.cookies[name] = "1"
    response = client.post("/cookies/decline/", {"all_groups": "on"}, **AJAX)
    assert sorted(response.json()["expired"]) == [
        "_fbp",
        "_ga",
        "_ga_ABC123",
        "_twclid",
    ]
    for name in ("_ga", "_ga_ABC123", "_fbp", "_twclid"):
        assert response.cookies[name]["max-age"] == 0
        assert response.cookies[name].value == ""
    assert "unrelated" not in response.cookies
    # Third-party cookies (fr on .facebook.com) cannot be expired from here.
    assert "fr" not in response.cookies


def test_a_logged_in_members_choice_is_recorded_for_the_member(member_client, member):
    member_client.post("/cookies/accept/", {"cookie_groups": "analytics"})
    assert selectors.cookie_choices(user=member)["analytics"] is True
    assert VISITOR not in member_client.cookies
    record = ConsentRecord.objects.get()
    assert record.user == member and record.actor == member


def test_logging_in_links_the_browsers_choices(client, member, password):
    client.post("/cookies/choose/", {"cookie_groups": ["marketing"]})
    response = client.post(
        "/accounts/login/", {"login": member.email, "password": password}
    )
    assert response.status_code == 302
    assert selectors.cookie_choices(user=member) == {
        "analytics": False,
        "marketing": True,
    }
    linked = ConsentRecord.objects.filter(user=member)
    assert {r.source for r in linked} == {"login_link"}


# --- Bad input: 4xx and nothing recorded -----------------------------------------


def test_an_unknown_group_is_refused(client):
    response = client.post("/cookies/accept/", {"cookie_groups": "spyware"})
    assert response.status_code == 400
    assert b"not saved" in response.content
    response = client.post("/cookies/decline/", {"cookie_groups": "necessary"}, **AJAX)
    assert response.status_code == 400
    assert response.json()["errors"]
    assert not ConsentRecord.objects.exists()


def test_accepting_nothing_is_refused(client):
    assert client.post("/cookies/accept/", {}).status_code == 400
    assert not ConsentRecord.objects.exists()


def test_a_forged_post_without_csrf_token_is_refused(db):
    client = _csrf_client()
    for url in ("/cookies/accept/", "/cookies/decline/", "/cookies/choose/"):
        response = client.post(url, {"all_groups": "on"})
        assert response.status_code == 403
    assert not ConsentRecord.objects.exists()


def test_a_post_with_the_csrf_token_works(db):
    client = _csrf_client()
    token = _csrf_token(client)
    response = client.post(
        "/cookies/accept/", {"all_groups": "on", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert ConsentRecord.objects.count() == 2


def test_a_one_megabyte_body_is_refused_before_it_is_read(db):
    client = _csrf_client()
    token = _csrf_token(client)
    response = client.post(
        "/cookies/accept/",
        {"all_groups": "on", "csrfmiddlewaretoken": token, "pad": "x" * 1_000_000},
    )
    assert response.status_code == 413
    assert not ConsentRecord.objects.exists()


def test_get_is_not_a_choice(client):
    assert client.get("/cookies/accept/").status_code == 405
    assert not ConsentRecord.objects.exists()


# --- /cookies/ -------------------------------------------------------------------


def test_the_cookie_page_lists_every_cookie_with_vendor_and_transfer(client):
    html = client.get("/cookies/").content.decode()
    for name in ("sessionid", "csrftoken", "consent_visitor", "_ga", "_ga_*", "_fbp"):
        assert f"<code>{name}</code>" in html
    assert "Google Ireland Ltd." in html
    assert "EU-US Data Privacy Framework" in html
    assert "Standard contractual clauses" in html
    assert "2 years" in html
    assert "Privacy Shield" not in html
    assert 'id="consent-banner"' not in html  # the page is the choice itself
    assert 'action="/cookies/choose/"' in html


def test_the_cookie_page_shows_the_current_choice(client):
    client.post("/cookies/choose/", {"cookie_groups": ["analytics"]})
    html = client.get("/cookies/").content.decode()
    assert re.search(r'id="cookie-settings-analytics" checked', html)
    assert not re.search(r'id="cookie-settings-marketing" checked', html)
    assert "Your choice: accepted" in html and "Your choice: rejected" in html


# --- Trackers --------------------------------------------------------------------


def test_no_tracker_markup_at_all_without_ids(client):
    html = client.get("/").content.decode()
    assert "consent/vendors/" not in html
    assert "<template data-consent-group" not in html


def test_trackers_wait_in_inert_templates_until_accepted(client, trackers):
    html = client.get("/").content.decode()
    # Consent Mode defaults load first, denied.
    assert re.search(r'gtag-consent-default.js" data-defaults="([^"]*)"', html)
    defaults = json.loads(unescape(re.search(r'data-defaults="([^"]*)"', html)[1]))
    assert defaults == dict.fromkeys(catalogue.CONSENT_MODE_SIGNALS, "denied")
    assert 'data-update="{}"' in html
    assert html.index("gtag-consent-default.js") < html.index("google-analytics.js")
    outside_templates = re.sub(r"<template.*?</template>", "", html, flags=re.S)
    assert "consent/vendors/google-analytics.js" not in outside_templates
    assert "consent/vendors/meta-pixel.js" not in outside_templates
    assert '<template data-consent-group="analytics">' in html
    assert '<template data-consent-group="marketing">' in html
    assert 'data-measurement-id="G-TEST123"' in html


def test_accepted_trackers_are_rendered(client, trackers):
    client.post("/cookies/choose/", {"cookie_groups": ["analytics"]})
    html = client.get("/").content.decode()
    update = json.loads(unescape(re.search(r'data-update="([^"]*)"', html)[1]))
    assert update == {"analytics_storage": "granted"}
    outside_templates = re.sub(r"<template.*?</template>", "", html, flags=re.S)
    assert 'google-analytics.js" data-measurement-id="G-TEST123"' in (outside_templates)
    assert "meta-pixel.js" not in outside_templates
    assert '<template data-consent-group="marketing">' in html


def test_a_tracker_cookie_without_consent_is_expired_on_any_page(client):
    client.post("/cookies/decline/", {"cookie_groups": "analytics"})
    client.cookies["_ga"] = "GA1.1.1"
    response = client.get("/")
    assert response.cookies["_ga"]["max-age"] == 0


def test_the_library_template_filters_agree_with_the_records(client, rf):
    """A consent cookie without a record behind it (no proof) counts for nothing."""
    from cookie_consent.templatetags.cookie_consent_tags import cookie_group_accepted

    client.post("/cookies/accept/", {"all_groups": "on"})
    library_cookie = client.cookies[django_settings.COOKIE_CONSENT_NAME].value
    stranger = Client()
    stranger.cookies[django_settings.COOKIE_CONSENT_NAME] = library_cookie
    response = stranger.get("/")
    assert 'id="consent-banner"' in response.content.decode()
    assert not cookie_group_accepted(response.wsgi_request, "analytics")
    response = client.get("/")
    assert cookie_group_accepted(response.wsgi_request, "analytics")


def test_cookie_settings_follow_the_session_cookie():
    assert (
        django_settings.COOKIE_CONSENT_SECURE == django_settings.SESSION_COOKIE_SECURE
    )
    assert django_settings.COOKIE_CONSENT_CACHE_BACKEND == "consent"


# --- Issue 16: signals, refusals without an id, durations, Danish -------------


def test_each_consent_mode_signal_maps_to_one_group_and_ads_are_never_granted():
    assert catalogue.CONSENT_MODE_SIGNALS == {
        "analytics_storage": "analytics",
        "ad_storage": None,
        "ad_user_data": None,
        "ad_personalization": None,
    }
    everything = catalogue.consent_mode_state({"analytics": True, "marketing": True})
    assert everything == {
        "analytics_storage": "granted",
        "ad_storage": "denied",
        "ad_user_data": "denied",
        "ad_personalization": "denied",
    }


def test_accept_all_grants_google_only_the_mapped_signal(client, trackers):
    client.post("/cookies/accept/", {"all_groups": "on"})
    html = client.get("/").content.decode()
    update = json.loads(unescape(re.search(r'data-update="([^"]*)"', html)[1]))
    assert update == {"analytics_storage": "granted"}
    page = client.get("/cookies/").content.decode()
    assert "accepting this group grants analytics_storage" in page
    assert "ad_storage, ad_user_data, ad_personalization are never granted" in page


def test_a_refusal_sets_no_unique_id_and_is_remembered(client):
    response = client.post("/cookies/decline/", {"all_groups": "on", "next": "/"})
    assert VISITOR not in response.cookies
    library = response.cookies["cookie_consent"].value
    assert library == "analytics=-1|marketing=-1"  # the same for every browser
    assert "refusal-" not in str(response.cookies)
    # Remembered: no banner on the next page, the choice is a refusal.
    html = client.get("/").content.decode()
    assert re.search(r'<section id="consent-banner"[^>]*hidden', html)
    page = client.get("/cookies/").content.decode()
    rejected = r'data-consent-state="\w+">\s*Your choice: rejected'
    assert len(re.findall(rejected, page)) == 2


def test_an_accept_sets_the_visitor_id_that_proves_it(client):
    response = client.post("/cookies/accept/", {"all_groups": "on", "next": "/"})
    visitor = response.cookies[VISITOR]
    assert web.VISITOR_ID_RE.match(visitor.value)
    assert visitor["max-age"] == django_settings.CONSENT_MAX_AGE_DAYS * 86400
    records = ConsentRecord.objects.filter(visitor_id=visitor.value, granted=True)
    assert records.count() == 2


def test_the_cookie_list_durations_follow_the_settings(client, settings):
    page = client.get("/cookies/").content.decode()
    assert "2 hours after your last visit" in page
    assert "<td>2 weeks</td>" not in page
    settings.SESSION_COOKIE_AGE = 60 * 60 * 24
    settings.CSRF_COOKIE_AGE = 60 * 60 * 24 * 2
    settings.CONSENT_MAX_AGE_DAYS = 180
    page = client.get("/cookies/").content.decode()
    assert "1 day after your last visit" in page
    assert "<td>2 days</td>" in page
    assert "<td>180 days</td>" in page  # consent_visitor
    translation.activate("da")
    try:
        client.cookies["django_language"] = "da"
        page = client.get("/cookies/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    finally:
        translation.deactivate()
    assert "1 dag efter dit seneste besøg" in page
    assert "<td>2 dage</td>" in page


PROPER_NAMES = {
    "X Corp. (USA)",
    "Google Ireland Ltd.; Google LLC (USA)",
    "Meta Platforms Ireland Ltd.; Meta Platforms, Inc. (USA)",
}


def _english_catalogue_sentences() -> set[str]:
    texts = set()
    for group in catalogue.GROUPS:
        texts |= {group["name"], group["description"]}
        for cookie in group["cookies"]:
            texts |= {
                cookie[key]
                for key in ("description", "purpose", "vendor", "vendor_country")
            }
    texts.add(catalogue.STORAGE_PURPOSE)
    with translation.override("en"):
        texts |= {"Until you close the browser", "Denmark"}
    # Proper names are the same in both languages.
    return texts - PROPER_NAMES


def test_banner_and_cookie_page_are_danish_on_danish_pages(client):
    client.cookies["django_language"] = "da"
    english = _english_catalogue_sentences() | {"Session"}
    for path in ("/", "/cookies/"):
        html = unescape(client.get(path, HTTP_ACCEPT_LANGUAGE="da").content.decode())
        assert 'lang="da"' in html
        # Sentences anywhere; one-word names (group names) as a whole text
        # ("Google Analytics" is a product name in both languages).
        found = sorted(
            t
            for t in english
            if (" " in t and t in html) or re.search(rf">\s*{re.escape(t)}\s*<", html)
        )
        assert found == [], (path, found)
    banner = client.get("/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Vælg selv" in banner and "Statistik" in banner
    page = client.get("/cookies/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Danmark" in page and "USA" in page


def test_every_catalogue_text_has_a_danish_translation():
    missing = []
    with translation.override("da"):
        for text in _english_catalogue_sentences():
            if translation.gettext(text) == text:
                missing.append(text)
    assert missing == []


VENDOR_FIRST_PARTY = [
    "_ga",
    "_ga_ABC123",
    "_gid",
    "_gat",
    "_gat_ABC123",
    "_gcl_au",
    "_gcl_aw",
    "_fbp",
    "_fbc",
    "_twclid",
]


def test_withdrawing_expires_every_catalogued_vendor_cookie_and_lists_storage(
    client,
):
    client.post("/cookies/accept/", {"all_groups": "on"})
    for name in [*VENDOR_FIRST_PARTY, "unrelated"]:
        client.cookies[name] = "1"
    response = client.post("/cookies/decline/", {"all_groups": "on"}, **AJAX)
    data = response.json()
    assert sorted(data["expired"]) == sorted(VENDOR_FIRST_PARTY)
    for name in VENDOR_FIRST_PARTY:
        assert response.cookies[name]["max-age"] == 0
    assert "unrelated" not in response.cookies
    # The script removes what the server cannot reach: every pattern, also
    # the vendors' own-domain names, and their storage keys.
    assert {"fr", "personalization_id", "muc_ads", "guest_id*"} <= set(
        data["expire_patterns"]
    )
    assert data["storage_patterns"] == {
        "localStorage": ["_ga*", "_gcl_*", "_fbp", "_fbc", "_twclid", "twq*"],
        "sessionStorage": ["_gcl_*", "_fbq*", "twq*"],
    }
