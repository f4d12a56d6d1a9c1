"""The search's candidate walk on PostgreSQL (``profiles.search``): the
candidates are the newest matching profiles, probed bucket by bucket of
primary keys in the search index; a search with few matches among the
walked buckets goes on with one scan of the older profiles and loses none.

Small buckets (monkeypatched) make the walk visible with a handful of rows;
the last test checks that the real bucket size is the one the index holds,
so a probe is an index condition and not a filter.
"""

import pytest
from django.db import connection
from django.utils import timezone

from profiles import selectors
from profiles.models import FreelancerProfile
from profiles.search import SEARCH_BUCKET, freelancer_text_search
from tests.factories import FreelancerProfileFactory

pytestmark = pytest.mark.usefixtures("postgres_search")


def _ids(q: str, **filters) -> list[int]:
    return [p.pk for p in selectors.freelancer_list_public(q=q, **filters)]


def _profiles(headlines: list[str]) -> list[FreelancerProfile]:
    """Profiles in the order given: ascending primary keys."""
    return [FreelancerProfileFactory(headline=h) for h in headlines]


def test_the_candidates_are_the_newest_matches(monkeypatch):
    monkeypatch.setattr("profiles.search.SEARCH_BUCKET", 1)  # a bucket per id
    monkeypatch.setattr("profiles.search.WALK_BUCKETS", 10)
    monkeypatch.setattr("profiles.search.CANDIDATE_CAP", 3)
    made = _profiles(
        ["Python-udvikler", "Grafiker", "Python-udvikler", "Python-udvikler"]
        + ["Jurist", "Python-udvikler", "Python-udvikler", "Tekstforfatter"]
    )
    python = [p.pk for p in made if p.headline.startswith("Python")]
    assert sorted(_ids("python")) == sorted(python[-3:])


def test_a_search_with_few_matches_in_the_walk_finds_the_older_ones_too(
    monkeypatch,
):
    """Matches before and inside the walked buckets: every one is found once
    (the scan of the rest excludes what the walk saw)."""
    monkeypatch.setattr("profiles.search.SEARCH_BUCKET", 1)
    monkeypatch.setattr("profiles.search.WALK_BUCKETS", 2)
    made = _profiles(
        ["Python-udvikler", "Jurist", "Python-udvikler", "Grafiker"]
        + ["Python-udvikler", "Python-udvikler"]
    )
    found = _ids("python udvikler")
    assert len(found) == len(set(found)) == 4
    assert set(found) == {p.pk for p in made if p.headline.startswith("Python")}


def test_the_walk_and_the_rest_respect_the_cap_together(monkeypatch):
    monkeypatch.setattr("profiles.search.SEARCH_BUCKET", 1)
    monkeypatch.setattr("profiles.search.WALK_BUCKETS", 2)
    monkeypatch.setattr("profiles.search.CANDIDATE_CAP", 3)
    made = _profiles(["Python-udvikler"] * 5 + ["Jurist", "Python-udvikler"])
    found = _ids("python")
    assert len(found) == len(set(found)) == 3
    assert made[-1].pk in found  # the walk's match comes first


def test_profiles_that_are_not_public_take_no_place_in_the_walk(monkeypatch):
    """The walk's buckets hold only unpublished and restricted matches: the
    older public ones are still found, and the others never."""
    monkeypatch.setattr("profiles.search.SEARCH_BUCKET", 1)
    monkeypatch.setattr("profiles.search.WALK_BUCKETS", 3)
    public = _profiles(["Python-udvikler", "Python-udvikler"])
    hidden = [
        FreelancerProfileFactory(headline="Python-udvikler", published=False),
        FreelancerProfileFactory(headline="Python-udvikler"),
        FreelancerProfileFactory(headline="Python-udvikler"),
    ]
    hidden[1].restricted_at = timezone.now()
    hidden[1].save(update_fields=["restricted_at"])
    hidden[2].user.is_active = False
    hidden[2].user.save(update_fields=["is_active"])
    assert sorted(_ids("python")) == sorted(p.pk for p in public)


def test_filters_apply_inside_the_walk(monkeypatch):
    monkeypatch.setattr("profiles.search.SEARCH_BUCKET", 1)
    monkeypatch.setattr("profiles.search.WALK_BUCKETS", 2)
    odense = FreelancerProfileFactory(
        headline="Python-udvikler", city="Odense", postal_code="5000", country="DK"
    )
    for _ in range(2):
        FreelancerProfileFactory(
            headline="Python-udvikler", city="Aarhus", postal_code="8000", country="DK"
        )
    assert odense.region == "syddanmark"
    assert _ids("python", region="syddanmark") == [odense.pk]


def test_an_empty_directory_and_a_search_without_matches(monkeypatch):
    assert _ids("python") == []
    _profiles(["Jurist"])
    assert _ids("python") == []


def test_each_probe_is_an_index_condition_on_the_bucket():
    """``SEARCH_BUCKET`` is the divisor the index holds (migration 0007): a
    probe's bucket must be an index condition of the search index, or every
    probe would intersect the whole directory's lists."""
    _profiles(["Python-udvikler", "Jurist"])
    qs = freelancer_text_search(
        FreelancerProfile.objects.filter(published_at__isnull=False), "python"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
            ["freelancer_search_bucket_idx"],
        )
        (indexdef,) = cursor.fetchone()
        # A handful of rows: the planner would rightly read them whole, or
        # through another partial index. Those are dropped here (in the
        # test's transaction) and only bitmap scans allowed, so the search
        # index is the plan, and the question is only whether the bucket is
        # one of its conditions (it was not while the divisor was an int4
        # constant and the index held an int8 expression).
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s"
            " AND indexdef LIKE %s AND indexname <> %s",
            [
                FreelancerProfile._meta.db_table,
                "% WHERE %",
                "freelancer_search_bucket_idx",
            ],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = qs.explain()
    assert f"(((id / {SEARCH_BUCKET})), search_vector)" in indexdef
    probes = [line for line in plan.splitlines() if "Index Cond" in line]
    assert any(f"((id / {SEARCH_BUCKET}) = " in line for line in probes), plan
    assert "Bitmap Index Scan on freelancer_search_bucket_idx" in plan
