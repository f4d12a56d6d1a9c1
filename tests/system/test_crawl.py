"""The whole site, crawled as each role over a rich dataset: no 5xx anywhere.

Every URL pattern of the URLconf (path parameters filled with real keys of
the dataset) and every admin changelist, add page and change page (one
existing object of every registered model) is fetched as an anonymous
visitor, a freelancer, a company owner, staff with view-only permissions and
TOTP, and a superuser with TOTP. A URL pattern the dataset cannot fill, or a
registered model without a row, fails the test: extend tests/system/dataset.py.
"""

import pytest
from django.contrib import admin
from django.db import transaction

from tests.system.dataset import ROLES, build_dataset
from tests.system.urls import admin_paths, site_paths

pytestmark = pytest.mark.django_db


def fetch(client, path: str):
    """GET ``path``; whatever it changes is rolled back (a crawl only looks)."""
    with transaction.atomic():
        response = client.get(path)
        transaction.set_rollback(True)
    return response


@pytest.fixture
def dataset():
    return build_dataset()


def test_every_url_pattern_can_be_filled_and_every_admin_model_has_a_row(dataset):
    _paths, unfillable = site_paths(dataset.url_kwargs())
    assert unfillable == [], "extend Dataset.url_kwargs for these patterns"
    _paths, empty = admin_paths(admin.site)
    assert empty == [], "extend build_dataset with a row of these models"


@pytest.mark.parametrize("role", ROLES)
def test_whole_site_answers_without_a_server_error(dataset, role):
    site, _unfillable = site_paths(dataset.url_kwargs())
    admin_pages, _empty = admin_paths(admin.site)
    client = dataset.client(role)
    errors = []
    for path in [*site, *admin_pages]:
        response = fetch(client, path)
        if response.status_code >= 500:
            errors.append(f"{response.status_code} {path}")
    print(f"{role}: {len(site) + len(admin_pages)} pages crawled")
    assert errors == []
