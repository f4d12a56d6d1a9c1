"""Opportunities and the registry (export, erasure, purge), the admin's
read-only pages with delivery counts, and the demo data."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from consent.mail import email_preferences_get
from core.storage import export_storage
from opportunities import services
from opportunities.models import (
    Opportunity,
    OpportunityAlert,
    OpportunityDelivery,
    OpportunityInterest,
)
from privacy.models import DataSubjectRequest
from privacy.requests import services as dsr
from privacy.retention import retention_purge
from tests.factories import UserFactory
from tests.opportunities.support import post, poster, subscriber
from tests.security.totp import activate_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_celery():
    from worksome.celery import app

    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


def _busy_freelancer():
    user = subscriber(frequency="immediate")
    opportunity = post()
    services.deliveries_match(opportunity=opportunity)
    services.deliveries_send_immediate(opportunity=opportunity)
    services.opportunity_interest_express(
        opportunity=opportunity, actor=user, body="Hello"
    )
    return user, opportunity


def test_the_export_holds_the_alert_deliveries_and_interest(
    django_capture_on_commit_callbacks, eager_celery
):
    user, _opportunity = _busy_freelancer()
    request = dsr.dsr_submit(user=user, kind="access")
    with django_capture_on_commit_callbacks(execute=True):
        dsr.dsr_export_request(request=request, actor=None, base_url="http://t/")
    request.refresh_from_db()
    with export_storage.open_plain(request.export.file.name) as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    data = json.loads(archive.read("data.json"))
    rows = data["data"]
    assert rows["opportunities.OpportunityAlert"][0]["frequency"] == "immediate"
    (delivery,) = rows["opportunities.OpportunityDelivery"]
    assert delivery["sent_at"] is not None
    assert len(rows["opportunities.OpportunityInterest"]) == 1
    # The company's post is not the freelancer's.
    assert "opportunities.Opportunity" not in rows


def test_erasure_removes_the_freelancers_rows_and_the_posters_name(
    django_capture_on_commit_callbacks,
):
    user, opportunity = _busy_freelancer()
    poster_user = opportunity.created_by
    for person in (user, poster_user):
        request = dsr.dsr_submit(user=person, kind=DataSubjectRequest.Kind.ERASURE)
        with django_capture_on_commit_callbacks(execute=True):
            dsr.dsr_erasure_execute(request=request, actor=None, base_url="http://t")
    assert not OpportunityAlert.objects.filter(user=user).exists()
    assert not OpportunityDelivery.objects.filter(user=user).exists()
    assert not OpportunityInterest.objects.filter(user=user).exists()
    opportunity.refresh_from_db()
    assert opportunity.created_by is None  # the company's post stays


def test_the_purge_forgets_old_deliveries_and_the_poster_of_old_posts():
    _user, opportunity = _busy_freelancer()
    long_ago = timezone.now() - dt.timedelta(days=400)
    OpportunityDelivery.objects.update(created_at=long_ago)
    Opportunity.objects.filter(pk=opportunity.pk).update(
        status="closed", closed_at=long_ago
    )
    retention_purge()
    assert not OpportunityDelivery.objects.exists()
    opportunity.refresh_from_db()
    assert opportunity.created_by is None and opportunity.anonymised_at is not None
    assert not OpportunityInterest.objects.exists()


def _erase(person, capture) -> None:
    request = dsr.dsr_submit(user=person, kind=DataSubjectRequest.Kind.ERASURE)
    with capture(execute=True):
        dsr.dsr_erasure_execute(request=request, actor=None, base_url="http://t")


def test_erasing_a_companys_only_member_anonymises_its_opportunities(
    django_capture_on_commit_callbacks,
):
    """The company closes and is anonymised with its only member; the text of
    its posts (the company, often that person, in their words) goes too."""
    who = poster()
    opportunity = post(who, title="Brumwhistle seeks 4J", description="Brumwhistle")
    _erase(who.member, django_capture_on_commit_callbacks)
    opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.CLOSED
    assert opportunity.closed_at is not None
    assert (opportunity.title, opportunity.description) == ("Anonymised", "")
    assert opportunity.created_by is None


def test_erasing_one_of_two_members_leaves_the_companys_opportunities(
    django_capture_on_commit_callbacks,
):
    who = poster()
    who.company.memberships.create(user=UserFactory(), role="member")
    opportunity = post(who, title="Brumwhistle seeks 4J", description="Brumwhistle")
    _erase(who.member, django_capture_on_commit_callbacks)
    opportunity.refresh_from_db()
    assert opportunity.is_listed
    assert (opportunity.title, opportunity.description) == (
        "Brumwhistle seeks 4J",
        "Brumwhistle",
    )
    assert opportunity.created_by is None


def test_the_purge_anonymises_the_opportunities_of_a_company_it_anonymises():
    who, other = poster(), poster()
    gone = post(who, title="Brumwhistle seeks 4J", description="Brumwhistle")
    kept = post(other, title="Open post", description="Still here")
    long_ago = timezone.now() - dt.timedelta(days=400)
    type(who.member).objects.filter(pk=who.member.pk).update(
        closed_at=long_ago, is_active=False
    )
    who.company.__class__.objects.filter(pk=who.company.pk).update(closed_at=long_ago)
    run = retention_purge()
    assert run.status == "completed"
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert gone.status == Opportunity.Status.CLOSED
    assert (gone.title, gone.description) == ("Anonymised", "")
    assert (kept.title, kept.description, kept.status) == (
        "Open post",
        "Still here",
        Opportunity.Status.OPEN,
    )


def test_the_admin_lists_opportunities_with_delivery_counts():
    subscriber()
    subscriber()
    opportunity = post()
    services.deliveries_match(opportunity=opportunity)
    services.deliveries_send_immediate(opportunity=opportunity)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(codename__in=["view_opportunity"])
    )
    activate_totp(staff)
    client = Client()
    client.force_login(staff)
    listing = client.get("/admin/opportunities/opportunity/?status__exact=open")
    assert listing.status_code == 200
    assert opportunity.title in listing.content.decode()
    change = client.get(f"/admin/opportunities/opportunity/{opportunity.pk}/change/")
    assert change.status_code == 200
    # Read-only: no save button, no delete.
    assert 'name="_save"' not in change.content.decode()
    page = client.get(
        f"/admin/opportunities/opportunity/?company__id__exact={opportunity.company_id}"
    )
    assert page.status_code == 200


def test_seed_demo_makes_an_open_opportunity_and_a_digest_subscriber_once():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    open_ones = Opportunity.objects.filter(status="open")
    assert open_ones.count() == 1
    assert open_ones.get().is_listed
    alert = OpportunityAlert.objects.get()
    assert alert.frequency == OpportunityAlert.Frequency.DAILY
    assert email_preferences_get(user=alert.user)["opportunities"] is True
