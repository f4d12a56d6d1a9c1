"""The access / portability export: complete, only the subject's, expiring."""

import datetime as dt
import io
import json
import re
import zipfile

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.files import file_deletions_process
from core.models import FileDeletion
from core.storage import export_storage
from privacy import facts
from privacy.models import DataSubjectRequest, ExportArchive
from privacy.registry import personal_data
from privacy.requests import export
from privacy.requests import services as dsr
from privacy.requests.export import dsr_export_build
from privacy.retention import retention_purge
from tests.privacy.dsr_support import recipient_company, rich_member


@pytest.fixture
def eager_celery():
    """Tasks run in-process (the integration tests use a real worker)."""
    from worksome.celery import app

    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


@pytest.fixture
def two_members(db):
    recipient = recipient_company()
    return (
        rich_member("zelda", recipient=recipient),
        rich_member("yrsa", recipient=recipient),
        recipient,
    )


def _built(member, django_capture_on_commit_callbacks, kind="access"):
    request = dsr.dsr_submit(user=member.user, kind=kind)
    with django_capture_on_commit_callbacks(execute=True):
        dsr.dsr_export_request(request=request, actor=None, base_url="http://t/")
    request.refresh_from_db()
    return request


def _zip(archive) -> zipfile.ZipFile:
    with export_storage.open_plain(archive.file.name) as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def test_export_holds_every_registered_field_of_the_subject(
    two_members, eager_celery, django_capture_on_commit_callbacks
):
    zelda, _yrsa, _recipient = two_members
    request = _built(zelda, django_capture_on_commit_callbacks)
    assert request.status == DataSubjectRequest.Status.COMPLETED
    archive = request.export
    assert archive.status == ExportArchive.Status.READY and archive.progress == 100
    data = json.loads(_zip(archive).read("data.json"))["data"]
    for declaration in personal_data.declarations():
        rows = list(declaration.rows_for(zelda.user).distinct())
        label = declaration.model._meta.label
        if not rows:
            continue
        got = {row["id"] for row in data[label]}
        missing = {r for r in rows if r.pk not in got}
        # Only the audit event of the completion, written after the build.
        assert {getattr(r, "action", None) for r in missing} <= {"dsr.completed"}
        assert got <= {r.pk for r in rows}, label
        exported = {s.name for s in declaration.personal_fields() if s.exported}
        for row in data[label]:
            assert exported <= set(row), label
    profile = data["profiles.FreelancerProfile"][0]
    for key in ("full_name", "street", "city", "headline", "bio", "cpr"):
        assert profile[key] == zelda.strings[key]
    assert profile["phone"] == zelda.strings["phone"]
    assert sorted(profile["skills"]) == ["Django", "Zeldacraft"]
    assert data["profiles.User"][0]["email"] == zelda.strings["email"]
    assert "password" not in data["profiles.User"][0]


def test_export_holds_nothing_of_another_member(
    two_members, eager_celery, django_capture_on_commit_callbacks
):
    zelda, yrsa, _recipient = two_members
    archive = _built(zelda, django_capture_on_commit_callbacks).export
    archive_zip = _zip(archive)
    everything = b"".join(archive_zip.read(n) for n in archive_zip.namelist())
    text = everything.decode("utf-8", "ignore") + " ".join(archive_zip.namelist())
    for key, value in yrsa.strings.items():
        assert value not in text, key
    assert yrsa.profile.photo.name.rsplit("/", 1)[-1] not in text
    # ...while the subject's own values are there (the check can fail).
    assert zelda.strings["email"] in text and zelda.strings["full_name"] in text


def test_export_contains_the_uploaded_files_byte_for_byte(
    two_members, eager_celery, django_capture_on_commit_callbacks
):
    zelda, _yrsa, _recipient = two_members
    archive = _built(zelda, django_capture_on_commit_callbacks).export
    archive_zip = _zip(archive)
    index = json.loads(archive_zip.read("data.json"))["files"]
    by_field = {entry["field"]: entry["path"] for entry in index}
    assert set(by_field) == {"photo", "cv"}
    with zelda.profile.cv.open("rb") as cv:
        assert archive_zip.read(by_field["cv"]) == cv.read()
    with zelda.profile.photo.open("rb") as photo:
        assert archive_zip.read(by_field["photo"]) == photo.read()


def test_export_states_the_art_15_facts(
    two_members, eager_celery, django_capture_on_commit_callbacks
):
    zelda, _yrsa, recipient = two_members
    archive = _built(zelda, django_capture_on_commit_callbacks).export
    about = json.loads(_zip(archive).read("data.json"))["about_this_processing"]
    assert about["complaint_authority"]["name"] == "Datatilsynet"
    assert (
        "Carl Jacobsens Vej 35, 2500 Valby" in about["complaint_authority"]["address"]
    )
    assert about["complaint_authority"]["email"] == "dt@datatilsynet.dk"
    # The controller as the privacy policy names it (PRIVACY_CONTROLLER).
    controller = facts.controller()
    assert about["controller"]["name"] == controller["name"]
    assert about["controller"]["address"] == controller["address"]
    assert about["controller"]["contact"] == controller["email"]
    names = [
        r["name"] for r in about["recipients"]["companies_that_received_your_data"]
    ]
    assert names == [recipient["company"].name]
    rules = {r["rule"]: r for r in about["retention"]}
    assert rules["profiles.freelancer.closed"]["days_after_purpose_ends"] == 365
    assert about["purposes"] and about["categories"] and about["rights"]
    assert about["source"] and about["automated_decision_making"]


