"""A CPR number is never confirmed through another member's profile
(issue 15 item 3): the same answer whether the number is free or taken,
a per-member limit on setting it, and every attempt on the audit trail."""

import pytest
from rest_framework.test import APIClient

from privacy.models import AuditEvent
from profiles import services
from profiles.models import FreelancerProfile
from tests.factories import FreelancerProfileFactory

pytestmark = pytest.mark.django_db

TAKEN = "0101901234"
FREE = "0202902345"


@pytest.fixture
def victim(db):
    profile = FreelancerProfileFactory()
    services.freelancer_cpr_set(profile=profile, actor=profile.user, cpr=TAKEN)
    return profile


def _form(cpr: str) -> dict:
    return {
        "full_name": "Prober",
        "country": "DK",
        "cpr": cpr,
        "skills_text": "",
    }


def _api_patch(profile, cpr: str):
    _token, key = services.api_token_create(user=profile.user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.patch("/api/v1/me/profile/", {"cpr": cpr}, format="json")


def test_api_answers_alike_for_a_taken_and_a_free_number(victim):
    taken = _api_patch(FreelancerProfileFactory(), TAKEN)
    free = _api_patch(FreelancerProfileFactory(), FREE)
    assert taken.status_code == free.status_code == 200
    assert taken.json().keys() == free.json().keys()
    assert "already" not in taken.content.decode().lower()


def test_web_form_answers_alike_for_a_taken_and_a_free_number(client, victim):
    answers = []
    for cpr in (TAKEN, FREE):
        prober = FreelancerProfileFactory()
        client.force_login(prober.user)
        response = client.post("/dashboard/profile/", _form(cpr))
        answers.append((response.status_code, response.get("Location")))
    assert answers[0] == answers[1] == (302, "/dashboard/")


def test_a_taken_number_flags_both_profiles_for_staff_review(victim):
    prober = FreelancerProfileFactory()
    services.freelancer_cpr_set(profile=prober, actor=prober.user, cpr=TAKEN)
    flagged = set(
        FreelancerProfile.objects.filter(cpr_review_at__isnull=False).values_list(
            "pk", flat=True
        )
    )
    assert flagged == {victim.pk, prober.pk}
    conflicts = AuditEvent.objects.filter(action="profile.cpr_conflict")
    assert {e.subject_id for e in conflicts} == {victim.user_id, prober.user_id}
    # The victim's number is untouched; nothing is said to the prober.
    victim.refresh_from_db()
    assert victim.cpr == TAKEN


def test_a_free_number_flags_nobody(victim):
    prober = FreelancerProfileFactory()
    services.freelancer_cpr_set(profile=prober, actor=prober.user, cpr=FREE)
    assert not FreelancerProfile.objects.filter(cpr_review_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="profile.cpr_conflict").exists()


def test_setting_a_cpr_number_is_rate_limited_per_member(settings, victim):
    settings.CPR_CHANGE_RATE_LIMIT = (3, 3600)
    prober = FreelancerProfileFactory()
    _token, key = services.api_token_create(user=prober.user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    statuses = [
        api.patch("/api/v1/me/profile/", {"cpr": f"01019{n:05d}"}, format="json")
        for n in range(5)
    ]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429, 429]
    assert int(statuses[-1]["Retry-After"]) > 0
    assert set(statuses[-1].json()) == {"detail", "errors"}
    refused = AuditEvent.objects.filter(
        action="profile.cpr_rate_limited", subject=prober.user
    )
    assert refused.count() == 2
    # Another member is not affected by the prober's limit.
    assert _api_patch(FreelancerProfileFactory(), FREE).status_code == 200


def test_the_web_form_shows_the_limit_as_a_form_error(client, settings):
    settings.CPR_CHANGE_RATE_LIMIT = (1, 3600)
    prober = FreelancerProfileFactory()
    client.force_login(prober.user)
    assert client.post("/dashboard/profile/", _form(FREE)).status_code == 302
    refused = client.post("/dashboard/profile/", _form(TAKEN))
    assert refused.status_code == 200
    assert "cpr" in refused.context["form"].errors
    prober.refresh_from_db()
    assert prober.cpr == FREE
