"""A prefork worker's child killed while a mailing is being sent does not end
the mailing. Killed inside a page, the page's message goes back to the queue
(acks_late + reject_on_worker_lost) and the redelivered page goes on from the
rows not yet claimed; killed between pages, the next page's message (held by
the worker's main process until its countdown) runs. Either way the chain
finishes, nobody has two deliveries, and rows a killed page had claimed stay
claimed (at most once: never mailed again). The test prints where it landed."""

import os
import signal
import subprocess
import sys
import tempfile
import uuid

import pytest

from mailings.models import Mailing, MailingDelivery
from mailings.tasks import mailing_send
from tests.integration.conftest import ROOT, wait_for, worker_env
from tests.integration.test_purge_worker_lost import _children
from tests.mailings import support

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MEMBERS = 120


def test_a_killed_pool_process_does_not_end_the_mailing(
    postgres_db, redis_url, monkeypatch
):
    monkeypatch.setenv("EMAIL_URL", "memorymail://")
    monkeypatch.setenv("MAILING_PAGE_SIZE", "10")
    monkeypatch.setenv("MAILING_RATE_PER_SECOND", "200")
    members = [support.member("opted_in") for _ in range(MEMBERS)]
    mailing = support.mailing(
        Mailing.Kind.MARKETING, audience=Mailing.Audience.FREELANCERS
    )
    Mailing.objects.filter(pk=mailing.pk).update(
        status=Mailing.Status.SENDING, run_token="chain"
    )
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
    deliveries = MailingDelivery.objects.filter(mailing=mailing)
    try:
        assert wait_for(lambda: bool(_children(worker.pid)), timeout=60)
        mailing_send.apply_async((mailing.pk, "chain"), queue=queue)
        assert wait_for(lambda: deliveries.filter(state="sent").count() >= 15, 120)
        for child in _children(worker.pid):
            os.kill(child, signal.SIGKILL)
        killed_at = deliveries.filter(state="sent").count()

        def finished() -> bool:
            return Mailing.objects.filter(pk=mailing.pk, status="sent").exists()

        if not wait_for(finished, timeout=180):
            log.seek(0)
            print(log.read()[-6000:])
            pytest.fail("the mailing was not finished after the kill")
        states = list(deliveries.values_list("state", flat=True))
        claimed = states.count("sending")
        print(
            f"\nkilled the pool process after {killed_at} of {MEMBERS} sent; "
            f"{claimed} rows claimed by the killed page stay unsent"
        )
        assert killed_at < MEMBERS, "the kill should land in the middle of sending"
        assert sorted(deliveries.values_list("user_id", flat=True)) == sorted(
            m.pk for m in members
        )
        assert set(states) <= {"sent", "sending"}
        assert states.count("sent") + claimed == MEMBERS
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
