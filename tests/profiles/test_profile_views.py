"""Profile pages over HTTP: directory, access rules, uploads, CPR, CV downloads."""

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from privacy.models import AuditEvent
from profiles import services
from profiles.models import CvDownload, FreelancerProfile, Skill
from tests.factories import (
    PASSWORD,
    CompanyFactory,
    FreelancerProfileFactory,
    UserFactory,
)
from tests.profiles import upload_corpus as corpus
from tests.security.totp import activate_totp

CPR = "0101901234"


# --- Directory ----------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 50])
def test_directory_query_count_is_constant(
    client, db, count, django_assert_max_num_queries
):
    for i in range(count):
        FreelancerProfileFactory(skills=["Python", f"Skill{i % 7}"])
    # Warm the shared caches (cookie catalogue, policy version the banner cites).
    client.get("/freelancers/")
    with django_assert_max_num_queries(4):
        response = client.get("/freelancers/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == count


def test_directory_lists_only_published_public_profiles(client, db):
    shown = FreelancerProfileFactory(full_name="Ada Published")
    FreelancerProfileFactory(full_name="Bob Draft", published=False)
    FreelancerProfileFactory(full_name="Cy Restricted", restricted_at=timezone.now())
    closed = FreelancerProfileFactory(full_name="Di Closed")
    services.account_close(user=closed.user, actor=closed.user)
    html = client.get("/freelancers/").content.decode()
    assert shown.full_name in html
    for hidden in ("Bob Draft", "Cy Restricted", "Di Closed"):
        assert hidden not in html


def test_a_warm_directory_page_reads_only_which_profiles_it_shows(
    client, db, django_assert_num_queries
):
    for i in range(25):
        FreelancerProfileFactory(skills=["Python", f"Skill{i % 7}"])
    client.get("/freelancers/")  # counts, renders and caches the cards
    with django_assert_num_queries(1):  # the live page query; count and cards cached
        response = client.get("/freelancers/")
    assert response.context["page"].paginator.count == 25
    assert response.content.decode().count('class="card freelancer-card"') == 20


def test_cached_cards_never_show_what_changed_or_stopped_being_public(client, db):
    ada = FreelancerProfileFactory(full_name="Ada Lovelace", skills=["Python"])
    bo = FreelancerProfileFactory(full_name="Bo Closing")
    cy = FreelancerProfileFactory(full_name="Cy Restricted")

    def html():
        return client.get("/freelancers/").content.decode()

    assert "Bo Closing" in html() and "3 freelancers" in html()
    # Skills change through the m2m relation, which moves updated_at.
    ada.skills.add(Skill.objects.create(name="Rust", slug="rust"))
    assert "Rust" in html()
    # A write that bypasses save() but moves updated_at, as photo removal does.
    FreelancerProfile.objects.filter(pk=ada.pk).update(
        headline="Compilers", updated_at=timezone.now()
    )
    assert "Compilers" in html()
    # Closing unpublishes with QuerySet.update: no signal, yet gone at once.
    services.account_close(user=bo.user, actor=bo.user)
    # Restriction set in SQL, with no signal and no updated_at: gone at once.
    FreelancerProfile.objects.filter(pk=cy.pk).update(restricted_at=timezone.now())
    page = html()
    assert "Bo Closing" not in page and "Cy Restricted" not in page
    assert "Ada Lovelace" in page


def test_directory_search_by_competence_name_and_city(client, db):
    FreelancerProfileFactory(full_name="Ada", skills=["Django"], city="Aarhus")
    FreelancerProfileFactory(
        full_name="Bo", headline="Designer", skills=["Figma"], city="Odense"
    )

    def names(query):
        page = client.get("/freelancers/" + query).context["page"]
        return sorted(p.full_name for p in page)

    assert names("?q=djan") == ["Ada"]
    assert names("?q=bo") == ["Bo"]
    assert names("?skill=figma") == ["Bo"]
    assert names("?city=odense") == ["Bo"]
    assert names("?q=nothing-like-this") == []


def test_directory_tolerates_bad_query_input(client, db):
    FreelancerProfileFactory()
    for query in ["?page=abc", "?page=-1", "?page=99999", "?q=" + "x" * 5000]:
        assert client.get("/freelancers/" + query).status_code == 200
        assert client.get("/companies/" + query).status_code == 200
    # A control character is refused at the door (core.middleware).
    assert client.get("/freelancers/?q=%00").status_code == 400
    assert client.get("/companies/?q=%00").status_code == 400


# --- Profile page -------------------------------------------------------------


def test_public_profile_never_shows_cpr_phone_or_street(client, freelancer):
    services.freelancer_cpr_set(profile=freelancer, actor=freelancer.user, cpr=CPR)
    FreelancerProfile.objects.filter(pk=freelancer.pk).update(
        phone="+4520123456", street="Secret Street 1"
    )
    html = client.get(f"/freelancers/{freelancer.slug}/").content.decode()
    assert freelancer.full_name in html
    for secret in ("0101901234", "010190", "1234", "20123456", "Secret Street"):
        assert secret not in html


@pytest.mark.parametrize("state", ["unpublished", "restricted"])
def test_hidden_profile_is_404_for_others_but_visible_to_owner_and_staff(
    client, db, state
):
    profile = FreelancerProfileFactory(
        published=state != "unpublished",
        restricted_at=timezone.now() if state == "restricted" else None,
    )
    url = f"/freelancers/{profile.slug}/"
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(profile.user)
    assert client.get(url).status_code == 200
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(codename="view_freelancerprofile")
    )
    activate_totp(staff)  # staff powers need TOTP (issue 15 item 2)
    client.force_login(staff)
    assert client.get(url).status_code == 200


