"""An access export built by a real Celery worker on Redis and Postgres."""

import io
import json
import zipfile

import pytest

from core.storage import export_storage
from privacy.models import DataSubjectRequest, ExportArchive
from privacy.requests import services as dsr
from privacy.requests.tasks import dsr_export_build_task
from tests.integration.conftest import wait_for
from tests.privacy.dsr_support import rich_member

pytestmark = pytest.mark.integration


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_export(start_workers, settings, monkeypatch):
    # The worker reads and writes the files this test's folders hold.
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))
    monkeypatch.setenv("PRIVATE_MEDIA_ROOT", str(settings.PRIVATE_MEDIA_ROOT))
    zelda = rich_member("zelda")
    # A member's own request queues its archive (pending) at once.
    request = dsr.dsr_submit(user=zelda.user, kind="access")
    assert ExportArchive.objects.get(request=request).status == "pending"
    queue = start_workers(2)
    # Two deliveries of the same job: one builds, the other finds nothing to do.
    results = [
        dsr_export_build_task.apply_async(
            kwargs={"request_id": request.pk}, queue=queue
        )
        for _ in range(2)
    ]
    answers = [r.get(timeout=60) for r in results]
    assert sorted(a["built"] for a in answers) == [False, True]
    assert wait_for(
        lambda: DataSubjectRequest.objects.get(pk=request.pk).status == "completed"
    )
    archive = ExportArchive.objects.get(request=request)
    with export_storage.open_plain(archive.file.name) as handle:
        data = json.loads(zipfile.ZipFile(io.BytesIO(handle.read())).read("data.json"))
    assert data["data"]["profiles.User"][0]["email"] == zelda.strings["email"]
    assert len(data["files"]) == 2  # the worker read the photo and the CV
