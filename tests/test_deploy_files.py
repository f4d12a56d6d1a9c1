"""Static checks of the deployment files: Dockerfile, docker-compose.yml and
.env.example. No Docker engine or database is needed."""

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"

REQUIRED_ENV_VARS = [
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "ALLOWED_HOSTS",
    "DJANGO_DEBUG",
    "EMAIL_URL",
]
# 32 bytes, url-safe base64: what Fernet.generate_key() returns.
FERNET_KEY = re.compile(r"[A-Za-z0-9_-]{43}=")
SECRET_NAME = re.compile(r"SECRET|KEY|PASSWORD|TOKEN")


def _compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _services() -> dict:
    return _compose()["services"]


def _app_image_names(services: dict) -> set[str]:
    return {
        svc["image"] for svc in services.values() if "build" in svc and "image" in svc
    }


def _env_example() -> dict[str, str]:
    values = {}
    for raw in ENV_EXAMPLE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        assert sep, f".env.example line is not NAME=value: {raw!r}"
        values[name.strip()] = value.strip()
    return values


def _depends_on_names(service: dict) -> list[str]:
    depends = service.get("depends_on", [])
    return list(depends) if isinstance(depends, dict | list) else [depends]


def _env_files(service: dict) -> list[str]:
    env_file = service.get("env_file", [])
    entries = env_file if isinstance(env_file, list) else [env_file]
    return [e["path"] if isinstance(e, dict) else e for e in entries]


def _named_volume_sources(service: dict) -> list[str]:
    names = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            if volume.get("type", "volume") == "volume" and volume.get("source"):
                names.append(volume["source"])
            continue
        source, sep, _ = volume.partition(":")
        if sep and not source.startswith((".", "/", "~", "$")):
            names.append(source)
    return names


def test_compose_has_expected_services():
    assert {"web", "worker", "beat", "db", "redis"} <= set(_services())


def test_depends_on_names_defined_services():
    services = _services()
    for name, service in services.items():
        for dependency in _depends_on_names(service):
            assert dependency in services, f"{name} depends on undefined {dependency}"


def test_app_services_use_env_file():
    services = _services()
    app_images = _app_image_names(services)
    app_services = [
        name
        for name, svc in services.items()
        if "build" in svc or svc.get("image") in app_images
    ]
    assert {"web", "worker", "beat"} <= set(app_services)
    for name in app_services:
        env_files = _env_files(services[name])
        assert ".env" in env_files, f"{name} has no env_file: .env"


def test_app_services_reach_db_and_redis_by_service_name():
    services = _services()
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert "@db:" in environment["DATABASE_URL"]
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:")


@pytest.mark.parametrize("name", ["db", "redis", "web"])
def test_core_services_have_healthchecks(name):
    healthcheck = _services()[name].get("healthcheck")
    assert healthcheck, f"{name} has no healthcheck"
    assert not healthcheck.get("disable", False)
    assert healthcheck.get("test")


def test_web_healthcheck_hits_healthz():
    test = _services()["web"]["healthcheck"]["test"]
    command = " ".join(test) if isinstance(test, list) else test
    assert "/healthz" in command


def test_named_volumes_are_declared():
    compose = _compose()
    declared = set(compose.get("volumes") or {})
    used = {
        volume
        for service in compose["services"].values()
        for volume in _named_volume_sources(service)
    }
    assert {"pgdata", "media"} <= used
    assert used <= declared, f"undeclared volumes: {sorted(used - declared)}"


def test_env_example_defines_required_variables():
    values = _env_example()
    missing = [name for name in REQUIRED_ENV_VARS if name not in values]
    assert not missing, f".env.example lacks {missing}"
    assert values["DJANGO_DEBUG"] == "0"


def test_env_example_has_no_real_secrets():
    values = _env_example()
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS"):
        assert "change" in values[name].lower(), f"{name} is not a placeholder"
    for name, value in values.items():
        for part in value.split(","):
            assert not FERNET_KEY.fullmatch(part.strip()), f"{name} holds a Fernet key"
        if SECRET_NAME.search(name):
            assert "change" in value.lower(), f"{name} looks like a real secret"


def test_dockerfile_is_multi_stage_and_runs_as_non_root():
    lines = [line.strip() for line in DOCKERFILE.read_text().splitlines()]
    from_lines = [line for line in lines if line.upper().startswith("FROM ")]
    assert len(from_lines) >= 2
    user_lines = [line for line in lines if line.upper().startswith("USER ")]
    assert user_lines, "Dockerfile has no USER line"
    final_user = user_lines[-1].split(None, 1)[1].split(":")[0]
    assert final_user not in {"root", "0"}


def test_the_image_holds_every_app_and_what_they_read_at_run_time():
    """The runtime stage copies each first-party package in INSTALLED_APPS
    (and the project package), the templates, static files and the compiled
    translations; an app added without its COPY line would not start."""
    from django.apps import apps

    runtime = DOCKERFILE.read_text().split("\nFROM ")[-1]
    copied = set(re.findall(r"^COPY (\S+) \./\S+", runtime, flags=re.M))
    packages = {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if (ROOT / config.name.split(".")[0]).is_dir()
    }
    needed = packages | {"worksome", "templates", "static", "locale"}
    assert needed <= copied, sorted(needed - copied)


def test_dockerfile_builds_on_the_newest_python_the_project_allows():
    """requires-python's upper bound moves with the Docker image's Python."""
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "requires-python"
    ]
    below = re.search(r"<\s*3\.(\d+)", requires)
    assert below, f"requires-python has no upper bound: {requires}"
    newest = f"3.{int(below.group(1)) - 1}"
    bases = [
        line.split()[1]
        for line in DOCKERFILE.read_text().splitlines()
        if line.upper().startswith("FROM ")
    ]
    assert bases, "Dockerfile has no FROM line"
    assert all(base.startswith(f"python:{newest}-") for base in bases), bases
