"""A database made at an earlier main migrates forward without loss.

Each snapshot under snapshots/ (made by make_snapshot.py: a PostgreSQL
database migrated and filled at one commit of main) is restored with psql into
a fresh database, and this checkout's ``manage.py migrate`` runs on it in a
subprocess, with the keys the snapshot was made with. Afterwards no migration
may be unapplied, every table of the snapshot must still be there under its
name (or the new name in TABLE_RENAMES) with all its columns, the same number
of rows and the same values in its key columns, every model must read its
rows, and a CPR number must still decrypt, a password still verify, a session
still decode and the group's permissions still name installed models.

A model moved to another app keeps its table (``db_table`` and
SeparateDatabaseAndState); if a table really is renamed, name it in
TABLE_RENAMES: the test then looks for the same rows under the new name.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile

import psycopg
import pytest

from tests.migrations.snapshot import (
    ROOT,
    SNAPSHOTS,
    columns_of,
    database_create,
    database_drop,
    environment,
    fingerprint,
    restore,
    server_url,
    tables,
)

pytestmark = pytest.mark.migrations

# Old table name -> new table name, for a table a migration renames on purpose.
TABLE_RENAMES: dict[str, str] = {}
# "table.column" (old names) -> new column name, likewise.
COLUMN_RENAMES: dict[str, str] = {}
# Tables a forward migration may append to without losing anything: applied
# migrations, and content types and permissions of new models. Rows up to the
# snapshot's largest primary key must be unchanged; rows beyond it are new.
APPEND_ONLY = {"django_migrations", "django_content_type", "auth_permission"}
# The policy records ``compliance.seed`` writes from its data file after every
# migrate: rows are added and updated as the file changes (a new purpose, a
# renamed one, another retention rule), never removed. They keep their
# columns and lose no row; their values follow the data file.
SEEDED = {
    "privacy_processor",
    "privacy_processingactivity",
    "privacy_processingactivity_recipients",
    # The retention policy table is filled at install (after every migrate)
    # from the registry's rules, as the records above are.
    "privacy_retentionpolicy",
}

MANIFESTS = sorted(SNAPSHOTS.glob("*.json"))
TIMEOUT = 120

# Run by `manage.py shell -c` in the migrated database. Models are found by
# their table, not their import path, so a model that moved apps is found.
SEMANTIC_CHECKS = """
import json, os
from django.apps import apps
from django.db import transaction

facts = json.loads(os.environ["SNAPSHOT_FACTS"])
renames = json.loads(os.environ["SNAPSHOT_TABLE_RENAMES"])
by_table = {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}


def model(table):
    return by_table[renames.get(table, table)]


def check(out):
    for table, m in sorted(by_table.items()):
        try:
            # A savepoint each: one unreadable table leaves the others readable.
            with transaction.atomic():
                out["counts"][table] = len(list(m._base_manager.all()))
        except Exception as exc:
            out["unreadable"][m._meta.label] = repr(exc)
    out["models_lost"] = [
        t for t in facts["model_tables"] if renames.get(t, t) not in by_table
    ]

    profile = model("profiles_freelancerprofile")._base_manager.get(
        pk=facts["cpr"]["profile_id"]
    )
    out["cpr"] = profile.cpr
    users = model("profiles_user")._base_manager
    user = users.get(email=facts["password"]["email"])
    out["password_ok"] = user.check_password(facts["password"]["password"])
    session = model("django_session")._base_manager.get(
        pk=facts["session"]["session_key"]
    )
    out["session_user"] = session.get_decoded().get("_auth_user_id")
    group = model("auth_group")._base_manager.get(name=facts["group"]["name"])
    permissions = list(group.permissions.select_related("content_type"))
    out["group_permissions"] = len(permissions)
    out["orphaned_permissions"] = sorted(
        f"{p.content_type.app_label}.{p.codename}"
        for p in permissions
        if p.content_type.model_class() is None
    )
    out["policy_version"] = model("privacy_policyversion")._base_manager.get(
        pk=facts["policy_version"]["id"]
    ).version
    activities = model("privacy_processingactivity")._base_manager.all()
    out["recipients"] = sum(a.recipients.count() for a in activities)
    dsr = model("privacy_datasubjectrequest")._base_manager
    out["dsr"] = dsr.filter(pk=facts["dsr"]["id"]).values(
        "kind", "status", "subject_id"
    ).first()
    out["outsider_dsr"] = dsr.filter(email=facts["outsider_dsr_email"]).count()

    # Every enabled job names a task that exists once beat has started (its
    # start overwrites the task of each job CELERY_BEAT_SCHEDULE names).
    from worksome.celery import app

    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    jobs = model("django_celery_beat_periodictask")._base_manager.filter(enabled=True)
    out["jobs"] = sorted(j.name for j in jobs)
    out["jobs_without_task"] = sorted(
        j.name
        for j in jobs
        if schedule.get(j.name, {"task": j.task})["task"] not in app.tasks
    )


