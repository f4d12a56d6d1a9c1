"""Helpers shared by the benchmarks (not a benchmark: `make bench` runs only
``bench/*.py``, and this package lives one level down).

Each benchmark owns a throwaway PostgreSQL database that it drops and
re-creates, and sets up Django inside its own process with throwaway secrets.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
# Throwaway values: these databases are dropped on every run.
SECRET_KEY = "bench-only-secret-key-" + "x" * 40
FIELD_ENCRYPTION_KEYS = "7f2r8yNn2bK6nX1pQwA3hS9dJ4kL5mZ0vB8cR6tY1uE="
# bench/pages.py adds a benchmark-only URLconf (DJANGO_SETTINGS_MODULE=
# bench._support.settings); everything else runs the project's own settings.
SETTINGS_MODULE = "worksome.settings"


def database_url(name: str) -> str:
    """BENCH_PG_SERVER (default postgres://postgres@127.0.0.1:5432) + /name."""
    return os.environ.get("BENCH_PG_SERVER", PG_SERVER).rstrip("/") + "/" + name


def django_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of a production-like process on the bench database."""
    env = {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": FIELD_ENCRYPTION_KEYS,
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    env.update(extra)
    return env


def setup_django(url: str, **extra: str) -> None:
    """Django in this process, configured like the subprocesses the bench starts.

    Values are forced rather than defaulted so a developer's shell (say
    DJANGO_DEBUG=1 or another DATABASE_URL) cannot leak into a measurement.
    """
    os.environ.update(django_env(url, **extra))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def load_average() -> str:
    """The 1-minute load average, printed so a noisy run is recognisable."""
    return f"{os.getloadavg()[0]:.2f}"


def expired_profiles_populate(n: int, *, label: str = "bench") -> None:
    """N closed accounts with published profiles, closed 400 days ago (in SQL)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE profiles_freelancerprofile, profiles_user CASCADE")
        cur.execute(
            """
            INSERT INTO profiles_user (password, is_superuser, email, is_staff,
                is_active, date_joined, closed_at)
            SELECT '!', false, %s || g || '@example.com', false, false,
                now() - interval '3 years', now() - interval '400 days'
            FROM generate_series(1, %s) AS g
            """,
            [label, n],
        )
        cur.execute(
            """
            INSERT INTO profiles_freelancerprofile (user_id, slug, full_name, phone,
                company_name, website, cvr, headline, bio, photo, photo_thumbnail, cv,
                cv_content_type, published_at, created_at, updated_at, street,
                postal_code, city, country)
            SELECT id, %s || '-' || id, %s || ' Person ' || id, '+4520123456',
                'Firma ApS', 'https://example.com', '24256790', 'Developer',
                'About me', '', '', '', '', now(), now(), now(), 'Vej 1', '8000',
                'Aarhus', 'DK'
            FROM profiles_user
            """,
            [label, label.capitalize()],
        )
        cur.execute("VACUUM ANALYZE profiles_user")
        cur.execute("VACUUM ANALYZE profiles_freelancerprofile")


def expired_profiles_restore(*, label: str = "bench") -> None:
    """Undo the anonymisation so the next measurement starts from the same rows."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            UPDATE profiles_freelancerprofile SET slug = %s || '-' || user_id,
                full_name = %s || ' Person ' || user_id, phone = '+4520123456',
                company_name = 'Firma ApS', street = 'Vej 1', anonymised_at = NULL,
                published_at = now()
            """,
            [label, label.capitalize()],
        )
        cur.execute("VACUUM ANALYZE profiles_freelancerprofile")
