"""The purge with real Celery workers on PostgreSQL: exactly once, crash-safe."""

import datetime as dt
import signal
import subprocess
import sys

import pytest
from celery import group
from django.db.models import Q
from django.utils import timezone

from privacy.tasks import retention_purge
from profiles.models import FreelancerProfile, User
from tests.integration.conftest import (
    KILLED_APP_ENV,
    ROOT,
    wait_for,
    wait_for_killed_sessions,
    worker_env,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RULE = "profiles.freelancer.closed"
ORIGINAL_NAME = "Original Name"


def _expired_profiles(n: int) -> None:
    closed = timezone.now() - dt.timedelta(days=400)
    users = User.objects.bulk_create(
        [
            User(email=f"bulk{i}@example.com", password="!", closed_at=closed)
            for i in range(n)
        ],
        batch_size=2000,
    )
    FreelancerProfile.objects.bulk_create(
        [
            FreelancerProfile(
                user=user,
                slug=f"bulk-{user.pk}",
                full_name=ORIGINAL_NAME,
                phone="+4520123456",
                street="Vej 1",
                city="Aarhus",
            )
            for user in users
        ],
        batch_size=2000,
    )


def _half_anonymised() -> int:
    """Rows where some but not all anonymised fields changed (must stay 0)."""
    fully = Q(
        full_name="Deleted user", phone="", street="", anonymised_at__isnull=False
    )
    untouched = Q(
        full_name=ORIGINAL_NAME,
        phone="+4520123456",
        street="Vej 1",
        anonymised_at__isnull=True,
    )
    return FreelancerProfile.objects.exclude(fully | untouched).count()


def test_four_workers_process_each_of_20000_rows_exactly_once(start_workers):
    _expired_profiles(20_000)
    queue = start_workers(4)
    job = group(
        retention_purge.s(rule_key=RULE).set(queue=queue) for _ in range(4)
    ).apply_async()
    results = job.get(timeout=300)
    counts = [r["rules"][RULE] for r in results]
    print("per-worker anonymised:", [c["anonymised"] for c in counts])
    assert sum(c["anonymised"] for c in counts) == 20_000
    assert sum(c["errors"] for c in counts) == 0
    assert FreelancerProfile.objects.filter(anonymised_at__isnull=True).count() == 0
    assert _half_anonymised() == 0
    # A fifth run finds nothing left to do.
    assert (
        retention_purge.apply(kwargs={"rule_key": RULE}).get()["rules"][RULE][
            "anonymised"
        ]
        == 0
    )


def test_a_worker_killed_mid_run_leaves_no_half_anonymised_row(postgres_db, redis_url):
    _expired_profiles(20_000)
    purge = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "purge_expired",
            "--rule",
            RULE,
            "--batch-size",
            "100",
        ],
        cwd=ROOT,
        env={**worker_env(postgres_db, redis_url), **KILLED_APP_ENV},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def some_done() -> bool:
        return FreelancerProfile.objects.filter(anonymised_at__isnull=False).exists()

    assert wait_for(some_done, timeout=60)
    purge.send_signal(signal.SIGKILL)
    purge.wait(timeout=10)
    wait_for_killed_sessions()
    done = FreelancerProfile.objects.filter(anonymised_at__isnull=False).count()
    print(f"killed after {done} of 20000 rows")
    assert 0 < done < 20_000, "the kill should land in the middle of the run"
    assert _half_anonymised() == 0

    rest = retention_purge.apply(kwargs={"rule_key": RULE}).get()["rules"][RULE]
    assert rest["anonymised"] == 20_000 - done
    assert FreelancerProfile.objects.filter(anonymised_at__isnull=True).count() == 0
    assert _half_anonymised() == 0
