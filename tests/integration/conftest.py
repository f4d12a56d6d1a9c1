"""Real services for integration tests: Postgres, Redis and a Celery worker.

Outside CI a missing service skips these tests; with CI=true it fails them,
so CI can never pass without having run them.
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI needs this service: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def postgres_db(db):
    if connection.vendor != "postgresql":
        unavailable("DATABASE_URL does not point at PostgreSQL")
    return connection.settings_dict


@pytest.fixture
def redis_url(settings):
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        unavailable(f"CELERY_BROKER_URL is not Redis ({url.split(':')[0]})")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        unavailable(f"Redis at CELERY_BROKER_URL does not answer: {exc}")
    return url


def _database_url(settings_dict) -> str:
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


def worker_env(settings_dict, redis_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": _database_url(settings_dict),
        "CELERY_BROKER_URL": redis_url,
    }


@pytest.fixture
def start_workers(postgres_db, redis_url):
    """Start n real `celery worker` processes on one private queue, on the test DB.

    The pool is prefork (what production runs): it enforces time limits, which
    the solo pool ignores, so a task beat could never queue is not hidden.
    """
    started = []

    def start(n: int = 1, *, pool: str = "prefork", also: tuple[str, ...] = ()) -> str:
        """``also``: more queues to consume, e.g. the default queue that tasks
        queued by the worker itself go to."""
        queue = f"itest-{uuid.uuid4().hex[:12]}"
        for i in range(n):
            log = tempfile.TemporaryFile("w+")  # noqa: SIM115
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "worksome",
                    "worker",
                    f"--pool={pool}",
                    "--concurrency=1",
                    "--queues",
                    ",".join([queue, *also]),
                    "--hostname",
                    f"{queue}-{i}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--prefetch-multiplier=1",
                    "--loglevel=info",
                ],
                cwd=ROOT,
                env=worker_env(postgres_db, redis_url),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            started.append((worker, log))
        return queue

    yield start
    for worker, _log in started:
        worker.terminate()
    for worker, log in started:
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        if worker.returncode not in (0, -15):
            log.seek(0)
            print(log.read())
        log.close()


@pytest.fixture
def celery_worker_queue(start_workers):
    """One real `celery worker` process on its own queue, on the test database."""
    return start_workers(1)


def wait_for(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


#: libpq reads it from the environment: the sessions of a process started with
#: it are told apart from the test's own (and the live server's, whose thread
#: keeps its connection for the session).
KILLED_APP_ENV = {"PGAPPNAME": "worksome-test-killed"}


def _killed_sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = %s",
            [KILLED_APP_ENV["PGAPPNAME"]],
        )
        return cursor.fetchone()[0]


def wait_for_killed_sessions(timeout: float = 30.0) -> None:
    """After a SIGKILL, PostgreSQL rolls the dead client's transaction back when
    its backend notices the closed connection: wait until the sessions of the
    process started with KILLED_APP_ENV are gone."""
    assert wait_for(lambda: _killed_sessions() == 0, timeout), (
        "a killed process's database session is still open"
    )
