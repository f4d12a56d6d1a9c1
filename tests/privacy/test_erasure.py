"""Erasure: nothing of the subject left in any table, others untouched."""

import json

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.utils import timezone

from privacy.erasure import erasure_execute
from privacy.models import AuditEvent, DataSubjectRequest, LegalHold
from privacy.registry import Event, personal_data
from privacy.requests import services as dsr
from profiles.models import CvDownload, FreelancerProfile, User
from profiles.storage import private_storage
from tests.factories import UserFactory
from tests.privacy.dsr_support import recipient_company, rich_member


def _dump_text() -> list[str]:
    """Every textual value of every column of every table, via raw SQL."""
    values = []
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                c.name
                for c in connection.introspection.get_table_description(cursor, table)
            ]
            cursor.execute(
                f"SELECT {', '.join(qn(c) for c in columns)} FROM {qn(table)}"  # noqa: S608
            )
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("utf-8", "ignore")
                    elif isinstance(value, dict | list):
                        value = json.dumps(value, ensure_ascii=False)
                    if isinstance(value, str):
                        values.append(value)
    return values


def _found(strings: dict[str, str], dump: list[str]) -> dict[str, str]:
    return {
        key: value
        for key, value in strings.items()
        if any(value.lower() in text.lower() for text in dump)
    }


def _erasure_request(member) -> DataSubjectRequest:
    return dsr.dsr_submit(
        user=member.user,
        kind=DataSubjectRequest.Kind.ERASURE,
        details=f"Please forget me, {member.strings['full_name']}",
    )


def _files(profile) -> list[tuple[object, str]]:
    return [
        (default_storage, profile.photo.name),
        (default_storage, profile.photo_thumbnail.name),
        (private_storage, profile.cv.name),
    ]


def test_erasure_leaves_no_personal_string_in_any_table(
    db, django_capture_on_commit_callbacks
):
    recipient = recipient_company()
    zelda = rich_member("zelda", recipient=recipient)
    yrsa = rich_member("yrsa", recipient=recipient)
    request = _erasure_request(zelda)
    before = _dump_text()
    # The search works: every value is found before (the CPR number is stored
    # only encrypted, so its keyed hash stands in for it).
    plain = {k: v for k, v in zelda.strings.items() if k != "cpr"}
    assert _found(zelda.strings, before) == plain

    with django_capture_on_commit_callbacks(execute=True):
        dsr.dsr_erasure_execute(request=request, actor=None)

    after = _dump_text()
    assert _found(zelda.strings, after) == {}
    assert _found(yrsa.strings, after) == {
        k: v for k, v in yrsa.strings.items() if k != "cpr"
    }
    assert FreelancerProfile.objects.get(pk=zelda.profile.pk).cpr is None
    assert FreelancerProfile.objects.get(pk=yrsa.profile.pk).cpr == yrsa.strings["cpr"]
    request.refresh_from_db()
    assert request.status == DataSubjectRequest.Status.COMPLETED
    assert request.erased_at is not None


def test_erasure_keeps_legal_exception_rows_and_records_the_ground(
    db, django_capture_on_commit_callbacks
):
    zelda = rich_member("zelda", files=False)
    request = _erasure_request(zelda)
    kept_ids = set(
        AuditEvent.objects.filter(
            subject=zelda.user, action__startswith="dsr."
        ).values_list("pk", flat=True)
    )
    assert kept_ids
    with django_capture_on_commit_callbacks(execute=True):
        dsr.dsr_erasure_execute(request=request, actor=None)

    assert kept_ids <= set(
        AuditEvent.objects.filter(subject=zelda.user).values_list("pk", flat=True)
    )
    assert not AuditEvent.objects.filter(
        subject=zelda.user, action="profile.updated"
    ).exists()
    request.refresh_from_db()
    grounds = {k["key"]: k for k in request.legal_exceptions}
    assert "privacy.audit.dsr" in grounds
    assert "accountability" in grounds["privacy.audit.dsr"]["reason"]
    # received, verified and (in the same transaction) started
    assert grounds["privacy.audit.dsr"]["rows"] == len(kept_ids) + 1


def test_erasure_anonymises_or_deletes_per_declaration(
    db, django_capture_on_commit_callbacks
):
    recipient = recipient_company()
    zelda = rich_member("zelda", recipient=recipient)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = erasure_execute(user=zelda.user, actor=None)

    user = User.objects.get(pk=zelda.user.pk)
    assert user.email == f"deleted-{user.pk}@invalid.example"
    assert not user.has_usable_password() and not user.is_active
    assert user.closed_at is not None and user.anonymised_at is not None
    profile = FreelancerProfile.objects.get(pk=zelda.profile.pk)
    assert profile.full_name == "Deleted user" and profile.cpr is None
    assert profile.published_at is None
    assert not CvDownload.objects.filter(profile=profile).exists()
    assert not zelda.user.consent_records.exists()
    assert outcome.deleted["consent.ConsentRecord"] == 2  # marketing + photo
    assert outcome.anonymised["profiles.User"] == 1


def test_files_go_after_commit_and_only_the_subjects(
    db, django_capture_on_commit_callbacks
):
    zelda = rich_member("zelda")
    yrsa = rich_member("yrsa")
    files = _files(zelda.profile)
    assert all(storage.exists(name) for storage, name in files)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        erasure_execute(user=zelda.user, actor=None)
    # Not yet committed: the files are still there.
    assert all(storage.exists(name) for storage, name in files)
    for callback in callbacks:
        callback()
    assert not any(storage.exists(name) for storage, name in files)
    assert all(storage.exists(name) for storage, name in _files(yrsa.profile))


