"""Changelist filters on hidden fields are refused (issue 15 item 8)."""

import pytest
from django.contrib import admin

from core.admin import ProtectedLookupsMixin
from profiles import services
from tests.factories import FreelancerProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize(
    "query",
    [
        "/admin/profiles/freelancerprofile/?cpr__isnull=False",
        "/admin/profiles/freelancerprofile/?cpr_hash__startswith=a",
        "/admin/profiles/freelancerprofile/?cpr_hash=abc",
        "/admin/profiles/freelancerprofile/?user__password__startswith=argon2",
        "/admin/profiles/user/?password__startswith=argon2",
        "/admin/privacy/datasubjectrequest/?token_hash__isnull=False",
        "/admin/privacy/exportarchive/?token_hash__startswith=0",
        "/admin/profiles/companyinvitation/?token_hash__gt=0",
    ],
)
def test_lookups_on_protected_fields_are_refused(staff_client, query):
    profile = FreelancerProfileFactory()
    services.freelancer_cpr_set(profile=profile, actor=profile.user, cpr="0101901234")
    response = staff_client.get(query)
    assert response.status_code == 400, query


def test_ordinary_filters_still_work(staff_client):
    FreelancerProfileFactory()
    for query in (
        "/admin/profiles/freelancerprofile/?country=DK",
        "/admin/profiles/freelancerprofile/?published_at__isnull=False",
        "/admin/profiles/freelancerprofile/?cpr_review_at__isnull=True",
    ):
        assert staff_client.get(query).status_code == 200, query


def test_every_admin_of_a_model_with_hidden_fields_uses_the_guard():
    """A model with an encrypted or hashed column is only registered with an
    admin that refuses lookups on it."""
    for model, model_admin in admin.site._registry.items():
        hidden = [
            f.name
            for f in model._meta.get_fields()
            if f.name.endswith("_hash")
            or type(f).__name__ == "EncryptedTextField"
            or f.name == "password"
        ]
        if hidden:
            assert isinstance(model_admin, ProtectedLookupsMixin), model._meta.label
