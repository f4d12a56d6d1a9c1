"""`make run`'s supervisor (core.dev) stops everything on SIGTERM, SIGHUP, SIGINT.

A process manager sends SIGTERM, a closed terminal SIGHUP, Ctrl-C SIGINT; the
children run in their own sessions, so only the supervisor receives it. The
dev server, the Celery worker (with its pool) and beat must all be gone within
seconds. SIGHUP is why this is not honcho: honcho 2.0 dies on it and leaves
them all running.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children() -> dict[int, int]:
    """pid -> parent pid of every process on the machine (from /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            parents[int(entry.name)] = int(fields[1])
    return parents


def _descendants(pid: int) -> set[int]:
    parents = _children()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier} - found
        found |= frontier
    return found


def _each_child_has_started_its_own(pid: int) -> bool:
    """The server and the worker are up, and each has a child process (the
    reloader's server, the worker's pool)."""
    parents = _children()
    direct = {p for p, pp in parents.items() if pp == pid}
    return len(direct) >= 2 and all(d in parents.values() for d in direct)


def _alive(pids: set[int]) -> set[int]:
    return pids & set(_children())


def _serves(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def dev_env(tmp_path_factory):
    """`make run`'s environment on a migrated SQLite file, shared by the cases:
    migrating takes most of a case's time."""
    var = tmp_path_factory.mktemp("dev") / "var"
    env = {
        k: v
        for k, v in os.environ.items()
        # `make run` sets none of these: the supervisor must find the settings
        # module itself (pytest-env puts DJANGO_SETTINGS_MODULE in ours).
        if k
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "CELERY_RESULT_BACKEND",
            "DJANGO_SETTINGS_MODULE",
        }
    }
    env.update(
        DJANGO_DEBUG="1",
        WORKSOME_VAR_DIR=str(var),
        MEDIA_ROOT=str(var / "media"),
        PRIVATE_MEDIA_ROOT=str(var / "private"),
        PYTHONUNBUFFERED="1",
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
    )
    return env


@pytest.mark.parametrize(
    "signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name
)
def test_a_stop_signal_stops_server_worker_and_beat_within_seconds(
    tmp_path, dev_env, signum
):
    port = _free_port()
    env = {**dev_env, "RUN_ADDR": f"127.0.0.1:{port}"}
    log = (tmp_path / "dev.log").open("w+")
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "core.dev"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    children: set[int] = set()
    try:
        deadline = time.monotonic() + 90
        while not _serves(f"http://127.0.0.1:{port}/healthz"):
            assert supervisor.poll() is None, (tmp_path / "dev.log").read_text()
            assert time.monotonic() < deadline, "the dev server never answered"
            time.sleep(0.5)
        # The worker's pool process and runserver's reloader child too.
        deadline = time.monotonic() + 30
        while not _each_child_has_started_its_own(supervisor.pid):
            assert time.monotonic() < deadline, _descendants(supervisor.pid)
            time.sleep(0.2)
        children = _descendants(supervisor.pid)
        assert len(children) >= 3, children

        supervisor.send_signal(signum)
        supervisor.wait(timeout=15)
        deadline = time.monotonic() + 10
        while _alive(children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _alive(children) == set(), (tmp_path / "dev.log").read_text()[-3000:]
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
        for pid in _alive(children | _descendants(supervisor.pid)):
            os.kill(pid, signal.SIGKILL)
        log.close()
