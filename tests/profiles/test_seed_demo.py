import io

from allauth.account.models import EmailAddress
from django.core.management import call_command

from profiles.models import User


def test_seed_demo_is_idempotent_and_verifies_addresses(db):
    call_command("seed_demo", stdout=io.StringIO())
    first = set(User.objects.values_list("email", flat=True))
    call_command("seed_demo", stdout=io.StringIO())
    assert set(User.objects.values_list("email", flat=True)) == first
    assert len(first) >= 3
    assert EmailAddress.objects.filter(verified=True).count() == len(first)


def test_seed_demo_creates_no_admin_outside_debug(db, settings):
    settings.DEBUG = False
    call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.filter(is_staff=True).exists()
