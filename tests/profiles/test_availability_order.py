"""The directory's availability order (``selectors.AvailabilityOrder``) on
PostgreSQL: the same order as sorting every profile by the rule, page by
page, read range by range from an index instead of sorting the directory;
and the two constraints that make the ranges cover every profile."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from profiles import selectors
from profiles.models import FreelancerProfile
from profiles.selectors.freelancers import AvailabilityOrder
from tests.factories import FreelancerProfileFactory

migration = importlib.import_module("profiles.migrations.0008_availability_order")

pytestmark = pytest.mark.usefixtures("postgres_search")


def _by_the_rule(profiles: list[FreelancerProfile], today) -> list[int]:
    """The order the directory promises, computed in Python."""

    def key(p):
        if p.availability == "now" or (
            p.availability == "from"
            and p.available_from is not None
            and p.available_from <= today
        ):
            soonest = 0
        elif p.availability == "from":
            soonest = 1
        elif p.availability == "":
            soonest = 2
        else:
            soonest = 3
        date = p.available_from.toordinal() if p.available_from else float("inf")
        return (soonest, date, -p.published_at.timestamp(), p.pk)

    return [p.pk for p in sorted(profiles, key=key)]


@pytest.fixture
def directory():
    today = timezone.localdate()
    now = timezone.now()
    made = []
    specs = [
        ("now", None),
        ("from", today - timedelta(days=3)),
        ("from", today),
        ("from", today + timedelta(days=1)),
        ("from", today + timedelta(days=30)),
        ("", None),
        ("not", None),
    ]
    for i in range(28):
        availability, available_from = specs[i % len(specs)]
        made.append(
            FreelancerProfileFactory(
                availability=availability,
                available_from=available_from,
                # Some share a publication time: the id decides between them.
                published_at=now - timedelta(hours=i % 5),
            )
        )
    # A "from" whose date was erased (the anonymiser nulls the date only).
    erased_date = FreelancerProfileFactory(availability="from", published_at=now)
    FreelancerProfile.objects.filter(pk=erased_date.pk).update(available_from=None)
    erased_date.refresh_from_db()
    made.append(erased_date)
    # Not public: never in the order.
    FreelancerProfileFactory(availability="now", published=False)
    FreelancerProfileFactory(availability="now", restricted_at=now)
    return made, today


def test_every_slice_is_the_rule_s_order(directory):
    made, today = directory
    expected = _by_the_rule(made, today)
    order = selectors.freelancer_list_public(sort="availability")
    assert isinstance(order, AvailabilityOrder)
    assert order.count() == len(order) == len(expected)
    assert [p.pk for p in order] == expected
    for start, stop in [(0, 5), (3, 11), (5, 25), (20, 40), (28, 29), (0, 100)]:
        assert [p.pk for p in order[start:stop]] == expected[start:stop]
    assert order[4].pk == expected[4]
    assert list(order[40:60]) == []
    assert list(order[5:5]) == []
    with pytest.raises(IndexError):
        order[len(expected)]


def test_filters_apply_to_every_range(directory):
    made, today = directory
    FreelancerProfile.objects.filter(pk__in=[p.pk for p in made[::2]]).update(
        work_mode="remote"
    )
    remote = [p for p in made[::2]]
    order = selectors.freelancer_list_public(sort="availability", work_mode="remote")
    assert [p.pk for p in order] == _by_the_rule(remote, today)


def test_the_directory_and_the_api_page_through_the_same_order(client, directory):
    made, today = directory
    expected = _by_the_rule(made, today)
    first = client.get("/freelancers/", {"sort": "availability"})
    assert [p.pk for p in first.context["page"]] == expected[:20]
    second = client.get("/freelancers/", {"sort": "availability", "page": 2})
    assert [p.pk for p in second.context["page"]] == expected[20:]
    slugs = {p.pk: p.slug for p in made}
    api = client.get("/api/v1/freelancers/", {"sort": "availability", "page": 2})
    assert api.status_code == 200
    assert api.json()["count"] == len(expected)
    shown = [row["slug"] for row in api.json()["results"]]
    page_size = len(client.get("/api/v1/freelancers/").json()["results"])
    assert shown == [slugs[pk] for pk in expected[page_size : 2 * page_size]]


def test_a_page_reads_a_constant_number_of_queries(
    client, directory, django_assert_max_num_queries
):
    client.get("/freelancers/", {"sort": "availability", "page": 2})
    # The page's ranges (one statement), its rows, their skills.
    with django_assert_max_num_queries(3):
        client.get("/freelancers/", {"sort": "availability", "page": 2})


def test_the_database_refuses_rows_outside_the_ranges():
    profile = FreelancerProfileFactory(availability="now")
    with pytest.raises(IntegrityError), transaction.atomic():
        FreelancerProfile.objects.filter(pk=profile.pk).update(availability="soon")
    with pytest.raises(IntegrityError), transaction.atomic():
        FreelancerProfile.objects.filter(pk=profile.pk).update(
            available_from=timezone.localdate()
        )
    # A form (the admin's) reports it as an error, not a 500.
    profile.available_from = timezone.localdate()
    with pytest.raises(ValidationError):
        profile.full_clean()


def test_the_migration_repairs_rows_the_ranges_would_miss():
    with connection.cursor() as cursor:  # as before the migration (rolled back)
        for name in (
            "freelancer_availability_known",
            "freelancer_available_from_only_from",
        ):
            cursor.execute(
                f'ALTER TABLE "{FreelancerProfile._meta.db_table}"'
                f' DROP CONSTRAINT "{name}"'
            )
    unknown = FreelancerProfileFactory(availability="soon")
    dated = FreelancerProfileFactory(
        availability="not", available_from=timezone.localdate()
    )
    kept = FreelancerProfileFactory(
        availability="from", available_from=timezone.localdate()
    )
    migration.repair(apps, None)
    for profile in (unknown, dated, kept):
        profile.refresh_from_db()
    assert (unknown.availability, dated.available_from) == ("", None)
    assert (kept.availability, kept.available_from) == ("from", timezone.localdate())
