"""Consent records are read-only in the admin; cookies carry their details."""

import pytest
from cookie_consent.models import Cookie

from consent import services
from consent.models import ConsentRecord, Purpose
from tests.factories import UserFactory
from tests.security.totp import activate_totp

pytestmark = pytest.mark.usefixtures("catalogue")


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    activate_totp(admin)  # superusers need MFA for the admin
    client.force_login(admin)
    return client


@pytest.fixture
def record(db):
    return services.consent_record(
        purpose=Purpose.MARKETING_EMAIL, granted=True, source="api", user=UserFactory()
    )


def test_records_can_be_viewed(admin_client, record):
    changelist = admin_client.get("/admin/consent/consentrecord/")
    assert changelist.status_code == 200
    assert (
        b"marketing_email" in changelist.content
        or b"Marketing e-mail" in changelist.content
    )
    detail = admin_client.get(f"/admin/consent/consentrecord/{record.pk}/change/")
    assert detail.status_code == 200
    assert b"Send me news and offers" in detail.content  # the text shown
    assert b'name="_save"' not in detail.content


def test_records_cannot_be_added_changed_or_deleted_even_by_a_superuser(
    admin_client, record
):
    base = "/admin/consent/consentrecord/"
    assert admin_client.get(f"{base}add/").status_code == 403
    assert admin_client.get(f"{base}{record.pk}/delete/").status_code == 403
    response = admin_client.post(
        f"{base}{record.pk}/change/", {"granted": "", "purpose": "profile_photo"}
    )
    assert response.status_code == 403
    response = admin_client.post(
        base, {"action": "delete_selected", "_selected_action": [record.pk]}
    )
    assert ConsentRecord.objects.filter(pk=record.pk, granted=True).exists()
    record.refresh_from_db()
    assert record.purpose == Purpose.MARKETING_EMAIL


def test_cookie_admin_edits_vendor_and_transfer_details(admin_client):
    cookie = Cookie.objects.get(name="_ga")
    response = admin_client.get(f"/admin/cookie_consent/cookie/{cookie.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="details-0-vendor"' in html
    assert "EU-US Data Privacy Framework" in html
    assert "Privacy Shield" not in html
