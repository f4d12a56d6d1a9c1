import io

from allauth.account.models import EmailAddress
from django.core.management import call_command

from profiles.models import Company, FreelancerProfile, User


def test_seed_demo_is_idempotent_and_makes_a_living_directory(db, client):
    call_command("seed_demo", stdout=io.StringIO())
    first = set(User.objects.values_list("email", flat=True))
    call_command("seed_demo", stdout=io.StringIO())
    assert set(User.objects.values_list("email", flat=True)) == first
    assert EmailAddress.objects.filter(verified=True).count() == len(first)
    published = FreelancerProfile.objects.filter(published_at__isnull=False)
    assert published.count() >= 4
    assert all(p.photo and p.photo_thumbnail for p in published)
    assert Company.objects.filter(verified_at__isnull=False).exists()
    html = client.get("/freelancers/").content.decode()
    assert "Freja Nielsen" in html and "/media/photos/thumbs/" in html


def test_seed_demo_creates_no_admin_outside_debug(db, settings):
    settings.DEBUG = False
    call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.filter(is_staff=True).exists()


def test_seed_demo_shows_a_region_and_a_shortlist(db, client):
    from profiles.models import ShortlistEntry

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    freja = FreelancerProfile.objects.get(user__email="freja.freelancer@example.com")
    assert freja.region == "midtjylland"
    entry = ShortlistEntry.objects.get()
    assert entry.company.members.filter(email="company.owner@example.com").exists()
    assert entry.profile.full_name == "Mads Holm"
    html = client.get("/freelancers/?region=midtjylland").content.decode()
    assert "Freja Nielsen" in html and "Mads Holm" not in html
