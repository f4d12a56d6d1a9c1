"""A company's shortlist (issue 20): members add published freelancers from
the profile page and see them on /dashboard/shortlist/; nobody else can."""

import datetime as dt

import pytest
from django.utils import timezone

from privacy.erasure import erasure_execute
from privacy.registry import personal_data
from privacy.retention import retention_purge
from profiles import services
from profiles.models import ShortlistEntry
from tests.factories import CompanyFactory, FreelancerProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    user = UserFactory(role="company")
    company = CompanyFactory(name="Acme")
    company.memberships.create(user=user, role="owner")
    user.company = company
    return user


@pytest.fixture
def ada():
    return FreelancerProfileFactory(full_name="Ada Shortlisted", postal_code="8000")


def _add(client, profile, **data):
    return client.post(f"/freelancers/{profile.slug}/shortlist/", data)


def test_a_member_adds_a_freelancer_and_sees_them_on_the_shortlist(client, member, ada):
    client.force_login(member)
    page = client.get(ada.get_absolute_url()).content.decode()
    assert "Add to shortlist" in page
    response = _add(client, ada)
    assert response.status_code == 302
    assert response["Location"] == ada.get_absolute_url()
    entry = ShortlistEntry.objects.get()
    assert (entry.company, entry.profile, entry.added_by) == (
        member.company,
        ada,
        member,
    )
    assert (
        "Remove from shortlist" in client.get(ada.get_absolute_url()).content.decode()
    )
    shortlist = client.get("/dashboard/shortlist/")
    assert shortlist.status_code == 200
    html = shortlist.content.decode()
    assert "Shortlist of Acme" in html
    assert f'href="{ada.get_absolute_url()}"' in html
    assert "Central Denmark (Midtjylland)" in html


def test_adding_twice_is_idempotent_and_moves_the_retention_clock(client, member, ada):
    client.force_login(member)
    _add(client, ada)
    ShortlistEntry.objects.update(added_at=timezone.now() - dt.timedelta(days=300))
    assert _add(client, ada).status_code == 302
    entry = ShortlistEntry.objects.get()
    assert timezone.now() - entry.added_at < dt.timedelta(minutes=1)


def test_removing_takes_the_freelancer_off_and_is_idempotent(client, member, ada):
    client.force_login(member)
    _add(client, ada)
    assert _add(client, ada, remove="1").status_code == 302
    assert not ShortlistEntry.objects.exists()
    assert _add(client, ada, remove="1").status_code == 302
    assert "Add to shortlist" in client.get(ada.get_absolute_url()).content.decode()


@pytest.mark.parametrize("kind", ["missing", "unpublished", "restricted"])
def test_shortlisting_a_profile_that_is_not_public_is_404(client, member, kind):
    client.force_login(member)
    if kind == "missing":
        slug = "no-such-freelancer"
    else:
        slug = FreelancerProfileFactory(
            published=kind != "unpublished",
            restricted_at=timezone.now() if kind == "restricted" else None,
        ).slug
    assert client.post(f"/freelancers/{slug}/shortlist/").status_code == 404
    assert not ShortlistEntry.objects.exists()


def test_only_members_of_an_open_company_may_shortlist(client, ada):
    assert _add(client, ada).status_code == 302  # to the log-in
    assert "/accounts/login/" in _add(client, ada)["Location"]
    outsider = UserFactory()
    client.force_login(outsider)
    assert _add(client, ada).status_code == 404
    assert client.get("/dashboard/shortlist/").status_code == 404
    assert "Add to shortlist" not in client.get(ada.get_absolute_url()).content.decode()
    closed = CompanyFactory(closed_at=timezone.now())
    closed.memberships.create(user=outsider, role="owner")
    assert _add(client, ada).status_code == 404
    assert client.get(f"/freelancers/{ada.slug}/shortlist/").status_code == 405
    assert not ShortlistEntry.objects.exists()


def test_the_freelancer_cannot_shortlist_themselves_from_their_page(client, ada):
    client.force_login(ada.user)
    assert "Add to shortlist" not in client.get(ada.get_absolute_url()).content.decode()


def test_another_company_cannot_see_the_shortlist(client, member, ada):
    services.shortlist_add(company=member.company, profile=ada, actor=member)
    rival = UserFactory()
    CompanyFactory(name="Rival").memberships.create(user=rival, role="owner")
    client.force_login(rival)
    html = client.get("/dashboard/shortlist/").content.decode()
    assert "Shortlist of Rival" in html
    assert "Ada Shortlisted" not in html


def test_a_profile_that_stops_being_public_leaves_the_shortlist_page(
    client, member, ada
):
    services.shortlist_add(company=member.company, profile=ada, actor=member)
    client.force_login(member)
    assert "Ada Shortlisted" in client.get("/dashboard/shortlist/").content.decode()
    services.freelancer_unpublish(profile=ada, actor=ada.user)
    assert "Ada Shortlisted" not in client.get("/dashboard/shortlist/").content.decode()


def test_closing_the_freelancers_account_deletes_their_entries(member, ada):
    services.shortlist_add(company=member.company, profile=ada, actor=member)
    services.account_close(user=ada.user, actor=ada.user)
    assert not ShortlistEntry.objects.exists()


def test_erasure_of_the_freelancer_removes_the_entries(
    member, ada, django_capture_on_commit_callbacks
):
    services.shortlist_add(company=member.company, profile=ada, actor=member)
    other = FreelancerProfileFactory()
    services.shortlist_add(company=member.company, profile=other, actor=member)
    with django_capture_on_commit_callbacks(execute=True):
        erasure_execute(user=ada.user, actor=None)
    assert list(ShortlistEntry.objects.values_list("profile", flat=True)) == [other.pk]


def test_erasure_of_the_companys_only_member_removes_its_shortlist(
    member, ada, django_capture_on_commit_callbacks
):
    services.shortlist_add(company=member.company, profile=ada, actor=member)
    with django_capture_on_commit_callbacks(execute=True):
        erasure_execute(user=member, actor=None)
    assert not ShortlistEntry.objects.exists()
    member.company.refresh_from_db()
    assert member.company.closed_at is not None


def test_the_entry_is_in_the_exports_of_the_member_and_the_freelancer(member, ada):
    services.shortlist_add(company=member.company, profile=ada, actor=member)
    declaration = personal_data.get(ShortlistEntry)
    assert declaration.rows_for(member).count() == 1
    assert declaration.rows_for(ada.user).count() == 1
    assert declaration.rows_for(UserFactory()).count() == 0
    exported = {f.name for f in declaration.personal_fields() if f.exported}
    assert exported == {"company", "profile", "added_at"}


def test_entries_are_deleted_12_months_after_they_were_added(member, ada):
    old = FreelancerProfileFactory()
    services.shortlist_add(company=member.company, profile=ada, actor=member)
    services.shortlist_add(company=member.company, profile=old, actor=member)
    ShortlistEntry.objects.filter(profile=old).update(
        added_at=timezone.now() - dt.timedelta(days=366)
    )
    retention_purge(rule_key="profiles.shortlist.added")
    assert list(ShortlistEntry.objects.values_list("profile", flat=True)) == [ada.pk]
