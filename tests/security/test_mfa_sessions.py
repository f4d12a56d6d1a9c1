"""Staff MFA in the admin, and session rules: rotation, idle timeout, password
change, re-authentication."""

import datetime as dt

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from core.security import SESSION_STARTED_KEY
from profiles.management.commands.seed_demo import DEMO_PASSWORD
from tests.factories import UserFactory
from tests.security.totp import activate_totp, totp_code

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"


def _staff(*codenames, **kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.mark.parametrize(
    "codenames",
    [("reveal_cpr",), ("process_datasubjectrequest",), ("view_datasubjectrequest",)],
)
def test_admin_refuses_sensitive_staff_without_totp(client, codenames):
    client.force_login(_staff("view_freelancerprofile", *codenames))
    for path in ("/admin/", "/admin/profiles/freelancerprofile/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == ACTIVATE


def test_superuser_without_totp_is_refused(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/")["Location"] == ACTIVATE


def test_every_staff_member_needs_totp_for_the_admin(client):
    """Any permission is a staff power: without TOTP, none of them counts."""
    staff = _staff("view_company")
    client.force_login(staff)
    assert client.get("/admin/")["Location"] == ACTIVATE
    assert not staff.has_perm("profiles.view_company")
    activate_totp(staff)
    staff = type(staff).objects.get(pk=staff.pk)
    assert staff.has_perm("profiles.view_company")
    assert client.get("/admin/").status_code == 200


def test_admin_password_login_is_replaced_by_the_account_login(client):
    response = client.get("/admin/login/?next=/admin/profiles/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/profiles/"
    offsite = client.get("/admin/login/?next=https://evil.example/")
    assert offsite["Location"] == "/accounts/login/?next=/admin/"


def test_staff_log_in_with_password_and_totp_then_use_the_admin(client, password):
    staff = _staff("view_freelancerprofile", "reveal_cpr")
    secret = activate_totp(staff)
    response = client.post(
        "/accounts/login/", {"login": staff.email, "password": password}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302  # not logged in yet
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    ok = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert ok.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/profiles/freelancerprofile/").status_code == 200


def test_staff_set_up_totp_with_a_real_code_and_get_in(client, password):
    staff = _staff("process_datasubjectrequest")
    client.force_login(staff)
    client.post("/accounts/reauthenticate/", {"password": password})
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    secret = page.context["form"].secret
    bad = client.post(ACTIVATE, {"code": "123456"})
    assert bad.status_code == 200
    assert not Authenticator.objects.filter(user=staff).exists()
    done = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert done.status_code == 302
    assert Authenticator.objects.filter(
        user=staff, type=Authenticator.Type.TOTP
    ).exists()
    assert client.get("/admin/").status_code == 200


# --- Sessions ----------------------------------------------------------------


def test_login_gives_a_new_session_key(client, member, password):
    client.get("/accounts/login/")
    client.session["probe"] = 1  # make sure a session exists before
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    client.post("/accounts/login/", {"login": member.email, "password": password})
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_idle_session_ends(member_client):
    assert member_client.get("/dashboard/").status_code == 200
    key = member_client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = member_client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_activity_pushes_the_idle_timeout(member_client, settings):
    member_client.get("/dashboard/")
    key = member_client.session.session_key
    soon = timezone.now() + dt.timedelta(seconds=30)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    assert member_client.get("/dashboard/").status_code == 200
    pushed = Session.objects.get(session_key=key).expire_date
    assert pushed > soon + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_password_change_ends_every_other_session(member, password):
    laptop, phone = Client(), Client()
    for browser in (laptop, phone):
        browser.post("/accounts/login/", {"login": member.email, "password": password})
        assert browser.get("/dashboard/").status_code == 200
    laptop.post("/accounts/reauthenticate/", {"password": password})
    response = laptop.post(
        "/accounts/password/change/",
        {
            "oldpassword": password,
            "password1": "a-brand-new-passphrase-7",
            "password2": "a-brand-new-passphrase-7",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/dashboard/").status_code == 200
    assert phone.get("/dashboard/").status_code == 302


def test_password_change_needs_the_current_password(member_client, member, password):
    """The change form itself is the re-authentication: the old password."""
    response = member_client.post(
        "/accounts/password/change/",
        {
            "oldpassword": "not-the-password-1",
            "password1": "a-brand-new-passphrase-7",
            "password2": "a-brand-new-passphrase-7",
        },
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.check_password(password)


def test_email_change_asks_for_the_password_again(member_client):
    response = member_client.post(
        "/accounts/email/", {"action_add": "", "email": "new@example.com"}
    )
    assert response["Location"].startswith("/accounts/reauthenticate/")


def test_cpr_reveal_asks_for_the_password_again(member_client):
    response = member_client.get("/dashboard/profile/cpr/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")


# --- Passwords and session lifetime to ASVS level 2 (issue 15 item 10) -------


def _signup(client, password: str):
    return client.post(
        "/accounts/signup/",
        {
            "role": "freelancer",
            "name": "Asvs Member",
            "email": "asvs@example.com",
            "password1": password,
            "password2": password,
        },
    )


@pytest.mark.parametrize(
    "password",
    ["eleven-char", "password1234", "qwertyuiop123"],
    ids=["shorter than 12", "common", "common keyboard walk"],
)
def test_short_or_common_passwords_are_refused(client, password):
    response = _signup(client, password)
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not UserFactory._meta.model.objects.filter(email="asvs@example.com").exists()


def test_a_twelve_character_password_and_the_demo_password_pass(client):
    validate_password(DEMO_PASSWORD)
    assert _signup(client, "abcdefghijk1").status_code == 302


def test_a_session_ends_after_its_absolute_lifetime_however_active(
    member_client, settings
):
    assert member_client.get("/dashboard/").status_code == 200
    session = member_client.session
    started = session[SESSION_STARTED_KEY]
    # Active a minute ago, but logged in longer ago than the lifetime allows.
    session[SESSION_STARTED_KEY] = started - settings.SESSION_ABSOLUTE_LIFETIME - 1
    session.save()
    response = member_client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in member_client.session


def test_a_session_within_its_lifetime_goes_on(member_client, settings):
    member_client.get("/dashboard/")
    session = member_client.session
    session[SESSION_STARTED_KEY] -= settings.SESSION_ABSOLUTE_LIFETIME - 60
    session.save()
    assert member_client.get("/dashboard/").status_code == 200
