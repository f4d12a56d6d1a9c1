"""`make run`: the dev server, a Celery worker and beat, stopped together by Ctrl-C.

Without CELERY_BROKER_URL the broker is a folder under var/ (kombu's filesystem
transport), so no Redis is needed and scheduled tasks really run.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path


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
    processes = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}  # noqa: S603
    print(f"Serving http://{addr}/  (Ctrl-C stops the server, worker and beat)")
    try:
        while all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
        stopped = [n for n, p in processes.items() if p.poll() is not None]
        print(f"{', '.join(stopped)} stopped; stopping the rest.", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    return 0


if __name__ == "__main__":
    import django

    django.setup()
    sys.exit(main())
