"""Durable file deletion (the outbox), the orphan sweep, and purge run records.

Issue 14 items 6 and 7: a kill between a batch's commit and its file
deletions left files on disk for ever; a killed run stayed "running" and the
interrupted rule's counts were lost.
"""

import datetime as dt
import io
import os
import socket
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from core.files import file_deletions_process, orphan_files_find
from core.models import FileDeletion
from core.tasks import file_deletions_retry
from privacy import retention
from privacy.erasure import erasure_execute
from privacy.models import PurgeRun
from privacy.retention import retention_purge
from privacy.tasks import retention_purge as retention_purge_task
from profiles import services
from profiles.models import FreelancerProfile, User
from profiles.storage import private_storage
from tests.factories import FreelancerProfileFactory
from tests.privacy.dsr_support import rich_member
from tests.profiles import upload_corpus as corpus

RULE = "profiles.freelancer.closed"


def _files(profile) -> list[tuple[object, str]]:
    return [
        (default_storage, profile.photo.name),
        (default_storage, profile.photo_thumbnail.name),
        (private_storage, profile.cv.name),
    ]


def _with_files(days_closed: float | None = None) -> FreelancerProfile:
    profile = FreelancerProfileFactory()
    services.freelancer_photo_set(
        profile=profile,
        actor=profile.user,
        upload=corpus.jpeg_photo(),
        consent_text="x",
    )
    services.freelancer_cv_set(
        profile=profile, actor=profile.user, upload=corpus.pdf_cv()
    )
    if days_closed is not None:
        User.objects.filter(pk=profile.user_id).update(
            closed_at=timezone.now() - dt.timedelta(days=days_closed)
        )
    profile.refresh_from_db()
    return profile


def test_erasure_records_its_files_so_a_crash_after_commit_loses_none(
    db, django_capture_on_commit_callbacks
):
    zelda = rich_member("zelda")
    files = _files(zelda.profile)
    # The after-commit deletion never runs (the process died after COMMIT).
    with django_capture_on_commit_callbacks(execute=False):
        erasure_execute(user=zelda.user, actor=None)
    assert all(storage.exists(name) for storage, name in files)
    pending = set(FileDeletion.objects.values_list("name", flat=True))
    assert {name for _s, name in files} <= pending
    # The beat task (every 15 minutes) picks up what the crash left.
    FileDeletion.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert file_deletions_retry() == len(pending)
    assert not any(storage.exists(name) for storage, name in files)
    assert not FileDeletion.objects.exists()
    # Idempotent: a second pass (or a second worker) finds nothing to do.
    assert file_deletions_process() == 0


def test_a_rolled_back_erasure_keeps_its_files_and_records_nothing(db):
    profile = _with_files()
    files = _files(profile)
    with pytest.raises(RuntimeError), transaction.atomic():
        erasure_execute(user=profile.user, actor=None)
        raise RuntimeError("a later step failed")
    assert not FileDeletion.objects.exists()
    assert all(storage.exists(name) for storage, name in files)


def test_a_replaced_photo_goes_through_the_same_outbox(
    db, django_capture_on_commit_callbacks
):
    profile = _with_files()
    old = profile.photo.name
    with django_capture_on_commit_callbacks(execute=False):
        services.freelancer_photo_set(
            profile=profile,
            actor=profile.user,
            upload=corpus.jpeg_photo(),
            consent_text="x",
        )
    assert FileDeletion.objects.filter(name=old).exists()
    assert default_storage.exists(old)
    file_deletions_process()
    assert not default_storage.exists(old)


