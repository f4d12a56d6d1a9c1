"""The region filter (issue 20): a Danish region derived from the postal code,
stored on save, filtered in the directory and the API, cleared on erasure."""

import importlib

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from privacy.erasure import erasure_execute
from privacy.registry import personal_data
from profiles import services
from profiles.models import FreelancerProfile
from profiles.regions import region_for_postal_code
from tests.factories import FreelancerProfileFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("country", "postal_code", "region"),
    [
        ("DK", "1050", "hovedstaden"),  # København K
        ("DK", "2100", "hovedstaden"),
        ("DK", "2680", "sjaelland"),  # Solrød Strand
        ("DK", "3400", "hovedstaden"),  # Hillerød
        ("DK", "3700", "hovedstaden"),  # Rønne, Bornholm
        ("DK", "4000", "sjaelland"),  # Roskilde
        ("DK", "4800", "sjaelland"),  # Nykøbing F
        ("DK", "5000", "syddanmark"),  # Odense
        ("DK", "6700", "syddanmark"),  # Esbjerg
        ("DK", "6950", "midtjylland"),  # Ringkøbing
        ("DK", "7100", "syddanmark"),  # Vejle
        ("DK", "7160", "midtjylland"),  # Tørring (Hedensted)
        ("DK", "7400", "midtjylland"),  # Herning
        ("DK", "7700", "nordjylland"),  # Thisted
        ("DK", "7800", "midtjylland"),  # Skive
        ("DK", "7900", "nordjylland"),  # Nykøbing Mors
        ("DK", "8000", "midtjylland"),  # Aarhus C
        ("DK", "9000", "nordjylland"),  # Aalborg
        ("DK", "9632", "midtjylland"),  # Møldrup (Viborg)
        ("DK", "DK-8000", "midtjylland"),
        ("dk", " 9000 ", "nordjylland"),
        ("DK", "3900", ""),  # Nuuk, Greenland
        ("DK", "0555", ""),
        ("DK", "800", ""),
        ("DK", "80000", ""),
        ("DK", "abcd", ""),
        ("DK", "", ""),
        ("SE", "8000", ""),  # not Denmark
    ],
)
def test_region_follows_the_danish_postal_number_table(country, postal_code, region):
    assert region_for_postal_code(country=country, postal_code=postal_code) == region


def test_region_is_stored_on_save_and_follows_an_edit():
    profile = FreelancerProfileFactory(postal_code="8000", country="DK")
    assert profile.region == "midtjylland"
    services.freelancer_profile_update(
        profile=profile, actor=profile.user, data={"postal_code": "2100"}
    )
    assert FreelancerProfile.objects.get(pk=profile.pk).region == "hovedstaden"
    services.freelancer_profile_update(
        profile=profile, actor=profile.user, data={"country": "SE"}
    )
    assert FreelancerProfile.objects.get(pk=profile.pk).region == ""


def test_the_migration_fills_existing_rows():
    migration = importlib.import_module("profiles.migrations.0004_freelancer_region")
    aarhus = FreelancerProfileFactory(postal_code="8000", country="DK")
    odense = FreelancerProfileFactory(postal_code="5000", country="DK")
    swede = FreelancerProfileFactory(postal_code="5000", country="SE")
    FreelancerProfile.objects.update(region="")  # as before the migration
    migration.BATCH = 1  # several batches
    migration.regions_fill(apps, None)
    regions = dict(FreelancerProfile.objects.values_list("pk", "region"))
    assert regions == {aarhus.pk: "midtjylland", odense.pk: "syddanmark", swede.pk: ""}


@pytest.fixture
def regions():
    FreelancerProfileFactory(full_name="Ada Aarhus", postal_code="8000", skills=["Go"])
    FreelancerProfileFactory(full_name="Bo Odense", postal_code="5000", skills=["Go"])
    FreelancerProfileFactory(
        full_name="Cy Hidden", postal_code="8200", published=False, skills=["Go"]
    )


def test_the_directory_filters_by_region(client, regions):
    html = client.get("/freelancers/?region=midtjylland&skill=go").content.decode()
    assert "Ada Aarhus" in html and "Bo Odense" not in html
    assert "Cy Hidden" not in html
    assert "Central Denmark (Midtjylland)" in html  # on the card, with the city


def test_an_unknown_region_is_a_form_error_on_the_page_not_a_500(client, regions):
    response = client.get("/freelancers/?region=nowhere")
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    html = response.content.decode()
    assert "Ignored:" in html
    # The rest of the search still applies: the bad region is left out.
    assert "Ada Aarhus" in html and "Bo Odense" in html
    assert client.get("/freelancers/?region=%00").status_code in (200, 400)


def test_the_api_filters_by_region_and_refuses_an_unknown_one(regions):
    api = APIClient()
    body = api.get("/api/v1/freelancers/?region=syddanmark").json()
    assert [r["full_name"] for r in body["results"]] == ["Bo Odense"]
    assert body["results"][0]["region"] == "syddanmark"
    response = api.get("/api/v1/freelancers/?region=nowhere")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"region"}
    assert response.json()["detail"]


def test_the_profile_shows_the_region_beside_the_city(client):
    profile = FreelancerProfileFactory(city="Aalborg", postal_code="9000")
    html = client.get(profile.get_absolute_url()).content.decode()
    assert 'Aalborg <span data-field="region">(North Denmark (Nordjylland))' in html
    no_city = FreelancerProfileFactory(city="", postal_code="9000")
    assert "Nordjylland" not in client.get(no_city.get_absolute_url()).content.decode()


def test_region_is_declared_exported_and_cleared_on_erasure(
    django_capture_on_commit_callbacks,
):
    declaration = personal_data.get(FreelancerProfile)
    exported = {f.name for f in declaration.personal_fields() if f.exported}
    assert "region" in exported
    profile = FreelancerProfileFactory(postal_code="8000")
    with django_capture_on_commit_callbacks(execute=True):
        erasure_execute(user=profile.user, actor=None)
    profile.refresh_from_db()
    assert profile.region == "" and profile.postal_code == ""
