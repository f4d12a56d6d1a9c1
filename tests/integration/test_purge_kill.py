"""kill -9 during the purge, at random points (issue 14, item 6 and 7).

Each trial adds expired and unexpired members with files, starts
``manage.py purge_expired`` as a subprocess, SIGKILLs it after a random delay,
then runs the purge again to completion. After every trial: no half-anonymised
row, no unexpired row or file touched, no orphaned file and no pending outbox
row, no run left "running", and the runs' recorded counts equal the rows
changed.
"""

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q, Sum
from django.utils import timezone

from core.files import orphan_files_find
from core.models import FileDeletion
from privacy.models import PurgeRun, PurgeRunRule
from privacy.retention import retention_purge
from profiles.models import FreelancerProfile, User
from profiles.storage import private_storage
from tests.integration.conftest import (
    KILLED_APP_ENV,
    ROOT,
    wait_for,
    wait_for_killed_sessions,
    worker_env,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TRIALS = 10
EXPIRED, LIVE = 100, 20
RULE = "profiles.freelancer.closed"
NAME, PHONE, STREET = "Original Name", "+4520123456", "Vej 1"


def _members(trial: int, n: int, closed_days_ago: int, kind: str) -> list[int]:
    closed = timezone.now() - dt.timedelta(days=closed_days_ago)
    users = User.objects.bulk_create(
        [
            User(email=f"{kind}{trial}-{i}@example.com", password="!", closed_at=closed)
            for i in range(n)
        ]
    )
    profiles = []
    for user in users:
        profiles.append(
            FreelancerProfile(
                user=user,
                slug=f"{kind}-{user.pk}",
                full_name=NAME,
                phone=PHONE,
                street=STREET,
                city="Aarhus",
                photo=default_storage.save("photos/p.jpg", ContentFile(b"jpeg")),
                photo_thumbnail=default_storage.save(
                    "photos/thumbs/t.jpg", ContentFile(b"thumb")
                ),
                cv=private_storage.save("cv/c.pdf", ContentFile(b"%PDF-1.4 cv")),
            )
        )
    return [p.pk for p in FreelancerProfile.objects.bulk_create(profiles)]


def _half_anonymised() -> int:
    fully = Q(
        full_name="Deleted user",
        phone="",
        street="",
        photo="",
        cv="",
        anonymised_at__isnull=False,
    )
    untouched = Q(
        full_name=NAME, phone=PHONE, street=STREET, anonymised_at__isnull=True
    )
    profiles = FreelancerProfile.objects.exclude(fully | untouched).count()
    users = (
        User.objects.filter(email__startswith="deleted-", anonymised_at__isnull=True)
        .union(
            User.objects.exclude(email__startswith="deleted-").filter(
                anonymised_at__isnull=False
            )
        )
        .count()
    )
    return profiles + users


def _live_untouched() -> bool:
    live = FreelancerProfile.objects.filter(user__email__startswith="live")
    if live.exclude(full_name=NAME, phone=PHONE, anonymised_at__isnull=True).exists():
        return False
    for profile in live:
        if not (
            default_storage.exists(profile.photo.name)
            and default_storage.exists(profile.photo_thumbnail.name)
            and private_storage.exists(profile.cv.name)
        ):
            return False
    return True


def test_kill_9_at_random_points_loses_nothing_and_leaves_nothing(
    postgres_db, redis_url, settings
):
    seed = int(os.environ.get("KILL_SEED", time.time()))
    rng = random.Random(seed)
    env = {
        **worker_env(postgres_db, redis_url),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        **KILLED_APP_ENV,
    }
    command = [sys.executable, "manage.py", "purge_expired", "--batch-size", "5"]
    started = time.monotonic()
    # Calibration: how long one uninterrupted run over a trial's data takes, so
    # the kills spread over the whole run.
    _members(TRIALS, EXPIRED, 400, "expired")
    subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)
    full = PurgeRun.objects.get()
    duration = (full.finished_at - full.started_at).total_seconds()
    print(f"\none full run over {EXPIRED} expired members: {duration:.2f} s")
    results = []
    for trial in range(TRIALS):
        expired = FreelancerProfile.objects.filter(
            pk__in=_members(trial, EXPIRED, 400, "expired")
        )
        _members(trial, LIVE, 100, "live")
        delay = rng.uniform(0, duration * 0.85)
        runs_before = PurgeRun.objects.count()
        purge = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # The random delay counts from the run's start (Django's start-up takes
        # seconds on a busy machine and would swallow it).
        assert wait_for(lambda n=runs_before: PurgeRun.objects.count() > n, timeout=60)
        time.sleep(delay)
        finished_first = purge.poll() is not None
        purge.send_signal(signal.SIGKILL)
        purge.wait(timeout=10)
        wait_for_killed_sessions()

        at_kill = {
            "profiles_anonymised": expired.filter(anonymised_at__isnull=False).count(),
            "users_anonymised": User.objects.filter(
                freelancer_profile__in=expired, anonymised_at__isnull=False
            ).count(),
            "outbox": FileDeletion.objects.count(),
            "running": PurgeRun.objects.filter(status="running").count(),
            "half": _half_anonymised(),
        }
        assert at_kill["half"] == 0, (seed, trial, at_kill)

        retention_purge()

        expired_left = expired.filter(anonymised_at__isnull=True).count()
        orphans = orphan_files_find(min_age=0)
        counted = PurgeRunRule.objects.filter(
            rule_key=RULE, run__dry_run=False
        ).aggregate(n=Sum("anonymised"))["n"]
        anonymised = FreelancerProfile.objects.filter(
            anonymised_at__isnull=False
        ).count()
        result = {
            "trial": trial,
            "delay": round(delay, 2),
            "finished_before_kill": finished_first,
            **{f"at_kill_{k}": v for k, v in at_kill.items()},
            "orphans_after": len(orphans),
            "outbox_after": FileDeletion.objects.count(),
            "running_after": PurgeRun.objects.filter(status="running").count(),
        }
        results.append(result)
        assert _half_anonymised() == 0, result
        assert expired_left == 0, result
        assert _live_untouched(), result
        assert orphans == [], (result, orphans[:5])
        assert result["outbox_after"] == 0, result
        assert result["running_after"] == 0, result
        assert counted == anonymised, (result, counted, anonymised)
    elapsed = time.monotonic() - started
    print(f"\nkill -9 trials (seed {seed}, {elapsed:.0f} s):")
    for result in results:
        print(result)
    failed = PurgeRun.objects.filter(status="failed").count()
    print(f"runs marked failed after their kill: {failed}")
    mid_run = sum(1 for r in results if not r["finished_before_kill"])
    print(f"kills that landed while the purge was running: {mid_run}")
    assert elapsed < 200
