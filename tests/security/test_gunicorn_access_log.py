"""The deployed access log: real gunicorn, started the way the Dockerfile starts
it, must not print the tokens of verification and export links, nor e-mail
addresses or CPR numbers that reach a URL, a referer or a logged header."""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent.parent
VENV_BIN = Path(sys.executable).parent


def _dockerfile_cmd() -> list[str]:
    text = (ROOT / "Dockerfile").read_text()
    cmd = re.findall(r"^CMD (\[.*\])$", text, flags=re.MULTILINE)
    assert cmd, "Dockerfile has no exec-form CMD"
    return json.loads(cmd[-1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    assert db["ENGINE"].endswith("postgresql"), "needs the Postgres test database"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def _get(url: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - local
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture
def gunicorn_server(transactional_db, tmp_path):
    cmd = _dockerfile_cmd()
    assert cmd[0] == "gunicorn"
    port = _free_port()
    # The Dockerfile's command and config file; only the address (a free local
    # port) and the worker count differ. Command-line options win over the file.
    args = [
        str(VENV_BIN / "gunicorn"),
        *cmd[1:],
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
    ]
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "worksome.settings",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    out = (tmp_path / "stdout.log").open("w+")
    err = (tmp_path / "stderr.log").open("w+")
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=err)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, (tmp_path / "stderr.log").read_text()
            try:
                if _get(f"{base}/healthz", {"Host": "localhost"}) == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer /healthz"
            time.sleep(0.2)
        yield base, proc, tmp_path
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        out.close()
        err.close()


def test_gunicorn_access_log_masks_tokens_emails_and_cpr(gunicorn_server):
    base, proc, logdir = gunicorn_server
    export_token = secrets.token_urlsafe(32)
    verify_token = secrets.token_urlsafe(32)
    short_token = "Ab3xY9"  # masked by its place in the path, whatever its length
    email = "jane.member@example.dk"
    cpr = "0101901234"
    headers = {
        "Host": "localhost",
        "Referer": f"http://localhost/privacy/requests/verify/{verify_token}/",
        "User-Agent": f"probe {email}",
    }
    urls = [
        f"{base}/privacy/exports/{export_token}/",
        f"{base}/privacy/requests/verify/{verify_token}/",
        f"{base}/privacy/exports/{short_token}/?email={email}&cpr={cpr}",
    ]
    statuses = [_get(url, headers) for url in urls]
    # The links reached Django (invalid tokens: refused, not a server error).
    assert all(status < 500 for status in statuses), statuses

    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=15)
    log = (logdir / "stdout.log").read_text() + (logdir / "stderr.log").read_text()
    # gunicorn's access-log lines quote the request line: "GET /path HTTP/1.1".
    access_lines = [line for line in log.splitlines() if '"GET /privacy/' in line]
    assert len(access_lines) == 3, log
    for secret in (export_token, verify_token, short_token, email, cpr):
        assert secret not in log
    assert sum("/privacy/exports/[token]/" in line for line in access_lines) == 2
    assert any("/privacy/requests/verify/[token]/" in line for line in access_lines)
