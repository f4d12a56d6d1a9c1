"""Sign-up, verification, login, password reset and e-mail change via allauth."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from profiles.models import User
from tests.factories import UserFactory

SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"
DASHBOARD = "/dashboard/"


def _signup(
    client,
    email="new.member@example.com",
    password="a-Strong-pass-2026",
    role="freelancer",
    name="Nina Member",
):
    return client.post(
        SIGNUP,
        {
            "role": role,
            "name": name,
            "email": email,
            "password1": password,
            "password2": password,
        },
    )


def _confirmation_link(message) -> str:
    match = re.search(
        r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body
    )
    assert match, message.body
    return match.group(1)


@pytest.mark.django_db
def test_signup_sends_a_verification_mail_and_does_not_log_in(client):
    response = _signup(client)
    assert response.status_code == 302
    assert User.objects.filter(email="new.member@example.com").exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.member@example.com"]
    _confirmation_link(mail.outbox[0])
    # Not logged in: the member page sends them to the login page.
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_unverified_account_cannot_log_in_to_a_member_page(client):
    _signup(client)
    client.logout()
    response = client.post(
        LOGIN, {"login": "new.member@example.com", "password": "a-Strong-pass-2026"}
    )
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert client.get(DASHBOARD).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_following_the_verification_link_verifies_and_opens_the_dashboard(client):
    _signup(client)
    link = _confirmation_link(mail.outbox[0])
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new.member@example.com").verified
    client.logout()
    client.post(
        LOGIN, {"login": "new.member@example.com", "password": "a-Strong-pass-2026"}
    )
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert b"new.member@example.com" in response.content


@pytest.mark.django_db
def test_verified_member_logs_in_with_email_in_any_case(client, password):
    UserFactory(email="case@example.com")
    response = client.post(LOGIN, {"login": "CASE@Example.com", "password": password})
    assert response.status_code == 302
    assert client.get(DASHBOARD).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-address", "password1": "a-Strong-pass-2026"}, "email"),
        ({"email": "", "password1": "a-Strong-pass-2026"}, "email"),
        ({"email": "short@example.com", "password1": "abc12"}, "password1"),
        ({"email": "numeric@example.com", "password1": "83749201938"}, "password1"),
    ],
)
def test_bad_signup_input_gives_form_errors_and_no_account(client, data, field):
    data = {
        "role": "freelancer",
        "name": "Nina Member",
        **data,
        "password2": data["password1"],
    }
    response = client.post(SIGNUP, data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert User.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_mismatched_passwords_give_a_form_error(client):
    response = client.post(
        SIGNUP,
        {
            "role": "freelancer",
            "name": "X",
            "email": "x@example.com",
            "password1": "a-Strong-pass-2026",
            "password2": "another-Pass-2026",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_with_an_existing_email_answers_like_a_new_one(client):
    """Issue 15 item 13: no "already exists"; the member is told by mail."""
    existing = UserFactory(email="taken@example.com")
    taken = _signup(client, email="Taken@Example.com")
    new = _signup(Client(), email="fresh.member@example.com")
    assert taken.status_code == new.status_code == 302
    assert taken["Location"] == new["Location"]
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    existing.refresh_from_db()
    assert existing.check_password("correct-horse-battery-9")
    to_member = [m for m in mail.outbox if m.to == ["taken@example.com"]]
    assert len(to_member) == 1
    assert "/accounts/password/reset/" in to_member[0].body


@pytest.mark.django_db
def test_password_reset_does_not_reveal_whether_an_account_exists(client):
    UserFactory(email="known@example.com")
    known = client.post("/accounts/password/reset/", {"email": "known@example.com"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert known.content == unknown.content
    # Each address gets a mail, so the sender cannot tell them apart either.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "known@example.com",
        "nobody@example.com",
    ]


@pytest.mark.django_db
def test_password_reset_with_a_malformed_address_is_a_form_error(client):
    response = client.post("/accounts/password/reset/", {"email": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]


@pytest.mark.django_db
def test_email_change_needs_verification_of_the_new_address(
    member_client, member, password
):
    # Changing the address asks for the password again first.
    member_client.post("/accounts/reauthenticate/", {"password": password})
    response = member_client.post(
        "/accounts/email/", {"action_add": "", "email": "changed@example.com"}
    )
    assert response.status_code == 302
    new = EmailAddress.objects.get(email="changed@example.com")
    assert not new.verified
    assert mail.outbox[-1].to == ["changed@example.com"]
    member.refresh_from_db()
    assert member.email != "changed@example.com"


@pytest.mark.django_db
def test_logout_ends_the_session(member_client):
    assert member_client.get(DASHBOARD).status_code == 200
    member_client.post("/accounts/logout/")
    assert member_client.get(DASHBOARD).status_code == 302


def test_create_user_normalises_the_email(db):
    user = User.objects.create_user(email="Mixed.Case@EXAMPLE.com", password="x" * 12)
    assert user.email == "mixed.case@example.com"
    assert user.check_password("x" * 12)
    assert not user.is_staff


def test_create_superuser_is_staff(db):
    admin = User.objects.create_superuser(email="root@example.com", password="x" * 12)
    assert admin.is_staff and admin.is_superuser


def test_user_requires_an_email(db):
    with pytest.raises(ValueError, match="e-mail"):
        User.objects.create_user(email="", password="x" * 12)