def test_a_visitors_cached_profile_page_follows_changes_and_visibility(
    client, db, django_assert_num_queries
):
    profile = FreelancerProfileFactory(full_name="Ada Lovelace", skills=["Python"])
    url = f"/freelancers/{profile.slug}/"
    client.get(url)
    with django_assert_num_queries(1):  # is it public, and which version
        assert "Ada Lovelace" in client.get(url).content.decode()
    services.freelancer_profile_update(
        profile=profile, actor=profile.user, data={"headline": "Analytical engines"}
    )
    assert "Analytical engines" in client.get(url).content.decode()
    profile.skills.add(Skill.objects.create(name="Rust", slug="rust"))
    assert "Rust" in client.get(url).content.decode()
    # Restricted in SQL: no signal, no updated_at, and still 404 at once.
    FreelancerProfile.objects.filter(pk=profile.pk).update(restricted_at=timezone.now())
    assert client.get(url).status_code == 404


def test_unknown_profile_is_404(client, db):
    assert client.get("/freelancers/no-such-person/").status_code == 404


# --- Owner pages ------------------------------------------------------------------


def test_owner_edits_profile_with_cvr_cpr_and_skills(client, freelancer):
    client.force_login(freelancer.user)
    response = client.post(
        "/dashboard/profile/",
        {
            "full_name": "Freja Jensen",
            "headline": "Backend developer",
            "phone": "+45 20 12 34 56",
            "company_name": "Freja IT",
            "website": "freja.example",
            "cvr": "24256790",
            "cpr": "010190-1234",
            "street": "Vej 1",
            "postal_code": "8000",
            "city": "Aarhus",
            "country": "dk",
            "bio": "Hello",
            "skills_text": "Python, Django",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    freelancer.refresh_from_db()
    assert freelancer.full_name == "Freja Jensen"
    assert str(freelancer.phone) == "+4520123456"
    assert freelancer.website == "https://freja.example"
    assert freelancer.country == "DK"
    assert freelancer.cpr == CPR
    assert sorted(s.name for s in freelancer.skills.all()) == ["Django", "Python"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cvr", "24256791"),
        ("cvr", "1234"),
        ("cpr", "320190-1234"),
        ("cpr", "abcdefghij"),
        ("phone", "not a phone"),
        ("website", "javascript:alert(1)"),
        ("country", "Denmark"),
        ("full_name", ""),
    ],
)
def test_bad_profile_input_is_a_form_error_and_saves_nothing(
    client, freelancer, field, value
):
    client.force_login(freelancer.user)
    data = {"full_name": "Ok Name", "country": "DK", field: value}
    response = client.post("/dashboard/profile/", data)
    assert response.status_code == 200
    assert response.context["form"].errors
    freelancer.refresh_from_db()
    assert freelancer.full_name != "Ok Name"
    assert freelancer.cpr is None


def test_owner_sees_cpr_masked_and_reveal_needs_reauthentication(client, freelancer):
    services.freelancer_cpr_set(profile=freelancer, actor=freelancer.user, cpr=CPR)
    client.force_login(freelancer.user)
    html = client.get("/dashboard/profile/").content.decode()
    assert "******-1234" in html and "010190" not in html
    response = client.get("/dashboard/profile/cpr/")
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    assert not AuditEvent.objects.filter(action="profile.cpr_revealed").exists()
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    response = client.get("/dashboard/profile/cpr/")
    assert response.status_code == 200
    assert "010190-1234" in response.content.decode()
    event = AuditEvent.objects.get(action="profile.cpr_revealed")
    assert event.actor == freelancer.user and event.subject == freelancer.user


def test_photo_upload_without_consent_is_refused(client, freelancer):
    client.force_login(freelancer.user)
    response = client.post("/dashboard/profile/photo/", {"photo": corpus.jpeg_photo()})
    assert response.status_code == 200
    assert response.context["form"].errors["consent"]
    freelancer.refresh_from_db()
    assert not freelancer.photo


@pytest.mark.parametrize(
    "upload",
    [
        corpus.png_bomb,
        corpus.pdf_renamed_jpg,
        corpus.svg_named_png,
        corpus.truncated_jpeg,
    ],
)
def test_bad_photo_is_a_form_error_not_a_500(client, freelancer, upload):
    client.force_login(freelancer.user)
    response = client.post(
        "/dashboard/profile/photo/", {"photo": upload(), "consent": "on"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["photo"]


@pytest.mark.parametrize(
    "upload",
    [
        corpus.png_renamed_pdf,
        corpus.docx_zip_bomb,
        corpus.oversized_pdf_cv,
        corpus.legacy_doc,
    ],
)
def test_bad_cv_is_a_form_error_not_a_500(client, freelancer, upload):
    client.force_login(freelancer.user)
    response = client.post("/dashboard/profile/cv/", {"cv": upload()})
    assert response.status_code == 200
    assert response.context["form"].errors["cv"]
    freelancer.refresh_from_db()
    assert not freelancer.cv


def test_publish_preview_shows_public_fields_then_publishes(client, db):
    profile = FreelancerProfileFactory(published=False, full_name="Preview Person")
    FreelancerProfile.objects.filter(pk=profile.pk).update(street="Hidden Road 9")
    client.force_login(profile.user)
    html = client.get("/dashboard/profile/publish/").content.decode()
    assert "Preview Person" in html and "Hidden Road 9" not in html
    response = client.post("/dashboard/profile/publish/", {"publish": "1"})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.is_published
    client.post("/dashboard/profile/publish/", {"unpublish": "1"})
    profile.refresh_from_db()
    assert not profile.is_published


def test_close_account_needs_confirmation(client, freelancer):
    client.force_login(freelancer.user)
    assert client.post("/dashboard/close/", {}).status_code == 200
    freelancer.user.refresh_from_db()
    assert freelancer.user.closed_at is None
    response = client.post("/dashboard/close/", {"confirm": "on"})
    assert response.status_code == 302
    freelancer.user.refresh_from_db()
    assert freelancer.user.closed_at is not None
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/profile/",
        "/dashboard/profile/photo/",
        "/dashboard/profile/cv/",
        "/dashboard/profile/publish/",
        "/dashboard/profile/cpr/",
        "/dashboard/close/",
        "/companies/new/",
    ],
)
def test_owner_pages_need_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- CV downloads: the permission matrix ------------------------------------------


@pytest.fixture
def profile_with_cv(freelancer):
    services.freelancer_cv_set(
        profile=freelancer, actor=freelancer.user, upload=corpus.pdf_cv()
    )
    freelancer.refresh_from_db()
    return freelancer


def _download(client, profile):
    return client.get(f"/freelancers/{profile.slug}/cv/")


def test_anonymous_cannot_download_a_cv(client, profile_with_cv):
    assert _download(client, profile_with_cv).status_code == 302


def test_plain_member_gets_404_for_a_cv(client, profile_with_cv):
    client.force_login(UserFactory())
    assert _download(client, profile_with_cv).status_code == 404


def test_member_of_unverified_company_gets_404(client, profile_with_cv):
    user = UserFactory()
    CompanyFactory(verified=False).memberships.create(user=user)
    client.force_login(user)
    assert _download(client, profile_with_cv).status_code == 404


def test_verified_company_member_downloads_and_is_recorded_as_recipient(
    client, profile_with_cv, verified_company_member
):
    client.force_login(verified_company_member)
    response = _download(client, profile_with_cv)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    download = CvDownload.objects.get(profile=profile_with_cv)
    assert download.downloaded_by == verified_company_member
    client.force_login(profile_with_cv.user)
    dashboard = client.get("/dashboard/").content.decode()
    assert download.company_name in dashboard


def test_verified_company_cannot_download_an_unpublished_cv(
    client, profile_with_cv, verified_company_member
):
    services.freelancer_unpublish(profile=profile_with_cv, actor=profile_with_cv.user)
    client.force_login(verified_company_member)
    assert _download(client, profile_with_cv).status_code == 404


def test_owner_downloads_own_cv_without_a_recipient_record(client, profile_with_cv):
    client.force_login(profile_with_cv.user)
    assert _download(client, profile_with_cv).status_code == 200
    assert not CvDownload.objects.exists()


def test_staff_needs_the_permission_to_download(client, profile_with_cv):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert _download(client, profile_with_cv).status_code == 404
    staff.user_permissions.add(Permission.objects.get(codename="download_any_cv"))
    staff = type(staff).objects.get(pk=staff.pk)
    client.force_login(staff)
    # The permission counts only with a second factor (issue 15 item 2).
    assert _download(client, profile_with_cv).status_code == 404
    activate_totp(staff)
    assert _download(client, profile_with_cv).status_code == 200
    assert AuditEvent.objects.filter(
        action="profile.cv_downloaded", actor=staff
    ).exists()


def test_cv_files_have_no_public_url(client, profile_with_cv):
    response = client.get("/media/" + profile_with_cv.cv.name)
    assert response.status_code == 404


# --- Photo files ---------------------------------------------------------------


def _with_photo(**kwargs) -> FreelancerProfile:
    profile = FreelancerProfileFactory(**kwargs)
    services.freelancer_photo_set(
        profile=profile,
        actor=profile.user,
        upload=corpus.jpeg_photo(),
        consent_text="x",
    )
    profile.refresh_from_db()
    return profile


def test_a_public_photo_is_served_and_hidden_at_once_when_restricted(client, db):
    profile = _with_photo()
    urls = [profile.photo.url, profile.photo_thumbnail.url]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # JPEG
        assert response["Cache-Control"] == "private, max-age=60"
    # Restricted in SQL (no signal): nobody reaches the files any more, even
    # with the URL, while the owner still sees their own photo.
    FreelancerProfile.objects.filter(pk=profile.pk).update(restricted_at=timezone.now())
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(profile.user)
    assert client.get(urls[0]).status_code == 200


def test_an_unpublished_photo_is_only_for_its_owner(client, db):
    profile = _with_photo(published=False)
    assert client.get(profile.photo.url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(profile.photo.url).status_code == 404
    client.force_login(profile.user)
    assert client.get(profile.photo.url).status_code == 200
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(profile.photo.url).status_code == 404
    staff.user_permissions.add(
        Permission.objects.get(codename="view_freelancerprofile")
    )
    client.force_login(staff)
    assert client.get(profile.photo.url).status_code == 404  # no TOTP yet
    activate_totp(staff)
    assert client.get(profile.photo.url).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/media/photos/nothing-here.jpg",
        "/media/photos/../private/cvs/x.pdf",
        "/media/photos/%2e%2e/%2e%2e/etc/passwd",
        "/media/photos/",
    ],
)
def test_unknown_or_crafted_photo_paths_are_404(client, db, path):
    _with_photo()
    assert client.get(path).status_code == 404


def test_a_photo_file_refuses_writes(client, db):
    profile = _with_photo()
    assert client.post(profile.photo.url).status_code == 405
