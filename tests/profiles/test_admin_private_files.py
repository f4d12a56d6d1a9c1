"""Admin pages of objects with private files (CVs) answer, without a file URL.

The private storage refuses ``url()``; Django's file widget and read-only
display ask for it, so every such change page answered 500.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile

from core.admin import PrivateFileAdminMixin, private_file_fields
from tests.factories import UserFactory
from tests.security.totp import activate_totp

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def profile_with_cv(freelancer):
    freelancer.cv.save("cv.pdf", ContentFile(PDF), save=True)
    return freelancer


def _view_only_staff():
    user = UserFactory(is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_freelancerprofile", "view_cvdownload"]
        )
    )
    activate_totp(user)
    return user


@pytest.mark.parametrize("role", ["superuser", "view_only"])
def test_change_page_of_a_profile_with_a_cv_shows_the_cv_as_a_checked_link(
    client, admin_user, profile_with_cv, role
):
    client.force_login(admin_user if role == "superuser" else _view_only_staff())
    response = client.get(
        f"/admin/profiles/freelancerprofile/{profile_with_cv.pk}/change/"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert profile_with_cv.cv.name in html
    assert f'href="/freelancers/{profile_with_cv.slug}/cv/"' in html
    # Never an upload input for the CV: uploads go through the checked service.
    assert 'name="cv"' not in html


def test_superuser_saves_a_profile_with_a_cv_and_the_cv_stays(
    client, admin_user, profile_with_cv
):
    client.force_login(admin_user)
    url = f"/admin/profiles/freelancerprofile/{profile_with_cv.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    data = {
        name: form[name].value() or ""
        for name in form.fields
        if name not in ("skills",)
    }
    data.update(
        {
            "cv_downloads-TOTAL_FORMS": "0",
            "cv_downloads-INITIAL_FORMS": "0",
            "full_name": "Renamed Person",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    profile_with_cv.refresh_from_db()
    assert profile_with_cv.full_name == "Renamed Person"
    assert profile_with_cv.cv.name.startswith("cv/")


def test_every_admin_that_shows_a_private_file_renders_it_safely():
    """A new model with a private file field gets the mixin, or excludes it."""
    for model, model_admin in admin.site._registry.items():
        shown = set(private_file_fields(model)) - set(model_admin.exclude or ())
        if shown:
            assert isinstance(model_admin, PrivateFileAdminMixin), model
