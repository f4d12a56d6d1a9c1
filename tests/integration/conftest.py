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


@pytest.fixture
def celery_worker_queue(postgres_db, redis_url):
    """A real `celery worker` process on its own queue, on the test database."""
    queue = f"itest-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(postgres_db),
        "CELERY_BROKER_URL": redis_url,
    }
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "worksome",
            "worker",
            "--pool=solo",
            "--queues",
            queue,
            "--hostname",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=info",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.seek(0)
        output = log.read()
        log.close()
        if worker.returncode not in (0, -15):
            print(output)


def wait_for(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False
