"""Export archives are encrypted on disk and decrypted only while downloaded."""

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.core import mail

from core import crypto
from core.storage import export_storage
from privacy.models import ExportArchive
from privacy.requests import services as dsr
from tests.privacy.dsr_support import rich_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_celery():
    from worksome.celery import app

    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


def _built(member, capture):
    mail.outbox.clear()
    request = dsr.dsr_submit(user=member.user, kind="access")
    with capture(execute=True):
        dsr.dsr_export_request(request=request, actor=None, base_url="http://t/")
    request.refresh_from_db()
    return request


def test_archive_on_disk_holds_no_zip_and_no_cpr_but_downloads_as_a_zip(
    client, eager_celery, django_capture_on_commit_callbacks
):
    zelda = rich_member("zelda")
    request = _built(zelda, django_capture_on_commit_callbacks)
    archive = ExportArchive.objects.get(request=request)
    on_disk = Path(export_storage.path(archive.file.name)).read_bytes()

    assert on_disk.startswith(crypto.FILE_MAGIC)
    assert b"PK\x03\x04" not in on_disk and b"PK\x05\x06" not in on_disk
    cpr = zelda.strings["cpr"]
    for secret in (cpr, cpr.replace("-", ""), zelda.strings["email"], "data.json"):
        assert secret.encode() not in on_disk

    # The e-mailed link and the logged-in download both give the real ZIP.
    [message] = [m for m in mail.outbox if "ready" in m.subject]
    link = re.search(r"http://t(/privacy/exports/\S+/)", message.body).group(1)
    for url in (link, f"/privacy/requests/{request.pk}/download/"):
        client.force_login(zelda.user)
        response = client.get(url)
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert body.startswith(b"PK\x03\x04")
        assert int(response["Content-Length"]) == len(body) == archive.size
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            assert zf.testzip() is None
            data = json.loads(zf.read("data.json"))
        assert data["data"]["profiles.User"][0]["email"] == zelda.strings["email"]
        assert cpr.replace("-", "") in json.dumps(data).replace("-", "")


def _encrypted(payload: bytes) -> bytes:
    raw = io.BytesIO()
    raw.close = lambda: None  # keep the buffer readable after the writer closes
    with crypto.EncryptingWriter(raw) as writer:
        writer.write(payload)
    return raw.getvalue()


def test_large_files_round_trip_in_chunks():
    payload = bytes(range(256)) * (3 * crypto.FILE_CHUNK // 256 + 17)
    stored = _encrypted(payload)
    reader = crypto.DecryptingReader(io.BytesIO(stored))
    parts = iter(lambda: reader.read(64 * 1024), b"")
    assert b"".join(parts) == payload


@pytest.mark.parametrize(
    "tamper",
    [
        lambda data: data[: len(data) - 10],  # cut short
        lambda data: data[: len(crypto.FILE_MAGIC) + 100],  # first frame only
        lambda data: data + b"\x00\x00\x00\x01x",  # trailing frame
    ],
    ids=["truncated", "final-frame-missing", "data-after-end"],
)
def test_tampered_files_do_not_decrypt(tamper):
    stored = tamper(_encrypted(b"x" * (2 * crypto.FILE_CHUNK + 5)))
    with pytest.raises(crypto.FileDecryptError):
        crypto.DecryptingReader(io.BytesIO(stored)).read()


def test_a_file_from_an_old_key_still_reads_after_rotation(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    stored = _encrypted(b"archive")
    settings.FIELD_ENCRYPTION_KEYS = [crypto.Fernet.generate_key().decode(), old_key]
    assert crypto.DecryptingReader(io.BytesIO(stored)).read() == b"archive"
    settings.FIELD_ENCRYPTION_KEYS = [crypto.Fernet.generate_key().decode()]
    with pytest.raises(crypto.FileDecryptError):
        crypto.DecryptingReader(io.BytesIO(stored)).read()
