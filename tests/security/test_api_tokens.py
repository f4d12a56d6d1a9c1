"""API tokens: a second factor to get one, hashed at rest, expiry, last use,
revocation (member, password change or reset, erasure), never exported."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from core.storage import export_storage
from privacy.erasure import erasure_execute
from privacy.models import AuditEvent
from privacy.requests import services as dsr
from profiles import services
from profiles.models import ApiToken
from tests.factories import UserFactory
from tests.security.totp import activate_totp, totp_code
from worksome.celery import app

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _get_token(client, user, password, **extra):
    return client.post(
        TOKEN_URL,
        {"email": user.email, "password": password, **extra},
        content_type="application/json",
    )


def _api(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def _refused(key: str) -> bool:
    """DRF answers 403 (not 401) as session authentication comes first."""
    return _api(key).get("/api/v1/me/").status_code in (401, 403)


# --- Item 1: the second factor on the API -------------------------------------


def test_account_with_totp_gets_no_token_from_the_password_alone(client, password):
    user = UserFactory()
    secret = activate_totp(user)
    missing = _get_token(client, user, password)
    assert missing.status_code == 400
    assert "otp" in missing.json()["errors"]
    assert "token" not in missing.json()
    wrong = _get_token(client, user, password, otp="000000")
    assert wrong.status_code == 400
    assert "otp" in wrong.json()["errors"]
    assert not ApiToken.objects.filter(user=user).exists()
    ok = _get_token(client, user, password, otp=totp_code(secret))
    assert ok.status_code == 200
    assert _api(ok.json()["token"]).get("/api/v1/me/").json()["email"] == user.email
    # `code` is accepted as the field name too; a used code is not accepted twice.
    again = _get_token(client, user, password, code=totp_code(secret))
    assert again.status_code == 400


def test_account_without_totp_still_gets_a_token_with_its_password(client, password):
    user = UserFactory()
    response = _get_token(client, user, password)
    assert response.status_code == 200
    assert set(response.json()) == {"token", "id", "expiry"}


def test_wrong_totp_codes_lock_the_token_endpoint_like_the_web_login(
    client, password, settings
):
    user = UserFactory()
    secret = activate_totp(user)
    statuses = [
        _get_token(client, user, password, otp="000000").status_code
        for _attempt in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    # Locked out: even the right code gets no token during the cool-off.
    locked = _get_token(client, user, password, otp=totp_code(secret))
    assert locked.status_code == 429
    assert not ApiToken.objects.filter(user=user).exists()


# --- Item 4: hashed, expiring, last used, listed, revoked --------------------


def test_token_is_stored_hashed_and_expires(client, password, settings):
    user = UserFactory()
    body = _get_token(client, user, password).json()
    stored = ApiToken.objects.get(user=user)
    assert body["token"] not in (stored.digest, stored.token_key)
    ttl = settings.REST_KNOX["TOKEN_TTL"]
    assert stored.expiry - timezone.now() > ttl - dt.timedelta(minutes=1)
    ApiToken.objects.filter(pk=stored.pk).update(
        expiry=timezone.now() - dt.timedelta(seconds=1)
    )
    assert _refused(body["token"])


def test_each_use_records_last_used(client, password):
    user = UserFactory()
    key = _get_token(client, user, password).json()["token"]
    assert ApiToken.objects.get(user=user).last_used_at is None
    assert _api(key).get("/api/v1/me/").status_code == 200
    used = ApiToken.objects.get(user=user).last_used_at
    assert used is not None and timezone.now() - used < dt.timedelta(minutes=1)


def test_member_lists_and_revokes_tokens_by_api(password):
    user, other = UserFactory(), UserFactory()
    _mine, key = services.api_token_create(user=user)
    second, _key2 = services.api_token_create(user=user)
    theirs, _their_key = services.api_token_create(user=other)
    api = _api(key)
    listed = api.get("/api/v1/me/tokens/")
    assert listed.status_code == 200
    assert {t["id"] for t in listed.json()} == {_mine.pk, second.pk}
    assert set(listed.json()[0]) == {"id", "created", "last_used_at", "expiry"}
    assert key not in listed.content.decode()
    assert api.delete(f"/api/v1/me/tokens/{theirs.pk}/").status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    assert api.delete(f"/api/v1/me/tokens/{second.pk}/").status_code == 204
    assert not ApiToken.objects.filter(pk=second.pk).exists()
    assert AuditEvent.objects.filter(subject=user, action="api_token.revoked").exists()
    assert APIClient().get("/api/v1/me/tokens/").status_code in (401, 403)


def test_member_lists_and_revokes_tokens_on_the_web(client):
    user, other = UserFactory(), UserFactory()
    token, key = services.api_token_create(user=user)
    theirs, _ = services.api_token_create(user=other)
    client.force_login(user)
    page = client.get("/dashboard/tokens/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/dashboard/tokens/{token.pk}/revoke/" in html
    assert key not in html and token.token_key not in html
    assert client.post(f"/dashboard/tokens/{theirs.pk}/revoke/").status_code == 404
    response = client.post(f"/dashboard/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert _refused(key)


def test_password_change_revokes_every_token(client, password):
    user = UserFactory()
    _token, key = services.api_token_create(user=user)
    client.force_login(user)
    client.post(
        "/accounts/password/change/",
        {
            "oldpassword": password,
            "password1": "an-entirely-new-passphrase-5",
            "password2": "an-entirely-new-passphrase-5",
        },
    )
    assert not ApiToken.objects.filter(user=user).exists()
    assert _refused(key)


def test_password_reset_revokes_every_token(client):
    user = UserFactory()
    _token, key = services.api_token_create(user=user)
    client.post("/accounts/password/reset/", {"email": user.email})
    link = next(
        line
        for line in mail.outbox[-1].body.splitlines()
        if "/password/reset/key/" in line
    )
    path = link[link.index("/accounts/") :].strip()
    form = client.get(path, follow=True)
    client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {
            "password1": "a-reset-passphrase-2026",
            "password2": "a-reset-passphrase-2026",
        },
    )
    user.refresh_from_db()
    assert user.check_password("a-reset-passphrase-2026")
    assert not ApiToken.objects.filter(user=user).exists()
    assert _refused(key)


def test_a_password_set_outside_allauth_also_ends_the_tokens(db):
    """The admin or `changepassword` sends no allauth signal: the token's
    password fingerprint no longer matches, so it is refused and removed."""
    user = UserFactory()
    _token, key = services.api_token_create(user=user)
    user.set_password("set-by-an-administrator-1")
    user.save()
    assert _refused(key)
    assert not ApiToken.objects.filter(user=user).exists()


def test_erasure_deletes_the_tokens(db):
    user = UserFactory()
    _token, key = services.api_token_create(user=user)
    erasure_execute(user=user, actor=None)
    assert not ApiToken.objects.filter(user_id=user.pk).exists()
    assert _refused(key)


def test_export_shows_a_token_exists_but_never_its_key_or_digest(
    db, django_capture_on_commit_callbacks
):
    """Issue 14 item 5: the export held the live key; now only the dates."""
    user = UserFactory()
    token, key = services.api_token_create(user=user)
    services.api_token_touch(token=token)
    request = dsr.dsr_submit(user=user, kind="access")
    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            dsr.dsr_export_request(request=request, actor=None, base_url="http://t/")
    finally:
        app.conf.task_always_eager = old
    request.refresh_from_db()
    with export_storage.open_plain(request.export.file.name) as handle:
        zf = zipfile.ZipFile(io.BytesIO(handle.read()))
    rows = json.loads(zf.read("data.json"))["data"]["profiles.ApiToken"]
    assert [set(row) for row in rows] == [{"id", "created", "last_used_at", "expiry"}]
    assert rows[0]["id"] == token.pk and rows[0]["last_used_at"]
    text = "\n".join(zf.read(name).decode("utf-8", "replace") for name in zf.namelist())
    token.refresh_from_db()
    for secret in (key, token.digest, token.token_key, token.auth_hash):
        assert secret not in text


def test_staff_token_carries_staff_powers_only_with_totp(client, password):
    """A staff member's token is for the same person as the session: without
    TOTP the API treats them as a member; with TOTP the token needs the code."""
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="download_any_cv"))
    assert _get_token(client, staff, password).status_code == 200
    secret = activate_totp(staff)
    assert _get_token(client, staff, password).status_code == 400
    assert _get_token(client, staff, password, otp=totp_code(secret)).status_code == 200


def test_token_limit_per_member(db):
    user = UserFactory()
    for _ in range(services.API_TOKEN_LIMIT):
        services.api_token_create(user=user)
    response = Client().post(
        TOKEN_URL,
        {"email": user.email, "password": "correct-horse-battery-9"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert ApiToken.objects.filter(user=user).count() == services.API_TOKEN_LIMIT
