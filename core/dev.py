"""`make run`: the dev server, a Celery worker and beat, stopped together.

Without CELERY_BROKER_URL the broker is a folder under var/ (kombu's filesystem
transport), so no Redis is needed and scheduled tasks really run.

Ctrl-C (SIGINT) and SIGTERM (a process manager, a closed terminal) both stop
everything within seconds: each child runs in its own process group, so the
stop reaches its own children too (runserver's autoreloader child, Celery's
pool processes), and a group that has not exited after STOP_GRACE seconds is
killed.

Not honcho (tried with a Procfile, honcho 2.0): it stops the groups on
SIGINT and SIGTERM too, but installs no SIGHUP handler and its per-process
reader processes die of SIGHUP, so closing the terminal left the dev server
(and its port), the worker and beat running.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

#: Seconds a child gets to exit after SIGTERM before its group is killed.
STOP_GRACE = 5.0


class _Stop(Exception):
    """Raised in the main loop by the SIGTERM/SIGHUP/SIGINT handler."""


def _raise_stop(signum, frame):
    raise _Stop


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def stop_all(processes: dict[str, subprocess.Popen], grace: float = STOP_GRACE):
    """SIGTERM every child's group; SIGKILL whatever is left after ``grace``."""
    for process in processes.values():
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for process in processes.values():
        # The group, not just the leader: a pool process or the reloader's
        # child may outlive its parent.
        _signal_group(process, signal.SIGKILL)
        if process.poll() is None:
            process.wait(timeout=5)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "worksome.settings")
    bin_dir = Path(sys.executable).parent
    addr = os.environ.get("RUN_ADDR", "127.0.0.1:8000")
    commands = {
        "worker": [
            str(bin_dir / "celery"),
            "-A",
            "worksome",
            "worker",
            "--beat",
            "--loglevel=info",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
        ],
        "web": [sys.executable, "manage.py", "runserver", addr],
    }
    # SIGINT too, not only Python's default KeyboardInterrupt: a process
    # started in the background of a non-interactive shell (or by a test
    # runner's worker) inherits SIGINT ignored, and Ctrl-C must still stop it.
    previous = {
        signum: signal.signal(signum, _raise_stop)
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
    }
    processes: dict[str, subprocess.Popen] = {}
    try:
        for name, cmd in commands.items():
            processes[name] = subprocess.Popen(cmd, start_new_session=True)  # noqa: S603
        print(f"Serving http://{addr}/  (Ctrl-C stops the server, worker and beat)")
        while all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
        stopped = [n for n, p in processes.items() if p.poll() is not None]
        print(f"{', '.join(stopped)} stopped; stopping the rest.", file=sys.stderr)
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        # A second signal while stopping must not leave children behind.
        for signum in previous:
            signal.signal(signum, signal.SIG_IGN)
        stop_all(processes)
    return 0


if __name__ == "__main__":
    import django

    # `python -m core.dev` (make run) has no DJANGO_SETTINGS_MODULE; the
    # worksome package set it on import when the supervisor lived there.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "worksome.settings")
    django.setup()
    sys.exit(main())
