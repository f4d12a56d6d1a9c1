"""The export streams: a fixed number of queries whatever the number of rows,
each row once, and a data.json that is still one valid UTF-8 JSON document."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consent.models import ConsentRecord, Purpose
from consent.services import consent_record
from core.storage import export_storage
from privacy.models import AuditEvent, ExportArchive
from privacy.registry import Anonymise, PersonalData, Registry, personal_data
from privacy.requests.export import dsr_export_build
from privacy.requests.services import dsr_submit
from privacy.services import audit_record
from profiles.models import Company, CvDownload, User
from tests.factories import UserFactory
from tests.privacy.dsr_support import rich_member

# Stored and exported as is: the archive is UTF-8 (ensure_ascii=False).
UNICODE_COMPANY = "Ærø Kaffe & Co. ApS – 東京 ✓"


def _add_rows(member, count: int, *, start: int = 0) -> None:
    """``count`` more consent records, CV downloads and audit events."""
    for i in range(start, start + count):
        consent_record(
            purpose=Purpose.MARKETING_EMAIL,
            granted=i % 2 == 1,  # each record supersedes the previous one
            source="profile",
            user=member.user,
        )
        CvDownload.objects.create(
            profile=member.profile,
            company_name=f"{UNICODE_COMPANY} {i}",
            downloaded_at=timezone.now() - dt.timedelta(minutes=i),
        )
        audit_record(
            actor=None,
            subject=member.user,
            action="profile.cpr_viewed",
            target=member.profile,
        )


def _build(user) -> tuple[ExportArchive, int]:
    """Build an access export the way the task does; returns it and its queries."""
    # A member's own access request queues its archive at once (pending).
    request = dsr_submit(user=user, kind="access")
    assert ExportArchive.objects.filter(request=request, status="pending").exists()
    with CaptureQueriesContext(connection) as queries:
        archive = dsr_export_build(request_id=request.pk)
    assert archive is not None and archive.status == ExportArchive.Status.READY
    return archive, len(queries)


def _data_json(archive) -> str:
    with export_storage.open_plain(archive.file.name) as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read())).read("data.json").decode()


@pytest.fixture
def member(db):
    return rich_member("zelda", files=False)


def test_export_query_count_does_not_grow_with_the_rows(member):
    _add_rows(member, 5)
    archive_5, queries_5 = _build(member.user)
    _add_rows(member, 45, start=5)
    archive_50, queries_50 = _build(member.user)

    assert queries_50 == queries_5
    # The second archive really holds the ten times larger history.
    data_5 = json.loads(_data_json(archive_5))["data"]
    data_50 = json.loads(_data_json(archive_50))["data"]
    assert len(data_50["profiles.CvDownload"]) == 50
    assert len(data_5["profiles.CvDownload"]) == 5
    assert len(data_50["consent.ConsentRecord"]) == 51  # and rich_member's one


def test_data_json_is_valid_json_with_every_row_and_unicode_text(member):
    other = rich_member("yrsa", files=False)
    _add_rows(member, 7)
    _add_rows(other, 3)
    archive, _queries = _build(member.user)
    text = _data_json(archive)
    payload = json.loads(text)

    assert list(payload) == [
        "generated_at",
        "format",
        "data",
        "files",
        "about_this_processing",
    ]
    assert payload["format"] == "worksome-export/1"
    # The layout is the one-shot encoder's (indent=2, UTF-8), row by row.
    assert text == json.dumps(payload, indent=2, ensure_ascii=False)
    assert f"{UNICODE_COMPANY} 6" in text  # verbatim, not \u-escaped
    data = payload["data"]
    # Every row of the subject (read here without the registry), no other's.
    expected = {
        "consent.ConsentRecord": ConsentRecord.objects.filter(user=member.user),
        "profiles.CvDownload": CvDownload.objects.filter(profile=member.profile),
        # The completion is recorded after the archive is closed.
        "privacy.AuditEvent": AuditEvent.objects.filter(subject=member.user).exclude(
            action="dsr.completed"
        ),
        "profiles.Company": Company.objects.filter(members=member.user),
    }
    for label, rows in expected.items():
        ids = [row["id"] for row in data[label]]
        assert ids == sorted(rows.values_list("pk", flat=True)), label
    assert len(data["profiles.CvDownload"]) == 7
    assert [r["company_name"] for r in data["profiles.CvDownload"]] == [
        f"{UNICODE_COMPANY} {i}" for i in range(7)
    ]
    consent = data["consent.ConsentRecord"][-1]
    assert consent["version"]["text"] and consent["version"]["policy_version"]
    assert other.strings["email"] not in text
    # Labels without rows stay out, as before.
    assert "privacy.LegalHold" not in data and "compliance.Breach" not in data


def test_export_queryset_keeps_each_row_once_without_distinct(db):
    """A subject path through a to-many relation repeats rows; the export
    removes the repeats with a semi-join on the key, not a DISTINCT sort."""
    registry = Registry()

    @registry.register(User)
    class ViaConsentRecords(PersonalData):
        subject = "consent_records__user"
        fields = {"email": Anonymise.keep()}

    declaration = registry.get(User)
    user = UserFactory()
    for granted in (True, False, True):
        consent_record(
            purpose=Purpose.MARKETING_EMAIL,
            granted=granted,
            source="profile",
            user=user,
        )
    assert declaration.rows_for(user).count() == 3  # the join repeats the user
    rows = declaration.export_queryset(user)
    assert list(rows) == [user]
    assert "DISTINCT" not in str(rows.query).upper()
    assert declaration.subject_path_repeats_rows()
    assert not personal_data.get(ConsentRecord).subject_path_repeats_rows()
    assert personal_data.get(Company).subject_path_repeats_rows()


def test_export_reads_the_consent_text_in_the_same_query(member):
    _add_rows(member, 4)
    declaration = personal_data.get(ConsentRecord)
    fields = declaration.exported_fields()
    with CaptureQueriesContext(connection) as queries:
        rows = [
            declaration.export_row(record, fields=fields)
            for record in declaration.export_queryset(member.user).iterator(
                chunk_size=2
            )
        ]
    assert len(rows) == 5 and all(row["version"]["text"] for row in rows)
    assert len(queries) == 1


def test_each_company_is_one_recipient_since_its_first_download(db):
    member = rich_member("zelda", files=False)
    acme = Company.objects.create(name="Acme ApS", slug="acme-rita")
    start = timezone.now() - dt.timedelta(days=30)
    for days, company, name in [
        (5, acme, "Acme ApS"),
        (1, acme, "Acme (old name)"),  # renamed since: still one recipient
        (9, acme, "Acme ApS"),
        (3, None, "Gone A/S"),  # the company was deleted; its name stays
        (7, None, "Gone A/S"),
    ]:
        CvDownload.objects.create(
            profile=member.profile,
            company=company,
            company_name=name,
            downloaded_at=start + dt.timedelta(days=days),
        )
    ours = [
        r
        for r in personal_data.recipients(member.user)
        if r.name in ("Acme ApS", "Gone A/S")
    ]
    assert [(r.name, r.since) for r in ours] == [
        ("Acme ApS", start + dt.timedelta(days=1)),
        ("Gone A/S", start + dt.timedelta(days=3)),
    ]
    assert all(r.reference == member.profile.full_name for r in ours)
