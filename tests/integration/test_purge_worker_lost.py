"""A prefork worker's child killed during the purge task (WorkerLostError) does
not lose the day: the message goes back to the queue (acks_late +
reject_on_worker_lost) and the purge is finished by the redelivered task
(issue 14, item 7)."""

import os
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from django.db.models import Sum

from privacy.models import PurgeRun, PurgeRunRule
from privacy.tasks import retention_purge
from profiles.models import FreelancerProfile
from tests.integration.conftest import ROOT, wait_for, worker_env
from tests.integration.test_retention_workers import (
    RULE,
    _expired_profiles,
    _half_anonymised,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROWS = 30_000


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found.extend(int(c) for c in children)
    return found


def test_a_killed_pool_process_does_not_lose_the_purge(postgres_db, redis_url):
    _expired_profiles(ROWS)
    queue = f"itest-{uuid.uuid4().hex[:12]}"
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "worksome",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--queues",
            queue,
            "--hostname",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--prefetch-multiplier=1",
            "--loglevel=info",
        ],
        cwd=ROOT,
        env=worker_env(postgres_db, redis_url),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_for(lambda: bool(_children(worker.pid)), timeout=60)
        retention_purge.apply_async(kwargs={"rule_key": RULE}, queue=queue)

        def some_done() -> bool:
            return FreelancerProfile.objects.filter(
                anonymised_at__isnull=False
            ).exists()

        assert wait_for(some_done, timeout=120)
        for child in _children(worker.pid):
            os.kill(child, signal.SIGKILL)
        killed_at = FreelancerProfile.objects.filter(
            anonymised_at__isnull=False
        ).count()

        def all_done() -> bool:
            return not FreelancerProfile.objects.filter(
                anonymised_at__isnull=True
            ).exists()

        if not wait_for(all_done, timeout=120):
            log.seek(0)
            print(log.read()[-6000:])
            pytest.fail("the purge was not resumed")
        assert wait_for(
            lambda: not PurgeRun.objects.filter(status="running").exists(),
            timeout=30,
        )
        runs = list(PurgeRun.objects.order_by("started_at"))
        counted = PurgeRunRule.objects.filter(rule_key=RULE).aggregate(
            n=Sum("anonymised")
        )["n"]
        print(
            f"\nkilled the pool process after {killed_at} of {ROWS} rows; runs: "
            + ", ".join(f"{r.status} ({r.failure_reason or 'ok'})" for r in runs)
            + f"; counted {counted}"
        )
        assert killed_at < ROWS, "the kill should land in the middle of the run"
        assert _half_anonymised() == 0
        assert counted == ROWS
        assert runs[0].status == PurgeRun.Status.FAILED
        assert runs[-1].status == PurgeRun.Status.COMPLETED
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        if worker.returncode not in (0, -15) or os.environ.get("SHOW_WORKER_LOG"):
            log.seek(0)
            print(log.read()[-6000:])
        log.close()
