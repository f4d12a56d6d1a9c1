"""The migration that made the country a choice: codes in any case become
codes; a value that is not a country is kept as it was and reported."""

import importlib

import pytest
from django.apps import apps

from profiles.models import Company, FreelancerProfile
from tests.factories import CompanyFactory, FreelancerProfileFactory

migration = importlib.import_module("profiles.migrations.0002_journeys_fields")

pytestmark = pytest.mark.django_db


def test_country_values_become_codes_and_unknown_ones_are_reported(capsys):
    lower = FreelancerProfileFactory()
    unknown = FreelancerProfileFactory()
    company = CompanyFactory()
    FreelancerProfile.objects.filter(pk=lower.pk).update(country="se")
    FreelancerProfile.objects.filter(pk=unknown.pk).update(country="ZZ")
    Company.objects.filter(pk=company.pk).update(country="dk")
    migration.countries_to_codes(apps, None)
    lower.refresh_from_db()
    unknown.refresh_from_db()
    company.refresh_from_db()
    assert (lower.country, unknown.country, company.country) == ("SE", "ZZ", "DK")
    report = capsys.readouterr().out
    assert f"FreelancerProfile {unknown.pk}: 'ZZ'" in report
