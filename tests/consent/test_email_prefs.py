"""E-mail preferences, marketing mail, and one-click unsubscribe (RFC 8058)."""

import re

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from consent import mail as privacy_mail
from consent.models import ConsentRecord, MarketingSuppression, Purpose
from consent.selectors import consent_is_granted
from consent.selectors import marketing_suppression_hash as suppression_hash
from consent.services import consent_record
from consent.texts import purpose_text
from privacy.models import DataSubjectRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://worksome.example"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def _grant(user, purpose=Purpose.MARKETING_EMAIL):
    consent_record(purpose=purpose, granted=True, source="settings", user=user)


def _records(user, purpose=Purpose.MARKETING_EMAIL):
    return ConsentRecord.objects.filter(user=user, purpose=purpose).count()


def _send(user):
    return privacy_mail.marketing_mail_send(
        user=user, subject="New opportunities", body="Three new Django gigs."
    )


def _html(message) -> str:
    return next(c for c, mime in message.alternatives if mime == "text/html")


def _unsubscribe_path(message) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    url = re.fullmatch(r"<(.+)>", header).group(1)
    assert url.startswith(f"{SITE}/privacy/unsubscribe/")
    return url.removeprefix(SITE)


# --- Preferences -------------------------------------------------------------------


def test_marketing_is_off_by_default_and_nothing_is_sent(member):
    assert privacy_mail.email_preferences_get(user=member) == {
        "marketing": False,
        "opportunities": False,
        "tracking": False,
    }
    assert _send(member) is False
    assert mail.outbox == []


