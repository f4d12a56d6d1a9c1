"""Start-up configuration: secrets are required outside development."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password

ROOT = Path(__file__).resolve().parent.parent
VALID_KEY = "7f2r8yNn2bK6nX1pQwA3hS9dJ4kL5mZ0vB8cR6tY1uE="


def _start(**overrides: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "DJANGO_DEBUG"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "worksome.settings"
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_stops_startup_with_one_line_naming_it():
    result = _start(FIELD_ENCRYPTION_KEYS=VALID_KEY)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY" in lines[0]


def test_missing_encryption_key_stops_startup_with_one_line_naming_it():
    result = _start(SECRET_KEY="x" * 60)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "FIELD_ENCRYPTION_KEYS" in lines[0]


def test_malformed_encryption_key_is_refused():
    result = _start(SECRET_KEY="x" * 60, FIELD_ENCRYPTION_KEYS="not-a-key")
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_mode_starts_without_secrets():
    result = _start(DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_production_settings_start_with_both_secrets():
    result = _start(
        SECRET_KEY="x" * 60, FIELD_ENCRYPTION_KEYS=f"{VALID_KEY},{VALID_KEY}"
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.real_password_hasher
def test_argon2_is_the_first_password_hasher():
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    stored = make_password("correct-horse-battery-9")
    assert stored.startswith("argon2$")
    assert check_password("correct-horse-battery-9", stored)
    assert not check_password("correct-horse-battery-8", stored)


def _conn_max_age(**overrides: str) -> int:
    """CONN_MAX_AGE as a fresh process computes it (no connection is opened)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "worksome.settings"}
    env.update(
        {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/worksome", **overrides}
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; "
            "print(settings.DATABASES['default']['CONN_MAX_AGE'])",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def test_debug_keeps_no_persistent_connections_on_postgres():
    """The threaded dev server opens a connection per thread: with a
    CONN_MAX_AGE each stayed open until PostgreSQL refused new clients."""
    assert _conn_max_age(DJANGO_DEBUG="1") == 0
    assert _conn_max_age(DJANGO_DEBUG="1", CONN_MAX_AGE="60") == 0


def test_production_keeps_persistent_connections():
    assert _conn_max_age(DJANGO_DEBUG="0") == 60


READ_THEN_WRITE = """
import sys, time
import django
django.setup()
from django.db import connection, transaction
for _ in range(40):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM counter")
        cursor.fetchone()
        time.sleep(0.005)
        cursor.execute("INSERT INTO counter VALUES (1)")
print("done")
"""


def test_sqlite_processes_that_read_then_write_wait_for_each_other(tmp_path):
    """``make run``: the dev server, the worker and beat share one SQLite
    file. A transaction that read and then writes, while another process
    does the same, failed at once with "database is locked" (SQLite cannot
    wait in that case); a transaction now takes the write lock when it
    begins, so the other one waits."""
    path = tmp_path / "shared.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "worksome.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{path}",
    }
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.db import connection;"
            " connection.cursor().execute('CREATE TABLE counter (n integer)')",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", READ_THEN_WRITE],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [worker.communicate(timeout=120) for worker in workers]
    for (out, err), worker in zip(results, workers, strict=True):
        assert worker.returncode == 0, err[-800:]
        assert "done" in out
