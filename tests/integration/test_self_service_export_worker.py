"""A logged-in member's access request, end to end on a real prefork worker
(PostgreSQL, Redis): no staff step; the worker builds the export, completes
the request and the mail service's task mails the link in the member's
language."""

import email
from pathlib import Path

import pytest
import redis

from privacy.models import AuditEvent, DataSubjectRequest, ExportArchive
from privacy.requests import services as dsr
from tests.integration.conftest import wait_for
from tests.privacy.dsr_support import rich_member
from worksome.celery import app

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _mails(folder: Path) -> list[email.message.Message]:
    """The messages the worker's file backend wrote (one file per connection)."""
    found = []
    for path in folder.iterdir():
        for raw in path.read_bytes().split(b"-" * 79):
            if raw.strip():
                found.append(email.message_from_bytes(raw.strip()))
    return found


def test_a_members_export_is_built_and_mailed_without_staff(
    start_workers, redis_url, settings, monkeypatch, tmp_path
):
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))
    monkeypatch.setenv("PRIVATE_MEDIA_ROOT", str(settings.PRIVATE_MEDIA_ROOT))
    outbox = tmp_path / "mail"
    outbox.mkdir()
    # "filemail://" + an absolute path: four slashes in all.
    monkeypatch.setenv("EMAIL_URL", f"filemail:///{outbox}")
    zelda = rich_member("zelda", files=False)
    zelda.user.language = "da"
    zelda.user.save(update_fields=["language"])
    # The worker queues the mail itself, on the default queue: it consumes
    # that too, emptied first of anything an earlier run left on this broker.
    default = app.conf.task_default_queue
    redis.Redis.from_url(redis_url).delete(default)
    queue = start_workers(1, pool="prefork", also=(default,))
    # The tasks queued after commit here go to this test's worker.
    old_routes = app.conf.task_routes
    app.conf.task_routes = {
        "privacy.requests.tasks.*": {"queue": queue},
        "consent.mail_deliver": {"queue": queue},
    }
    app.amqp.flush_routes()
    try:
        # Autocommit: the export task is queued as the request is stored.
        request = dsr.dsr_submit(
            user=zelda.user, kind="access", base_url="http://testserver/"
        )
        assert wait_for(
            lambda: DataSubjectRequest.objects.get(pk=request.pk).status == "completed",
            timeout=90,
        )

        def ready_mail():
            return [m for m in _mails(outbox) if m["X-Mail-Kind"] == "service"] or None

        assert wait_for(ready_mail, timeout=60)
    finally:
        app.conf.task_routes = old_routes
        app.amqp.flush_routes()
    archive = ExportArchive.objects.get(request=request)
    assert archive.status == "ready" and archive.size > 0
    [message] = ready_mail()
    assert message["To"] == zelda.user.email
    parts = {p.get_content_type(): p for p in message.walk()}
    text = parts["text/plain"].get_payload(decode=True).decode()
    html = parts["text/html"].get_payload(decode=True).decode()
    assert "http://testserver/privacy/exports/" in text
    assert '<html lang="da">' in html
    # Nobody but the member (and the system) acted on the request.
    actors = set(
        AuditEvent.objects.filter(
            target_type="privacy.datasubjectrequest", target_id=str(request.pk)
        ).values_list("actor_id", flat=True)
    )
    assert actors <= {zelda.user.pk, None}
