"""Public profile slugs come from the name, never from the e-mail address."""

import pytest
from django.core.files.base import ContentFile

from privacy.registry import personal_data
from profiles import services
from profiles.models import FreelancerProfile, FreelancerSlugHistory
from tests.factories import UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def zq_user(db):
    return UserFactory(email="zq7erase@example.com")


def test_a_new_profile_slug_holds_no_part_of_the_email(client, zq_user):
    client.force_login(zq_user)
    client.get("/dashboard/profile/")
    profile = FreelancerProfile.objects.get(user=zq_user)
    assert "zq7erase" not in profile.slug
    api = UserFactory(email="apiperson77@example.com")
    client.force_login(api)
    client.patch(
        "/api/v1/me/profile/", {"headline": "x"}, content_type="application/json"
    )
    assert "apiperson77" not in FreelancerProfile.objects.get(user=api).slug


def test_the_slug_follows_the_name_and_the_old_one_redirects(client, zq_user):
    profile = services.freelancer_profile_create(user=zq_user, full_name="zq7erase")
    services.freelancer_publish(profile=profile, actor=zq_user)
    old = profile.slug
    profile = services.freelancer_profile_update(
        profile=profile, actor=zq_user, data={"full_name": "Anna Jensen"}
    )
    assert profile.slug.startswith("anna-jensen-")
    assert FreelancerSlugHistory.objects.filter(slug=old, profile=profile).exists()
    response = client.get(f"/freelancers/{old}/")
    assert response.status_code == 301
    assert response["Location"] == f"/freelancers/{profile.slug}/"
    assert client.get(response["Location"]).status_code == 200


def test_an_old_slug_of_a_hidden_profile_does_not_reveal_the_new_one(client, zq_user):
    profile = services.freelancer_profile_create(user=zq_user, full_name="Anna")
    old = profile.slug
    services.freelancer_profile_update(
        profile=profile, actor=zq_user, data={"full_name": "Bo Hansen"}
    )
    assert client.get(f"/freelancers/{old}/").status_code == 404


def test_cv_file_name_holds_no_part_of_the_email(
    client, zq_user, verified_company_member
):
    profile = services.freelancer_profile_create(user=zq_user, full_name="zq7erase")
    services.freelancer_publish(profile=profile, actor=zq_user)
    profile.cv.save("cv.pdf", ContentFile(PDF), save=True)
    client.force_login(verified_company_member)
    response = client.get(f"/freelancers/{profile.slug}/cv/")
    assert response.status_code == 200
    assert "zq7erase" not in response["Content-Disposition"]


def test_slugs_and_former_slugs_are_exported(zq_user):
    profile = services.freelancer_profile_create(user=zq_user, full_name="Anna")
    old = profile.slug
    profile = services.freelancer_profile_update(
        profile=profile, actor=zq_user, data={"full_name": "Bo"}
    )
    exported = {}
    for model in (FreelancerProfile, FreelancerSlugHistory):
        declaration = personal_data.get(model)
        fields = declaration.exported_fields()
        exported[model] = [
            declaration.export_row(row, fields=fields)
            for row in declaration.export_queryset(zq_user)
        ]
    assert exported[FreelancerProfile][0]["slug"] == profile.slug
    assert [row["slug"] for row in exported[FreelancerSlugHistory]] == [old]
