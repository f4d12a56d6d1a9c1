"""Make a migration snapshot: a database migrated and filled at this commit.

    .venv/bin/python tests/migrations/make_snapshot.py [--database-url URL]

Creates a throwaway PostgreSQL database, migrates it, fills it with
``seed_demo``, the crawl dataset (tests/system/dataset.py: an object of every
kind) and the rows that dataset leaves out (sessions, a failed log-in, cookie
choices, an objection, a renamed profile, beat's schedule sync, and one row of
each table the running site no longer writes), dumps it with
``pg_dump --no-owner --no-privileges`` to snapshots/main-<commit>.sql.gz and
writes the manifest beside it. tests/migrations/test_forward.py restores the
newest snapshot, migrates it forward and compares it with the manifest.

Run it at a commit of main whose schema a deployed database could hold; the
environment (keys included) is snapshot.SNAPSHOT_ENV, so the test can decrypt
and verify what this wrote.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.migrations.snapshot import (  # noqa: E402 - needs the path above
    ROOT,
    SNAPSHOTS,
    database_create,
    database_drop,
    environment,
    manifest_build,
    server_url,
)


def _commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short=7", "HEAD"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/worksome"
    return url


def fill() -> dict:
    """Migrate and fill the database of DATABASE_URL; returns facts to check."""
    import django

    django.setup()

    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    # DEBUG is off, so no demo administrator (its password is published).
    call_command("seed_demo", verbosity=0)

    from tests.system.dataset import build_dataset

    data = build_dataset()
    return _extras(data)


def _extras(data) -> dict:
    """Rows of the tables the crawl dataset leaves empty, and what to check."""
    from allauth.account.models import EmailAddress, EmailConfirmation
    from axes.models import (
        AccessAttempt,
        AccessAttemptExpiration,
        AccessFailureLog,
        AccessLog,
    )
    from cookie_consent.models import ACTION_ACCEPTED, CookieGroup, LogItem
    from django.apps import apps
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.models import Session
    from django.test import Client
    from django.utils import timezone
    from django_celery_beat.schedulers import DatabaseScheduler

    from privacy import dsr as dsr_services
    from privacy.models import DataSubjectRequest, PolicyVersion, SessionOwner
    from profiles import services as profile_services
    from profiles.models import FreelancerProfile
    from tests.factories import PASSWORD, DataSubjectRequestFactory
    from worksome.celery import app

    now = timezone.now()
    freelancer = data.users["freelancer"]
    superuser = data.users["superuser"]
    viewer = data.users["staff_viewer"]
    desk = Group.objects.get(name="Privacy desk")
    desk.user_set.add(viewer)

    # Logged-in sessions (with their SessionOwner rows, privacy.sessions).
    for user in (freelancer, data.users["company_owner"]):
        Client().force_login(user)
    # A failed log-in: django-axes counts it in its database cache table.
    failed = Client().post(
        "/accounts/login/", {"login": freelancer.email, "password": "wrong"}
    )
    assert failed.status_code == 200, failed.status_code
    # A visitor's cookie choice from the banner, through the site.
    visitor = Client()
    accepted = visitor.post(
        "/cookies/accept/", {"cookie_groups": "analytics", "source": "banner"}
    )
    assert accepted.status_code == 302, accepted.status_code

    # An objection, verified by staff: the address joins the suppression list.
    objection = DataSubjectRequestFactory(
        subject=data.users["company_owner"], kind="objection", status="received"
    )
    dsr_services.dsr_verify(request=objection, actor=superuser)

    # A renamed freelancer: the old slug keeps redirecting.
    renamed = FreelancerProfile.objects.get(full_name="Sofie Lund")
    profile_services.freelancer_profile_update(
        profile=renamed, actor=renamed.user, data={"full_name": "Sofie Lund Berg"}
    )

    # What beat does at start: CELERY_BEAT_SCHEDULE synced into its tables.
    DatabaseScheduler(app=app)

    # Tables the running site no longer writes (cookie_consent's log and the
    # axes database handler are switched off in settings; allauth confirms
    # e-mail with HMAC keys), but a database from before could hold rows.
    group = CookieGroup.objects.get(varname="analytics")
    LogItem.objects.create(
        action=ACTION_ACCEPTED, cookiegroup=group, version=group.get_version()
    )
    attempt = {
        "user_agent": "Mozilla/5.0",
        "ip_address": "192.0.2.10",
        "username": freelancer.email,
        "http_accept": "text/html",
        "path_info": "/accounts/login/",
        "attempt_time": now,
    }
    # bulk_create: the signal receivers of axes' database handler would run on
    # save, and the configured cache handler lacks them.
    [access] = AccessAttempt.objects.bulk_create(
        [
            AccessAttempt(
                **attempt, get_data="", post_data="login=…", failures_since_start=1
            )
        ]
    )
    AccessAttemptExpiration.objects.bulk_create(
        [
            AccessAttemptExpiration(
                access_attempt=access, expires_at=now + timezone.timedelta(minutes=15)
            )
        ]
    )
    AccessFailureLog.objects.bulk_create(
        [AccessFailureLog(**attempt, locked_out=False)]
    )
    AccessLog.objects.bulk_create([AccessLog(**attempt, session_hash="0" * 64)])
    confirmation = EmailConfirmation.create(
        EmailAddress.objects.get(user=data.users["company_owner"])
    )
    confirmation.sent = now
    confirmation.save(update_fields=["sent"])
    policy = data.policy_version
    LogEntry.objects.create(
        user=superuser,
        content_type=ContentType.objects.get_for_model(PolicyVersion),
        object_id=str(policy.pk),
        object_repr=str(policy),
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Summary"]}}]',
    )

    owned = SessionOwner.objects.filter(user=freelancer).first()
    assert owned is not None and Session.objects.filter(pk=owned.session_id).exists()
    return {
        "cpr": {
            "profile_id": data.profile.pk,
            "value": FreelancerProfile.objects.get(pk=data.profile.pk).cpr,
        },
        "password": {"email": freelancer.email, "password": PASSWORD},
        "session": {"session_key": owned.session_id, "user_id": freelancer.pk},
        "group": {"name": desk.name, "permissions": desk.permissions.count()},
        "policy_version": {"id": policy.pk, "version": policy.version},
        "dsr": {
            "id": data.dsr.pk,
            "kind": data.dsr.kind,
            "status": data.dsr.status,
            "subject_id": freelancer.pk,
        },
        "outsider_dsr_email": DataSubjectRequest.objects.get(
            subject=None, email="outsider@example.com"
        ).email,
        "periodic_tasks": sorted(app.conf.beat_schedule),
        "model_tables": sorted(
            model._meta.db_table for model in apps.get_models(include_auto_created=True)
        ),
    }


def _uncommitted() -> str:
    """Changes outside tests/migrations/: the snapshot would not be the commit's."""
    return subprocess.run(
        ["git", "status", "--porcelain", "--", ".", ":!tests/migrations"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def dump(database_url: str, path: Path) -> None:
    sql = subprocess.run(
        ["pg_dump", "--no-owner", "--no-privileges", "-d", database_url],
        check=True,
        capture_output=True,
    ).stdout
    # pg_dump since 15.14/16.10/17.6 fences the dump in \restrict ... \unrestrict
    # (against meta-commands smuggled into data); older psql stops at them as
    # unknown commands. The dump is this script's own, so they go.
    sql = b"".join(
        line
        for line in sql.splitlines(keepends=True)
        if not line.startswith((b"\\restrict ", b"\\unrestrict "))
    )
    # mtime=0: the same dump gives the same file.
    path.write_bytes(gzip.compress(sql, compresslevel=9, mtime=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=_database_url(),
        help="a PostgreSQL database on the server to use (DATABASE_URL); the "
        "snapshot is made in a new database named after it, dropped at the end",
    )
    parser.add_argument("--name", default=f"main-{_commit()}")
    args = parser.parse_args()
    if _uncommitted():
        sys.exit(f"uncommitted changes outside tests/migrations/:\n{_uncommitted()}")

    admin_url = server_url(args.database_url, "postgres")
    prefix = urlsplit(args.database_url).path.lstrip("/") or "worksome"
    name = database_create(admin_url, f"{prefix}_snapshot")
    url = server_url(admin_url, name)
    try:
        with tempfile.TemporaryDirectory(prefix="snapshot-var-") as var:
            env = environment(url, var)
            # Whitenoise warns at every request when STATIC_ROOT is missing.
            Path(var, "static").mkdir()
            facts_path = Path(var) / "facts.json"
            subprocess.run(
                [sys.executable, __file__, "--fill", str(facts_path)],
                cwd=ROOT,
                env=env,
                check=True,
            )
            facts = json.loads(facts_path.read_text())
        SNAPSHOTS.mkdir(exist_ok=True)
        sql_path = SNAPSHOTS / f"{args.name}.sql.gz"
        dump(url, sql_path)
        manifest = {
            "commit": args.name.removeprefix("main-"),
            "made_by": "tests/migrations/make_snapshot.py",
            "dump": sql_path.name,
            "facts": facts,
            "tables": manifest_build(url),
        }
        manifest_path = SNAPSHOTS / f"{args.name}.json"
        manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    finally:
        database_drop(admin_url, name)
    empty = [t for t, entry in manifest["tables"].items() if entry["rows"] == 0]
    print(f"{sql_path}: {sql_path.stat().st_size} bytes")
    print(f"{len(manifest['tables'])} tables, empty: {empty or 'none'}")
    if empty:
        # A table without rows proves nothing about its migration.
        sys.exit("give these tables a row in _extras(), then make it again")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--fill"]:
        # A process of its own: Django reads the environment once, at setup.
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "worksome.settings")
        Path(sys.argv[2]).write_text(json.dumps(fill()))
    else:
        main()
