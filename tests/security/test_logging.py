"""The masking filter on real log records, and the security events logged."""

import datetime as dt
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponseNotFound
from django.utils.log import log_response

from core.logging import JsonFormatter, MaskingFilter, mask

ROOT = Path(__file__).resolve().parent.parent.parent
CPR = "0101901234"
CPR_DASHED = "010190-1234"
TOKEN = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # DRF token shape
FERNET = "TjAKJZT6itucCxj53yoE3-BoZsuIwFA1mrKP6Ib37f8="


@pytest.fixture
def captured():
    """A logger wired like settings.LOGGING: the filter on the handler."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.security.masking")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def _lines(stream):
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"cpr {CPR} saved", CPR),
        (f"cpr {CPR_DASHED} saved", CPR_DASHED),
        (
            "mail to Zelda.Q+test@sub.example.co.uk failed",
            "Zelda.Q+test@sub.example.co.uk",
        ),
        (f"Authorization: Token {TOKEN}", TOKEN),
        (f"key {FERNET}", FERNET),
        ("password=hunter2hunter2", "hunter2hunter2"),
        ('{"password": "p4ss w"}', "p4ss"),
        (
            "/accounts/password/reset/key/3d-c0ffee1234abcdef5678/ opened",
            "c0ffee1234abcdef5678",
        ),
    ],
)
def test_secrets_are_masked(captured, text, secret):
    logger, stream = captured
    logger.info(text)
    (line,) = _lines(stream)
    assert secret not in line["message"]


def test_arguments_are_masked_not_just_the_format(captured):
    logger, stream = captured
    logger.warning("user %s with cpr %s and %r", "a@b.example", CPR, {"token": TOKEN})
    (line,) = _lines(stream)
    assert CPR not in json.dumps(line)
    assert "a@b.example" not in json.dumps(line)
    assert TOKEN not in json.dumps(line)
    assert "[cpr]" in line["message"] and "[email]" in line["message"]


def test_tracebacks_are_masked(captured):
    logger, stream = captured
    try:
        raise ValueError(f"bad cpr {CPR} for x@y.example")
    except ValueError:
        logger.exception("failed")
    (line,) = _lines(stream)
    assert "ValueError" in line["exception"]
    assert CPR not in line["exception"] and "x@y.example" not in line["exception"]


def test_event_fields_are_masked(captured):
    logger, stream = captured
    logger.info("evt", extra={"event": {"event": "x", "path": f"/p/{CPR}/"}})
    (line,) = _lines(stream)
    assert line["event"] == "x"
    assert CPR not in line["path"]


def test_a_line_holds_time_level_logger_and_message(captured):
    logger, stream = captured
    logger.info("purge done")
    (line,) = _lines(stream)
    assert list(line) == ["time", "level", "logger", "message"]
    assert dt.datetime.fromisoformat(line["time"]).utcoffset() == dt.timedelta(0)
    assert (line["level"], line["logger"]) == ("INFO", "tests.security.masking")
    assert line["message"] == "purge done"


def test_stack_info_is_written(captured):
    logger, stream = captured
    logger.info("where", stack_info=True)
    (line,) = _lines(stream)
    assert line["stack"].startswith("Stack (most recent call last)")


def test_extras_other_than_event_are_not_written(captured, rf):
    """Django logs 4xx/5xx with the request as an extra; its text is the full
    path and query, which the filter never sees."""
    logger, stream = captured
    path = "/accounts/password/reset/key/3d-c0ffee1234abcdef5678/?email=a@b.example"
    log_response(
        "Not Found: %s",
        path,
        response=HttpResponseNotFound(),
        request=rf.get(path),
        logger=logger,
    )
    (line,) = _lines(stream)
    assert "c0ffee1234abcdef5678" not in json.dumps(line)
    assert "a@b.example" not in json.dumps(line)
    assert "request" not in line and "status_code" not in line


@pytest.mark.parametrize("log_format", ["json", "plain"])
def test_log_format_chooses_json_or_plain_lines_masked_either_way(log_format):
    """settings.LOGGING as a started process loads it (dictConfig builds the
    formatter from its dotted path)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "worksome.settings"}
    env["LOG_FORMAT"] = log_format
    script = (
        "import django, logging; django.setup(); "
        f"logging.getLogger('worksome.probe').warning('cpr %s', '{CPR_DASHED}')"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    (line,) = [x for x in result.stderr.splitlines() if "worksome.probe" in x]
    assert CPR_DASHED not in line
    if log_format == "json":
        assert json.loads(line)["message"] == "cpr [cpr]"
    else:
        assert line.endswith("WARNING worksome.probe cpr [cpr]")


def test_ordinary_text_is_left_alone():
    for text in (
        "GET /freelancers/freelancer-12/ 200",
        "purge rule profiles.user.closed: 12 rows in 0.031 s",
        "order 20240101",
    ):
        assert mask(text) == text


def test_every_configured_handler_masks(settings):
    for name, handler in settings.LOGGING["handlers"].items():
        assert "mask" in handler.get("filters", []), name
    assert settings.LOGGING["filters"]["mask"]["()"] == "core.logging.MaskingFilter"


# --- Security events ---------------------------------------------------------


def _events(caplog):
    return [
        getattr(r, "event", {}) for r in caplog.records if r.name == "core.security"
    ]


@pytest.mark.django_db
def test_logins_and_failures_are_logged_without_address_or_password(
    client, member, password, caplog
):
    caplog.set_level(logging.INFO, logger="core.security")
    client.post("/accounts/login/", {"login": member.email, "password": "wrong-pw-1"})
    client.post("/accounts/login/", {"login": member.email, "password": password})
    events = _events(caplog)
    names = [e.get("event") for e in events]
    assert "login.failed" in names and "login.succeeded" in names
    assert {"event": "login.succeeded", "user_id": member.pk}.items() <= events[
        names.index("login.succeeded")
    ].items()
    dumped = caplog.text + json.dumps(events)
    assert member.email not in dumped
    assert password not in dumped and "wrong-pw-1" not in dumped


@pytest.mark.django_db
def test_authorisation_failures_are_logged(client, caplog):
    from tests.factories import UserFactory
    from tests.security.totp import activate_totp

    staff = UserFactory(is_staff=True)
    activate_totp(staff)  # else the admin redirects to set up TOTP
    client.force_login(staff)
    caplog.set_level(logging.INFO, logger="core.security")
    response = client.post("/admin/profiles/freelancerprofile/1/reveal-cpr/")
    assert response.status_code in (403, 404)
    client.get("/admin/profiles/freelancerprofile/")  # 403: no view permission
    events = _events(caplog)
    assert any(
        e.get("event") == "authz.denied" and e.get("user_id") == staff.pk
        for e in events
    )


@pytest.mark.django_db
def test_admin_access_to_personal_data_is_logged(admin_client, admin_user, caplog):
    from tests.factories import FreelancerProfileFactory

    profile = FreelancerProfileFactory()
    caplog.set_level(logging.INFO, logger="core.security")
    url = f"/admin/profiles/freelancerprofile/{profile.pk}/change/"
    assert admin_client.get(url).status_code == 200
    events = [
        e for e in _events(caplog) if e.get("event") == "admin.personal_data_access"
    ]
    assert events == [
        {
            "event": "admin.personal_data_access",
            "user_id": admin_user.pk,
            "method": "GET",
            "path": url,
            "model": "profiles.FreelancerProfile",
            "object_id": str(profile.pk),
            "status": 200,
        }
    ]
