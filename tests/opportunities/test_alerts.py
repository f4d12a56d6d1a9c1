"""The alert page: freelancers only; saving records the consent purpose."""

import pytest

from consent.mail import email_preferences_get
from consent.models import ConsentRecord, Purpose
from opportunities.models import OpportunityAlert
from tests.factories import FreelancerProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_freelancer_opts_in_and_out(client):
    profile = FreelancerProfileFactory()
    client.force_login(profile.user)
    assert client.get("/opportunities/alerts/").status_code == 200
    response = client.post(
        "/opportunities/alerts/",
        {"subscribed": "on", "frequency": "daily", "remote": "on", "city": "Aarhus"},
    )
    assert response.status_code == 302
    alert = OpportunityAlert.objects.get(user=profile.user)
    assert (alert.frequency, alert.remote, alert.onsite, alert.city) == (
        "daily",
        True,
        False,
        "Aarhus",
    )
    assert email_preferences_get(user=profile.user)["opportunities"] is True
    client.post("/opportunities/alerts/", {"frequency": "daily", "remote": "on"})
    assert email_preferences_get(user=profile.user)["opportunities"] is False
    records = ConsentRecord.objects.filter(
        user=profile.user, purpose=Purpose.OPPORTUNITY_EMAIL
    )
    assert [r.granted for r in records.order_by("pk")] == [True, False]


def test_bad_alert_input_is_refused_and_stores_nothing(client):
    profile = FreelancerProfileFactory()
    client.force_login(profile.user)
    for data in (
        {"subscribed": "on", "frequency": "hourly", "remote": "on"},
        {"subscribed": "on", "frequency": "daily"},  # no way of working
        {"subscribed": "on", "frequency": "daily", "remote": "on", "city": "x" * 200},
    ):
        assert client.post("/opportunities/alerts/", data).status_code == 400
    assert not OpportunityAlert.objects.exists()
    assert not ConsentRecord.objects.filter(user=profile.user).exists()


def test_someone_without_a_freelancer_profile_gets_404(client):
    client.force_login(UserFactory())
    assert client.get("/opportunities/alerts/").status_code == 404
    assert client.get("/opportunities/alerts/").status_code == 404
    client.logout()
    assert client.get("/opportunities/alerts/").status_code == 302