def test_completion_mail_carries_a_link_only_the_subject_can_use(
    client, two_members, eager_celery, django_capture_on_commit_callbacks
):
    zelda, yrsa, _recipient = two_members
    mail.outbox.clear()
    request = _built(zelda, django_capture_on_commit_callbacks)
    [message] = [m for m in mail.outbox if "ready" in m.subject]
    assert message.to == [zelda.strings["email"]]
    link = re.search(r"http://t(/privacy/exports/\S+/)", message.body).group(1)
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    client.force_login(yrsa.user)
    assert client.get(link).status_code == 404
    assert client.get(f"/privacy/requests/{request.pk}/download/").status_code == 404
    client.force_login(zelda.user)
    assert client.get(f"/privacy/requests/{request.pk}/download/").status_code == 200
    assert client.get("/privacy/exports/not-a-token/").status_code == 404


def test_an_expired_export_is_refused_and_purged_with_its_file(
    client, two_members, eager_celery, django_capture_on_commit_callbacks
):
    zelda, _yrsa, _recipient = two_members
    request = _built(zelda, django_capture_on_commit_callbacks)
    archive = request.export
    name = archive.file.name
    assert export_storage.exists(name)
    ExportArchive.objects.filter(pk=archive.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    client.force_login(zelda.user)
    assert client.get(f"/privacy/requests/{request.pk}/download/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        run = retention_purge(rule_key="privacy.export.expired")
    assert run.rules.get().deleted == 1
    assert not ExportArchive.objects.filter(pk=archive.pk).exists()
    assert not export_storage.exists(name)


def test_an_unexpired_export_is_not_purged(
    two_members, eager_celery, django_capture_on_commit_callbacks
):
    zelda, _yrsa, _recipient = two_members
    archive = _built(zelda, django_capture_on_commit_callbacks).export
    retention_purge(rule_key="privacy.export.expired")
    assert export_storage.exists(archive.file.name)


def test_building_twice_changes_nothing(
    two_members, eager_celery, django_capture_on_commit_callbacks
):
    zelda, _yrsa, _recipient = two_members
    request = _built(zelda, django_capture_on_commit_callbacks)
    name = request.export.file.name
    assert dsr_export_build(request_id=request.pk) is None
    request.refresh_from_db()
    assert request.export.file.name == name
    with pytest.raises(ValidationError):
        dsr.dsr_export_request(request=request, actor=None)


def test_a_failed_build_leaves_no_file_and_can_be_retried(
    two_members, eager_celery, django_capture_on_commit_callbacks, monkeypatch
):
    zelda, _yrsa, _recipient = two_members
    request = dsr.dsr_submit(user=zelda.user, kind="portability")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(export, "_write_archive", broken)
    with pytest.raises(OSError), django_capture_on_commit_callbacks(execute=True):
        dsr.dsr_export_request(request=request, actor=None)
    archive = ExportArchive.objects.get(request=request)
    assert archive.status == ExportArchive.Status.FAILED and not archive.file
    assert archive.error == "OSError"
    # The partial file goes through the deletion outbox. A worker builds
    # outside any transaction, so there it goes at once; inside this test's
    # transaction the outbox's own pass (the retry task's) deletes it.
    (partial,) = export_storage.listdir("")[1]
    assert FileDeletion.objects.filter(name=partial).exists()
    file_deletions_process()
    assert export_storage.listdir("")[1] == []
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        dsr.dsr_export_request(request=request, actor=None)
    archive.refresh_from_db()
    assert archive.status == ExportArchive.Status.READY


def test_status_page_shows_progress_while_building(
    client, two_members, django_capture_on_commit_callbacks
):
    zelda, _yrsa, _recipient = two_members
    request = dsr.dsr_submit(user=zelda.user, kind="access")
    # Not eager: the task is queued but no worker has run it yet.
    ExportArchive.objects.filter(request=request).update(
        status=ExportArchive.Status.BUILDING, progress=40
    )
    client.force_login(zelda.user)
    html = client.get(f"/privacy/requests/{request.pk}/").content.decode()
    # The page polls its JSON status (our own script), no meta refresh.
    assert 'value="40" data-dsr-progress' in html and "http-equiv" not in html
    assert "/static/privacy/dsr_status.js" in html
    assert f'data-dsr-status-url="/privacy/requests/{request.pk}/status/"' in html
    assert "being built" in html


def test_export_of_a_request_of_another_kind_is_refused(db):
    zelda = rich_member("zelda", files=False)
    request = dsr.dsr_submit(user=zelda.user, kind="erasure")
    with pytest.raises(ValidationError):
        dsr.dsr_export_request(request=request, actor=None)
    assert not ExportArchive.objects.exists()
