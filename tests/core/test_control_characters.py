"""Control characters at the input boundaries: 4xx or a form error, never 500."""

import pytest
from django.core import mail

from profiles.models import CompanyInvitation
from tests.factories import CompanyFactory, UserFactory


@pytest.mark.parametrize(
    "url",
    [
        "/media/photos/%00",
        "/media/photos/a%0Ab.jpg",
        "/freelancers/%00/",
        "/companies/%00x/",
        "/privacy/versions/?from=%00",
        "/freelancers/?q=%00",
        "/freelancers/?city=a%01b",
        "/api/v1/freelancers/?q=%00",
        "/companies/?q=%7F",
    ],
)
def test_nul_and_controls_in_paths_and_queries_are_refused(client, db, url):
    response = client.get(url)
    assert response.status_code in (400, 404), url


def test_api_refusal_is_json_in_the_error_shape(client, db):
    response = client.get("/api/v1/freelancers/?q=%00")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}


def test_api_path_with_a_control_character_answers_json_404(client, db):
    """Schemathesis found the API answering text/plain here, against its schema."""
    response = client.get("/api/v1/privacy/requests/%18/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail", "errors"}


def test_nul_in_a_form_post_is_refused(client, db):
    client.force_login(UserFactory())
    response = client.post("/dashboard/profile/", {"full_name": "A\x00B"})
    assert response.status_code == 400


def test_line_break_in_a_company_name_is_a_form_error(client, db):
    client.force_login(UserFactory())
    response = client.post(
        "/companies/new/",
        {"name": "Evil\r\nBcc: x@example.com", "cvr": "", "country": "DK"},
    )
    assert response.status_code == 200
    assert "name" in response.context["form"].errors


def test_line_break_in_a_profile_name_is_an_api_field_error(client, db):
    client.force_login(UserFactory())
    response = client.patch(
        "/api/v1/me/profile/",
        {"full_name": "A\nB", "bio": "two\nlines are fine"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"full_name"}


def test_invitation_from_a_company_whose_name_holds_a_line_break_is_sent(
    client, db, django_capture_on_commit_callbacks
):
    """A name stored before names were checked: the invitation is still sent."""
    owner = UserFactory()
    company = CompanyFactory(name="Old\r\nName")
    company.memberships.create(user=owner, role="owner")
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/companies/{company.slug}/invite/",
            {"email": "new@example.com", "role": "member"},
        )
    assert response.status_code == 302
    invitation = CompanyInvitation.objects.get(company=company)
    assert invitation.email == "new@example.com"
    assert len(mail.outbox) == 1
    assert "Old Name" in mail.outbox[0].subject