def test_a_logged_in_session_ends_with_erasure(
    client, db, django_capture_on_commit_callbacks
):
    zelda = rich_member("zelda", files=False)
    client.force_login(zelda.user)
    assert client.get("/dashboard/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        erasure_execute(user=zelda.user, actor=None)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_failing_step_rolls_the_whole_erasure_back(db, monkeypatch):
    zelda = rich_member("zelda")
    files = _files(zelda.profile)

    def boom(*, user, actor):
        raise RuntimeError("app failed")

    handlers = {k: list(v) for k, v in personal_data._handlers.items()}
    handlers.setdefault(str(Event.ERASE), []).append(boom)
    monkeypatch.setattr(personal_data, "_handlers", handlers)
    with pytest.raises(RuntimeError):
        erasure_execute(user=zelda.user, actor=None)
    user = User.objects.get(pk=zelda.user.pk)
    assert user.email == zelda.strings["email"] and user.closed_at is None
    profile = FreelancerProfile.objects.get(pk=zelda.profile.pk)
    assert profile.full_name == zelda.strings["full_name"]
    assert all(storage.exists(name) for storage, name in files)


def test_a_subject_under_legal_hold_is_not_erased(db):
    zelda = rich_member("zelda", files=False)
    request = _erasure_request(zelda)
    LegalHold.objects.create(subject=zelda.user, reason="Pending court case")
    with pytest.raises(ValidationError) as excinfo:
        dsr.dsr_erasure_execute(request=request, actor=None)
    assert excinfo.value.code == "legal_hold"
    request.refresh_from_db()
    assert request.status == DataSubjectRequest.Status.VERIFIED
    assert User.objects.get(pk=zelda.user.pk).email == zelda.strings["email"]


def test_a_row_under_its_own_legal_hold_is_kept(db, django_capture_on_commit_callbacks):
    from django.contrib.contenttypes.models import ContentType

    zelda = rich_member("zelda", files=False)
    record = zelda.user.consent_records.first()
    LegalHold.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk),
        reason="Evidence in a complaint",
        until=timezone.now() + timezone.timedelta(days=30),
    )
    with django_capture_on_commit_callbacks(execute=True):
        outcome = erasure_execute(user=zelda.user, actor=None)
    assert type(record).objects.filter(pk=record.pk).exists()
    assert {"model": "consent.ConsentRecord", "key": "legal_hold"} in [
        {"model": k["model"], "key": k["key"]} for k in outcome.kept
    ]


def test_erasure_of_another_kind_of_request_is_refused(db):
    zelda = rich_member("zelda", files=False)
    request = dsr.dsr_submit(user=zelda.user, kind=DataSubjectRequest.Kind.ACCESS)
    with pytest.raises(ValidationError):
        dsr.dsr_erasure_execute(request=request, actor=None)
    assert User.objects.get(pk=zelda.user.pk).email == zelda.strings["email"]


def test_a_pending_invitation_to_the_subjects_address_is_exported_and_erased(db):
    from profiles import services as profile_services
    from profiles.models import Company, CompanyInvitation

    zelda = rich_member("zelda", files=False)
    yrsa = rich_member("yrsa", files=False)
    company = Company.objects.create(name="Inviting ApS", slug="inviting")
    mine, _token = profile_services.company_invite(
        company=company,
        actor=yrsa.user,
        email=zelda.strings["email"].upper(),  # the address, however it is typed
        role="member",
    )
    theirs, _token = profile_services.company_invite(
        company=company, actor=yrsa.user, email="someone@example.org", role="member"
    )
    declaration = personal_data.get(CompanyInvitation)
    assert list(declaration.rows_for(zelda.user)) == [mine]
    erasure_execute(user=zelda.user, actor=None)
    assert not CompanyInvitation.objects.filter(pk=mine.pk).exists()
    assert CompanyInvitation.objects.filter(pk=theirs.pk).exists()


def test_erasure_deletes_every_session_of_the_subject_in_its_transaction(db):
    """Issue 14 item 4: the sessions (which hold who is logged in) survived
    erasure until their idle expiry and the daily cleanup."""
    zelda = rich_member("zelda", files=False)
    other = UserFactory()
    browsers = [Client(), Client()]
    for browser in browsers:
        browser.force_login(zelda.user)
        assert browser.get("/dashboard/").status_code == 200
    bystander = Client()
    bystander.force_login(other)

    def owners() -> list[str]:
        return [s.get_decoded().get(SESSION_KEY) for s in Session.objects.all()]

    assert owners().count(str(zelda.user.pk)) == 2
    # No after-commit callback runs: the sessions go in the erasure's transaction.
    erasure_execute(user=zelda.user, actor=None)
    assert owners() == [str(other.pk)]
    assert bystander.get("/dashboard/").status_code == 200


def test_sessions_are_exported_without_their_key(db):
    zelda = rich_member("zelda", files=False)
    browser = Client()
    browser.force_login(zelda.user)
    session = Session.objects.get()
    declaration = personal_data.get(Session)
    rows = [declaration.export_row(r) for r in declaration.export_queryset(zelda.user)]
    assert rows == [{"expire_date": session.expire_date.isoformat()}]
    assert session.session_key not in repr(rows)


def test_row_ids_beyond_one_statements_parameters_are_selected_as_one_array(db):
    """Erasure selects each declaration's rows by primary key before acting;
    PostgreSQL takes at most 65,535 parameters a statement, and a subject can
    own more rows than that."""
    from privacy.queries import pk_in

    user = UserFactory()
    ids = [*range(10**9, 10**9 + 70_000), user.pk]
    assert list(User.objects.filter(pk_in(ids)).values_list("pk", flat=True)) == [
        user.pk
    ]
    assert not User.objects.filter(pk_in([])).exists()
