"""A deactivated account (is_active=False) is invisible on every path.

Pages (anonymous and logged in), the directory, the API, the photo files and
the CV all follow the directory's rule, so none shows a deactivated member.
"""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.factories import FreelancerProfileFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def deactivated(db):
    profile = FreelancerProfileFactory(full_name="Hidden Person")
    profile.photo = default_storage.save("photos/hidden.jpg", ContentFile(b"jpg"))
    profile.photo_thumbnail = default_storage.save(
        "photos/thumbs/hidden.jpg", ContentFile(b"jpg")
    )
    profile.cv.save("cv.pdf", ContentFile(PDF), save=False)
    profile.save()
    profile.user.is_active = False
    profile.user.save(update_fields=["is_active"])
    return profile


@pytest.fixture(params=["anonymous", "member", "company_member"])
def viewer(request, client, verified_company_member):
    if request.param == "member":
        client.force_login(UserFactory())
    elif request.param == "company_member":
        client.force_login(verified_company_member)
    return client


def test_profile_page_is_404(viewer, deactivated):
    assert viewer.get(f"/freelancers/{deactivated.slug}/").status_code == 404


def test_directory_and_home_leave_it_out(viewer, deactivated):
    for url in ("/freelancers/", "/freelancers/?q=Hidden", "/"):
        response = viewer.get(url)
        assert response.status_code == 200
        assert "Hidden Person" not in response.content.decode(), url


def test_api_detail_is_404_and_list_leaves_it_out(viewer, deactivated):
    assert viewer.get(f"/api/v1/freelancers/{deactivated.slug}/").status_code == 404
    listing = viewer.get("/api/v1/freelancers/?q=Hidden").json()
    assert listing["results"] == []


def test_photo_files_are_404(viewer, deactivated):
    for name in (deactivated.photo.name, deactivated.photo_thumbnail.name):
        assert viewer.get(f"/media/{name}").status_code == 404, name


def test_cv_is_404(viewer, deactivated):
    assert viewer.get(f"/freelancers/{deactivated.slug}/cv/").status_code in (
        302,  # anonymous: to the log-in page
        404,
    )


def test_cv_download_by_a_company_member_is_404(
    client, verified_company_member, deactivated
):
    client.force_login(verified_company_member)
    assert client.get(f"/freelancers/{deactivated.slug}/cv/").status_code == 404


def test_the_same_profile_active_is_visible(
    client, verified_company_member, deactivated
):
    """The control: it is the deactivation that hides it."""
    deactivated.user.is_active = True
    deactivated.user.save(update_fields=["is_active"])
    client.force_login(verified_company_member)
    assert client.get(f"/freelancers/{deactivated.slug}/").status_code == 200
    assert client.get(deactivated.photo.url).status_code == 200
    assert client.get(f"/freelancers/{deactivated.slug}/cv/").status_code == 200