def test_the_preferences_page_shows_both_off_for_a_new_member(member_client):
    response = member_client.get("/privacy/email/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="marketing" value="no"' in html
    assert re.search(r'name="marketing" value="no"[^>]*checked', html)
    assert "Service messages" in html


def test_marketing_is_on_only_after_the_form_records_consent(member, member_client):
    assert _send(member) is False
    response = member_client.post(
        "/privacy/email/", {"marketing": "yes", "tracking": "no"}
    )
    assert response.status_code == 302
    record = ConsentRecord.objects.get(user=member, purpose=Purpose.MARKETING_EMAIL)
    assert record.granted and record.source == "settings"
    assert record.actor == member
    # The record proves the text the form showed.
    assert record.version.text == purpose_text(Purpose.MARKETING_EMAIL)
    # "No" to tracking was already the state: no record for it.
    assert _records(member, Purpose.EMAIL_TRACKING) == 0
    assert _send(member) is True
    assert len(mail.outbox) == 1


def test_saving_the_same_choice_again_records_nothing(member, member_client):
    member_client.post("/privacy/email/", {"marketing": "yes", "tracking": "yes"})
    member_client.post("/privacy/email/", {"marketing": "yes", "tracking": "yes"})
    assert _records(member) == 1
    assert _records(member, Purpose.EMAIL_TRACKING) == 1


def test_turning_marketing_off_in_the_form_withdraws_consent(member, member_client):
    _grant(member)
    member_client.post("/privacy/email/", {"marketing": "no", "tracking": "no"})
    assert not consent_is_granted(purpose=Purpose.MARKETING_EMAIL, user=member)
    assert _send(member) is False


@pytest.mark.parametrize(
    "data",
    [
        {"marketing": "banana", "tracking": "no"},
        {"marketing": "yes"},
        {"marketing": "1", "tracking": "on"},
        {},
    ],
)
def test_garbage_in_the_preferences_form_is_an_error_and_records_nothing(
    member, member_client, data
):
    response = member_client.post("/privacy/email/", data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not ConsentRecord.objects.filter(user=member).exists()


def test_the_preferences_form_needs_a_csrf_token(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post("/privacy/email/", {"marketing": "yes", "tracking": "yes"})
    assert response.status_code == 403
    assert not ConsentRecord.objects.filter(user=member).exists()


def test_the_preferences_page_needs_a_login(client):
    response = client.get("/privacy/email/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    response = client.post("/privacy/email/", {"marketing": "yes", "tracking": "yes"})
    assert response.status_code == 302
    assert not ConsentRecord.objects.exists()


def test_the_dashboard_links_to_the_preferences(member_client):
    response = member_client.get("/dashboard/")
    assert 'href="/privacy/email/"' in response.content.decode()


# --- Who gets marketing ----------------------------------------------------------


def test_a_restricted_member_gets_no_marketing(member):
    _grant(member)
    DataSubjectRequest.objects.create(
        kind=DataSubjectRequest.Kind.RESTRICTION,
        subject=member,
        email=member.email,
        due_at=timezone.now(),
        restriction_applied_at=timezone.now(),
    )
    assert _send(member) is False
    assert mail.outbox == []


def test_a_suppressed_address_gets_no_marketing_even_with_consent(member):
    _grant(member)
    MarketingSuppression.objects.create(email_hash=suppression_hash(member.email))
    assert _send(member) is False
    assert mail.outbox == []


def test_a_closed_account_gets_no_marketing(member):
    _grant(member)
    member.is_active = False
    member.save()
    assert _send(member) is False


# --- The message -----------------------------------------------------------------


def test_marketing_mail_has_rfc_8058_headers_and_an_unsubscribe_link(member):
    _grant(member)
    assert _send(member) is True
    message = mail.outbox[0]
    assert message.to == [member.email]
    path = _unsubscribe_path(message)
    assert message.extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
    assert f"{SITE}{path}" in message.body
    assert f"{SITE}{path}" in _html(message)
    # The headers survive into the raw message.
    raw = message.message().as_string()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw


def test_no_tracking_pixel_without_tracking_consent(member):
    _grant(member)
    _send(member)
    html = _html(mail.outbox[0])
    assert "<img" not in html
    assert "/privacy/email/open/" not in html


def test_tracking_pixel_only_with_current_tracking_consent(member):
    _grant(member)
    _grant(member, Purpose.EMAIL_TRACKING)
    _send(member)
    html = _html(mail.outbox[0])
    pixel = re.search(r'<img src="([^"]+)"', html).group(1)
    assert pixel.startswith(f"{SITE}/privacy/email/open/")
    assert "/privacy/email/open/" not in mail.outbox[0].body  # not in the text part

    response = Client().get(pixel.removeprefix(SITE))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"

    consent_record(
        purpose=Purpose.EMAIL_TRACKING, granted=False, source="settings", user=member
    )
    _send(member)
    assert "<img" not in _html(mail.outbox[1])


def test_a_forged_pixel_link_gets_the_gif_and_records_nothing(client):
    """The pixel answers the same image to any token, so it tells nothing
    (tests/consent/test_email_opens.py: opens are recorded for valid tokens
    with consent only)."""
    from consent.models import EmailOpen

    response = client.get("/privacy/email/open/not-a-token/")
    assert (response.status_code, response["Content-Type"]) == (200, "image/gif")
    assert not EmailOpen.objects.exists()


def test_html_part_escapes_the_body(member):
    _grant(member)
    privacy_mail.marketing_mail_send(
        user=member, subject="Hi", body="<script>alert(1)</script>"
    )
    assert "<script>" not in _html(mail.outbox[0])


# --- Unsubscribe -----------------------------------------------------------------


def _mailed_unsubscribe_path(user) -> str:
    _grant(user)
    assert _send(user)
    return _unsubscribe_path(mail.outbox[-1])


def test_unsubscribe_works_without_login_after_a_confirm_page(member):
    path = _mailed_unsubscribe_path(member)
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(path)
    assert page.status_code == 200
    assert b'method="post"' in page.content
    # GET alone (a link scanner) changes nothing.
    assert consent_is_granted(purpose=Purpose.MARKETING_EMAIL, user=member)

    response = anonymous.post(path)
    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    assert not consent_is_granted(purpose=Purpose.MARKETING_EMAIL, user=member)
    withdrawal = ConsentRecord.objects.get(
        user=member, purpose=Purpose.MARKETING_EMAIL, superseded_at__isnull=True
    )
    assert withdrawal.granted is False
    assert _send(member) is False


def test_unsubscribe_is_idempotent(member):
    path = _mailed_unsubscribe_path(member)
    first = Client().post(path)
    records = _records(member)
    second = Client().post(path)
    assert first.status_code == second.status_code == 200
    for response in (first, second):
        assert b"You are unsubscribed" in response.content
    assert _records(member) == records == 2  # the grant and one withdrawal


def test_rfc_8058_one_click_post_unsubscribes(member):
    path = _mailed_unsubscribe_path(member)
    # What a mail client sends: a form POST with this body, no cookies, no token.
    response = Client(enforce_csrf_checks=True).post(
        path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not consent_is_granted(purpose=Purpose.MARKETING_EMAIL, user=member)


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        signing.dumps({"u": 1, "p": "marketing_email"}, salt="another.salt"),
        signing.dumps({"u": 1, "p": "marketing_email"}, key="not-the-secret-key"),
    ],
    # Fixed ids: the signed tokens hold a timestamp, and pytest-xdist's
    # workers must collect the same test names.
    ids=["garbage", "another-salt", "another-key"],
)
def test_a_forged_unsubscribe_token_is_400_and_records_nothing(member, token):
    _grant(member)
    for method in ("get", "post"):
        response = getattr(Client(), method)(f"/privacy/unsubscribe/{token}/")
        assert response.status_code == 400
        assert b"not valid" in response.content
    assert _records(member) == 1
    assert consent_is_granted(purpose=Purpose.MARKETING_EMAIL, user=member)


def test_a_token_for_one_member_is_tampered_into_another_is_refused(member):
    other = UserFactory()
    _grant(other)
    token = privacy_mail.unsubscribe_token_make(user=member)
    _value, signature = token.rsplit(":", 1)
    forged = signing.dumps({"u": other.pk, "p": "marketing_email"}, salt="x")
    forged = forged.rsplit(":", 1)[0] + ":" + signature
    response = Client().post(f"/privacy/unsubscribe/{forged}/")
    assert response.status_code == 400
    assert consent_is_granted(purpose=Purpose.MARKETING_EMAIL, user=other)


def test_unsubscribe_leaves_other_consents_alone(member):
    _grant(member, Purpose.EMAIL_TRACKING)
    path = _mailed_unsubscribe_path(member)
    Client().post(path)
    assert consent_is_granted(purpose=Purpose.EMAIL_TRACKING, user=member)