out = {"unreadable": {}, "counts": {}}
# Rolled back: the checks leave the migrated database as migrate left it.
with transaction.atomic():
    check(out)
    transaction.set_rollback(True)
print("SEMANTIC " + json.dumps(out, default=str))
"""


class Migrated:
    def __init__(self, manifest: dict, database_url: str, env: dict):
        self.manifest = manifest
        self.database_url = database_url
        self.env = env
        self.migrate: subprocess.CompletedProcess | None = None

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )


@pytest.fixture(scope="module", params=MANIFESTS, ids=lambda path: path.stem)
def migrated(request, postgres_admin_url, database_prefix):
    """The snapshot restored into a fresh database and migrated forward."""
    manifest = json.loads(request.param.read_text())
    name = database_create(postgres_admin_url, database_prefix)
    url = server_url(postgres_admin_url, name)
    try:
        with tempfile.TemporaryDirectory(prefix="forward-var-") as var:
            restore(SNAPSHOTS / manifest["dump"], url)
            result = Migrated(manifest, url, environment(url, var))
            result.migrate = result.manage("migrate", "--noinput")
            yield result
    finally:
        database_drop(postgres_admin_url, name)


def _output(process: subprocess.CompletedProcess) -> str:
    tail = process.stdout[-4000:] + process.stderr[-4000:]
    return f"exit {process.returncode}\n{tail}"


def test_there_is_a_snapshot():
    assert MANIFESTS, f"no snapshot in {SNAPSHOTS}; run make_snapshot.py"


def test_migrate_succeeds_on_the_snapshot(migrated):
    assert migrated.migrate.returncode == 0, _output(migrated.migrate)


def test_no_migration_is_left_unapplied(migrated):
    plan = migrated.manage("showmigrations", "--plan")
    assert plan.returncode == 0, _output(plan)
    lines = [line for line in plan.stdout.splitlines() if line.startswith("[")]
    unapplied = [line for line in lines if not line.startswith("[X]")]
    assert lines, _output(plan)
    assert unapplied == []


def test_every_table_keeps_its_columns_rows_and_values(migrated):
    problems = []
    with psycopg.connect(migrated.database_url) as conn:
        present = set(tables(conn))
        for table, entry in migrated.manifest["tables"].items():
            new = TABLE_RENAMES.get(table, table)
            if new not in present:
                problems.append(f"{table}: table gone")
                continue
            now = {name for name, _ in columns_of(conn, new)}

            def renamed(column, table=table):
                return COLUMN_RENAMES.get(f"{table}.{column}", column)

            gone = [c for c in entry["columns"] if renamed(c) not in now]
            if gone:
                problems.append(f"{table}: columns gone: {gone}")
                continue
            rows, checksum = fingerprint(
                conn,
                new,
                [renamed(c) for c in entry["key_columns"]],
                max_pk=entry.get("max_pk") if table in APPEND_ONLY else None,
            )
            if table in SEEDED:
                if rows < entry["rows"]:
                    problems.append(f"{table}: {entry['rows']} rows became {rows}")
                continue
            if rows != entry["rows"]:
                problems.append(f"{table}: {entry['rows']} rows became {rows}")
            elif checksum != entry["checksum"]:
                problems.append(f"{table}: values of {entry['key_columns']} changed")
    assert problems == [], "\n".join(problems)


def test_records_still_read_decrypt_and_verify(migrated):
    facts = migrated.manifest["facts"]
    env = {
        **migrated.env,
        "SNAPSHOT_FACTS": json.dumps(facts),
        "SNAPSHOT_TABLE_RENAMES": json.dumps(TABLE_RENAMES),
    }
    shell = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SEMANTIC_CHECKS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert shell.returncode == 0, _output(shell)
    [line] = [x for x in shell.stdout.splitlines() if x.startswith("SEMANTIC ")]
    out = json.loads(line.removeprefix("SEMANTIC "))

    assert out["unreadable"] == {}
    assert out["models_lost"] == []
    for table, entry in migrated.manifest["tables"].items():
        new = TABLE_RENAMES.get(table, table)
        if table in SEEDED and new in out["counts"]:
            assert out["counts"][new] >= entry["rows"], table
        elif table not in APPEND_ONLY and new in out["counts"]:
            assert out["counts"][new] == entry["rows"], table
    assert out["cpr"] == facts["cpr"]["value"]
    assert out["password_ok"] is True
    assert out["session_user"] == str(facts["session"]["user_id"])
    assert out["group_permissions"] == facts["group"]["permissions"]
    assert out["orphaned_permissions"] == []
    assert out["policy_version"] == facts["policy_version"]["version"]
    assert (
        out["recipients"]
        >= migrated.manifest["tables"]["privacy_processingactivity_recipients"]["rows"]
    )
    assert out["dsr"] == {
        key: facts["dsr"][key] for key in ("kind", "status", "subject_id")
    }
    assert out["outsider_dsr"] == 1
    assert set(facts["periodic_tasks"]) <= set(out["jobs"])
    assert out["jobs_without_task"] == []


# --- The migrated database has the schema a new one gets ------------------------

SCHEMA_QUERY = """
SELECT 'column', c.table_name, c.column_name,
       c.data_type || coalesce('(' || c.character_maximum_length || ')', '')
       || ' null=' || c.is_nullable
