"""Company pages: creation, owners, invitations by e-mail."""

import re

import pytest
from django.core import mail

from core.crypto import token_hash
from profiles.models import Company, CompanyInvitation, CompanyMembership
from tests.factories import CompanyFactory, UserFactory

VALID_CVR = "24256790"


def test_member_creates_a_company_and_becomes_owner(client, member):
    client.force_login(member)
    response = client.post(
        "/companies/new/",
        {"name": "Acme ApS", "cvr": VALID_CVR, "country": "DK", "city": "Vejle"},
    )
    assert response.status_code == 302
    company = Company.objects.get(cvr=VALID_CVR)
    assert company.memberships.get().role == CompanyMembership.Role.OWNER
    assert client.get(company.get_absolute_url()).status_code == 200
    assert client.get("/companies/").status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"name": "X", "cvr": "12345678", "country": "DK"},
        {"name": "", "cvr": VALID_CVR, "country": "DK"},
        {"name": "X", "cvr": VALID_CVR, "country": "DK", "contact_email": "bad"},
        {"name": "X", "cvr": VALID_CVR, "country": "DK", "phone": "12"},
    ],
)
def test_bad_company_input_is_a_form_error(client, member, data):
    client.force_login(member)
    response = client.post("/companies/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Company.objects.exists()


def test_duplicate_cvr_is_a_form_error(client, member):
    CompanyFactory(cvr=VALID_CVR)
    client.force_login(member)
    response = client.post(
        "/companies/new/", {"name": "Copy", "cvr": VALID_CVR, "country": "DK"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["cvr"]


def test_only_owners_edit_and_invite(client, db):
    company = CompanyFactory()
    owner, plain = UserFactory(), UserFactory()
    company.memberships.create(user=owner, role="owner")
    company.memberships.create(user=plain, role="member")
    for url in (
        f"/companies/{company.slug}/edit/",
        f"/companies/{company.slug}/invite/",
    ):
        client.force_login(plain)
        assert client.get(url).status_code == 404
        client.force_login(owner)
        assert client.get(url).status_code == 200


def test_invitation_by_email_joins_the_invited_address_only(
    client, db, django_capture_on_commit_callbacks
):
    company = CompanyFactory()
    owner = UserFactory()
    company.memberships.create(user=owner, role="owner")
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/companies/{company.slug}/invite/",
            {"email": "colleague@example.com", "role": "member"},
        )
    assert mail.outbox[-1].to == ["colleague@example.com"]
    link = re.search(r"(/companies/invitations/[^/\s]+/)", mail.outbox[-1].body).group(
        1
    )

    stranger = UserFactory(email="stranger@example.com")
    client.force_login(stranger)
    response = client.post(link)
    assert response.status_code == 200
    assert not company.memberships.filter(user=stranger).exists()

    colleague = UserFactory(email="colleague@example.com")
    client.force_login(colleague)
    assert client.post(link).status_code == 302
    assert company.memberships.get(user=colleague).role == "member"
    # Used once: the link is dead afterwards.
    assert client.get(link).status_code == 404


def test_invitation_mail_leaves_only_once_the_invitation_is_committed(
    client, db, django_capture_on_commit_callbacks
):
    """No e-mail names a link whose invitation could still be rolled back."""
    company = CompanyFactory()
    owner = UserFactory()
    company.memberships.create(user=owner, role="owner")
    client.force_login(owner)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            f"/companies/{company.slug}/invite/",
            {"email": "colleague@example.com", "role": "member"},
        )
        assert response.status_code == 302
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["colleague@example.com"]]
    token = re.search(r"/companies/invitations/([^/\s]+)/", mail.outbox[0].body)[1]
    invitation = CompanyInvitation.objects.get(company=company)
    assert invitation.token_hash == token_hash(token) != token


def test_unknown_invitation_token_is_404(client, member):
    client.force_login(member)
    assert client.get("/companies/invitations/not-a-token/").status_code == 404


def test_erasing_one_member_leaves_the_company_page_to_the_others(db):
    from privacy.erasure import erasure_execute

    shared = CompanyFactory(contact_email="team@acme.example")
    alone = CompanyFactory(contact_email="solo@one.example")
    leaving, staying = UserFactory(), UserFactory()
    shared.memberships.create(user=leaving, role="owner")
    shared.memberships.create(user=staying, role="owner")
    alone.memberships.create(user=leaving, role="owner")

    erasure_execute(user=leaving, actor=leaving)

    shared.refresh_from_db()
    alone.refresh_from_db()
    assert shared.contact_email == "team@acme.example"
    assert list(shared.memberships.values_list("user", flat=True)) == [staying.pk]
    assert alone.contact_email == ""
