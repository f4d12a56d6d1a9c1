"""Admin: the CPR is masked; revealing it needs a permission and is audited."""

import pytest
from django.contrib.auth.models import Permission

from privacy.models import AuditEvent
from profiles import services
from tests.factories import UserFactory
from tests.security.totp import activate_totp

CPR = "0101901234"


@pytest.fixture
def profile_with_cpr(freelancer):
    services.freelancer_cpr_set(profile=freelancer, actor=freelancer.user, cpr=CPR)
    return freelancer


def _staff(*perms):
    user = UserFactory(is_staff=True)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    activate_totp(user)  # every staff member needs TOTP for the admin
    return user


def test_admin_change_page_shows_the_cpr_masked(client, profile_with_cpr):
    client.force_login(_staff("view_freelancerprofile", "change_freelancerprofile"))
    response = client.get(
        f"/admin/profiles/freelancerprofile/{profile_with_cpr.pk}/change/"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "******-1234" in html
    assert "010190" not in html


def test_reveal_without_the_permission_is_refused_and_not_logged(
    client, profile_with_cpr
):
    client.force_login(_staff("view_freelancerprofile"))
    url = f"/admin/profiles/freelancerprofile/{profile_with_cpr.pk}/reveal-cpr/"
    assert client.post(url).status_code == 403
    assert not AuditEvent.objects.filter(action="profile.cpr_revealed").exists()


def test_reveal_with_the_permission_shows_it_and_writes_an_audit_event(
    client, profile_with_cpr
):
    staff = _staff("view_freelancerprofile", "reveal_cpr")
    client.force_login(staff)
    url = f"/admin/profiles/freelancerprofile/{profile_with_cpr.pk}/reveal-cpr/"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "010190" not in confirm.content.decode()
    assert not AuditEvent.objects.filter(action="profile.cpr_revealed").exists()
    response = client.post(url)
    assert response.status_code == 200
    assert "010190-1234" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="profile.cpr_revealed")
    assert (event.actor, event.subject) == (staff, profile_with_cpr.user)


def test_company_verify_action(client, db):
    from tests.factories import CompanyFactory

    company = CompanyFactory()
    admin = UserFactory(is_staff=True, is_superuser=True)
    activate_totp(admin)
    client.force_login(admin)
    client.post(
        "/admin/profiles/company/",
        {"action": "verify", "_selected_action": [company.pk]},
    )
    company.refresh_from_db()
    assert company.is_verified