FROM information_schema.columns c
WHERE c.table_schema = 'public'
UNION ALL
SELECT 'index', t.relname, i.relname,
       regexp_replace(pg_get_indexdef(i.oid), '^.* USING ', '')
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = 'public'
UNION ALL
SELECT 'constraint', t.relname, con.conname, pg_get_constraintdef(con.oid)
FROM pg_constraint con
JOIN pg_class t ON t.oid = con.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = 'public'
"""


def _normalised(definition: str) -> str:
    """PostgreSQL prints an expression read back from a dump with other casts
    and parentheses than the one a migration made (allauth's partial index
    does); drop both so only a real difference differs."""
    definition = re.sub(r"::[a-z ]+(\[\])?", "", definition)
    return re.sub(r"[()\s]", "", definition)


def _schema(url: str) -> set[tuple[str, str, str, str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(SCHEMA_QUERY).fetchall()
    return {(kind, table, name, _normalised(d)) for kind, table, name, d in rows}


@pytest.fixture(scope="module")
def fresh(postgres_admin_url, database_prefix):
    """A new database migrated from nothing by this checkout."""
    name = database_create(postgres_admin_url, database_prefix)
    url = server_url(postgres_admin_url, name)
    try:
        with tempfile.TemporaryDirectory(prefix="forward-var-") as var:
            result = Migrated({}, url, environment(url, var))
            result.migrate = result.manage("migrate", "--noinput")
            yield result
    finally:
        database_drop(postgres_admin_url, name)


def test_a_migrated_database_has_the_schema_of_a_new_one(migrated, fresh):
    """Squashed migrations and adopted tables (issue 17) must not leave an old
    database with other columns, types, indexes or constraints than a new one:
    every difference is named (constraint and index names included)."""
    assert fresh.migrate.returncode == 0, _output(fresh.migrate)
    assert migrated.migrate.returncode == 0, _output(migrated.migrate)
    old, new = _schema(migrated.database_url), _schema(fresh.database_url)
    only_old = sorted(old - new)
    only_new = sorted(new - old)
    assert (only_old, only_new) == ([], [])