def test_the_purge_records_files_in_the_batch_and_the_next_run_deletes_them(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    profile = _with_files(days_closed=400)
    files = _files(profile)
    # A run killed after its batch committed: no after-commit deletion, and no
    # end-of-run pass either.
    monkeypatch.setattr(retention, "file_deletions_process", lambda **kw: 0)
    with django_capture_on_commit_callbacks(execute=False):
        retention_purge(rule_key=RULE)
    assert FreelancerProfile.objects.get(pk=profile.pk).anonymised_at is not None
    assert all(storage.exists(name) for storage, name in files)
    assert FileDeletion.objects.count() == 3
    monkeypatch.undo()
    retention_purge(rule_key=RULE)
    assert not any(storage.exists(name) for storage, name in files)
    assert not FileDeletion.objects.exists()


def _write(root: str, name: str, age: float = 7200) -> Path:
    path = Path(root, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"left behind")
    then = timezone.now().timestamp() - age
    os.utime(path, (then, then))
    return path


def test_sweep_reports_and_deletes_only_files_no_row_references(db, settings):
    profile = _with_files()
    kept = [Path(storage.path(name)) for storage, name in _files(profile)]
    for path in kept:
        os.utime(path, (0, 0))  # old, but referenced
    public = _write(settings.MEDIA_ROOT, "photos/orphan.jpg")
    private = _write(settings.PRIVATE_MEDIA_ROOT, "cv/orphan.pdf")
    fresh = _write(settings.MEDIA_ROOT, "photos/uploading.jpg", age=10)

    out = io.StringIO()
    call_command("sweep_orphan_files", stdout=out)
    report = out.getvalue()
    assert str(public) in report and str(private) in report
    assert str(fresh) not in report
    assert "2 orphaned file(s)" in report
    assert public.exists() and private.exists()

    out = io.StringIO()
    call_command("sweep_orphan_files", "--delete", stdout=out)
    assert "deleted 2 orphaned file(s)" in out.getvalue()
    assert not public.exists() and not private.exists()
    assert fresh.exists()
    assert all(path.exists() for path in kept)
    assert orphan_files_find(min_age=3600) == []


# --- Purge run records -----------------------------------------------------------


def test_counts_are_committed_with_each_batch_and_a_killed_run_is_failed(
    db, monkeypatch
):
    for _ in range(5):
        profile = FreelancerProfileFactory()
        User.objects.filter(pk=profile.user_id).update(
            closed_at=timezone.now() - dt.timedelta(days=400)
        )
    real = retention._process_batch
    calls = {"n": 0}

    def killed_on_third_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # stands in for a kill mid-run
        return real(*args, **kwargs)

    monkeypatch.setattr(retention, "_process_batch", killed_on_third_batch)
    with pytest.raises(KeyboardInterrupt):
        retention_purge(rule_key=RULE, batch_size=2)
    run = PurgeRun.objects.get()
    assert run.status == PurgeRun.Status.FAILED
    done = FreelancerProfile.objects.filter(anonymised_at__isnull=False).count()
    assert done == 4
    assert run.rules.get(rule_key=RULE).anonymised == done


def test_a_run_whose_process_is_gone_is_marked_failed_at_the_next_start(db):
    host = socket.gethostname()
    gone = PurgeRun.objects.create(worker=f"{host}:999999999")
    silent = PurgeRun.objects.create(
        worker="other-host:1", heartbeat_at=timezone.now() - dt.timedelta(hours=2)
    )
    alive = PurgeRun.objects.create(
        worker="other-host:2", heartbeat_at=timezone.now() - dt.timedelta(minutes=5)
    )
    mine = PurgeRun.objects.create(worker=f"{host}:{os.getpid()}")
    run = retention_purge(rule_key=RULE)
    assert run.status == PurgeRun.Status.COMPLETED and run.worker.startswith(host)
    for stale in (gone, silent):
        stale.refresh_from_db()
        assert stale.status == PurgeRun.Status.FAILED
        assert stale.finished_at is not None and stale.failure_reason
    for live in (alive, mine):
        live.refresh_from_db()
        assert live.status == PurgeRun.Status.RUNNING


def test_the_purge_task_survives_a_lost_worker():
    """acks_late + reject_on_worker_lost: the message goes back to the queue when
    the worker process dies, and another worker resumes the purge."""
    assert retention_purge_task.acks_late is True
    assert retention_purge_task.reject_on_worker_lost is True
