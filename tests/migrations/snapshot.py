"""What a migration snapshot is, shared by make_snapshot.py and test_forward.py.

A snapshot is a plain-SQL dump of a PostgreSQL database migrated and filled at
one commit, plus a manifest computed from that database: per table its
columns, its row count and an md5 over its primary key and a few key columns
in primary-key order. The environment below is fixed because the dump depends
on it: CPR numbers are encrypted with FIELD_ENCRYPTION_KEYS, lookup hashes are
keyed with HASH_KEY and sessions are signed with SECRET_KEY. The values are
test-only and public.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SNAPSHOTS = HERE / "snapshots"

SNAPSHOT_ENV = {
    "SECRET_KEY": "migration-snapshot-secret-key-test-only-not-for-production-01",
    "HASH_KEY": "migration-snapshot-hash-key-test-only-not-for-production-0123",
    "FIELD_ENCRYPTION_KEYS": "vD_cRexNKnqwxd8kKVi4GvHc_CTp8Uuk0kLbK_uXxgs=",
    "DJANGO_DEBUG": "0",
    "DJANGO_HTTPS": "0",
    "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "STATIC_MANIFEST": "0",
    "EMAIL_URL": "memorymail://",
    "SITE_URL": "http://testserver",
    # No broker: nothing here runs a task, and a Redis URL inherited from the
    # environment must not receive the messages a service queues.
    "CELERY_BROKER_URL": "memory://",
    "CELERY_RESULT_BACKEND": "cache+memory://",
}

# The key columns of each table: the primary key comes first and orders the
# rows. A table not named here is fingerprinted on its primary key and its
# first two NOT NULL columns.
KEY_COLUMNS = {
    # Django's bookkeeping. A model moved to another app keeps its content
    # type only if app_label is updated, so the fingerprint leaves app_label
    # out; the test checks separately that no group permission was orphaned.
    "django_migrations": ["id", "app", "name"],
    "django_content_type": ["id", "model"],
    "auth_permission": ["id", "content_type_id", "codename"],
    "django_session": ["session_key", "session_data", "expire_date"],
    "django_admin_log": ["id", "object_id", "change_message"],
    # profiles
    "profiles_user": ["id", "email", "password", "closed_at"],
    "profiles_freelancerprofile": ["id", "slug", "full_name", "cpr"],
    "profiles_company": ["id", "slug", "name", "cvr"],
    "profiles_companymembership": ["id", "company_id", "user_id", "role"],
    "profiles_companyinvitation": ["id", "company_id", "email", "token_hash"],
    "profiles_cvdownload": ["id", "profile_id", "company_id", "downloaded_by_id"],
    "profiles_apitoken": ["id", "digest", "token_key", "user_id"],
    "profiles_skill": ["id", "slug", "name"],
    "profiles_freelancerslughistory": ["id", "slug", "profile_id"],
    # privacy
    "privacy_auditevent": ["id", "action", "subject_id", "details"],
    "privacy_datasubjectrequest": ["id", "kind", "status", "email"],
    "privacy_exportarchive": ["id", "request_id", "status", "file"],
    "privacy_legalhold": ["id", "subject_id", "reason", "released_at"],
    "privacy_policyversion": ["id", "version", "published_at", "summary"],
    "privacy_policyacknowledgement": ["id", "user_id", "version_id"],
    "privacy_processor": ["id", "key", "vendor", "service"],
    "privacy_processingactivity": ["id", "purpose", "legal_basis", "retention_key"],
    "privacy_breach": ["id", "reference", "discovered_at"],
    "privacy_retentionpolicy": ["id", "key", "period_days", "action"],
    "privacy_marketingsuppression": ["id", "email_hash"],
    "privacy_sessionowner": ["session_id", "user_id"],
    "privacy_filedeletion": ["id", "storage", "name", "attempts"],
    "privacy_purgerun": ["id", "status", "dry_run"],
    "privacy_purgerunrule": ["id", "run_id", "rule_key"],
    # consent
    "consent_consentrecord": ["id", "purpose", "granted", "version_id"],
    "consent_consentversion": ["id", "digest"],
    "consent_cookiedetails": ["id", "cookie_id", "purpose"],
    "cookie_consent_cookiegroup": ["id", "varname", "is_required"],
    "cookie_consent_cookie": ["id", "cookiegroup_id", "name", "domain"],
    # allauth, celery beat
    "account_emailaddress": ["id", "user_id", "email", "verified"],
    "mfa_authenticator": ["id", "user_id", "type", "data"],
    "django_celery_beat_periodictask": ["id", "name", "enabled"],
}

# Session settings the text form of a value depends on (timestamps, floats,
# bytea), so a fingerprint means the same on every server and client.
_STABLE_TEXT = (
    "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; "
    "SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; "
    "SET bytea_output = 'hex'"
)


def server_url(database_url: str, dbname: str) -> str:
    """``database_url`` with its database name replaced by ``dbname``."""
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path=f"/{dbname}"))


def programs_missing(*programs: str) -> list[str]:
    return [program for program in programs if shutil.which(program) is None]


def database_create(admin_url: str, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def database_drop(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


def restore(path: Path, database_url: str) -> None:
    """Load a gzipped plain-SQL dump with psql, stopping at the first error."""
    loaded = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database_url],
        input=gzip.decompress(path.read_bytes()),
        capture_output=True,
    )
    if loaded.returncode != 0:
        raise RuntimeError(f"psql could not load {path.name}: {loaded.stderr!r}")


def tables(conn) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "ORDER BY tablename"
        )
    ]


def columns_of(conn, table: str) -> list[tuple[str, bool]]:
    return list(
        conn.execute(
            "SELECT column_name, is_nullable = 'NO' FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = %s "
            "ORDER BY ordinal_position",
            [table],
        )
    )


def primary_key(conn, table: str) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT a.attname FROM pg_index i "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = %s::regclass AND i.indisprimary "
            "ORDER BY array_position(i.indkey, a.attnum)",
            [f"public.{table}"],
        )
    ]


def _integer(conn, table: str, column: str) -> bool:
    return conn.execute(
        "SELECT data_type IN ('smallint', 'integer', 'bigint') "
        "FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = %s AND column_name = %s",
        [table, column],
    ).fetchone()[0]


def key_columns(conn, table: str) -> list[str]:
    if table in KEY_COLUMNS:
        return KEY_COLUMNS[table]
    pk = primary_key(conn, table)
    others = [name for name, required in columns_of(conn, table) if required]
    return pk + [name for name in others if name not in pk][:2]


def fingerprint(
    conn, table: str, columns: list[str], *, max_pk: int | None = None
) -> tuple[int, str]:
    """Row count and md5 of ``columns`` of ``table``, in order of the first.

    With ``max_pk``, only rows whose first column is at most ``max_pk``.
    """
    conn.execute(_STABLE_TEXT)
    row = sql.SQL("concat_ws('|', {})").format(
        sql.SQL(", ").join(
            sql.SQL("quote_nullable({}::text)").format(sql.Identifier(c))
            for c in columns
        )
    )
    where = (
        sql.SQL("WHERE {} <= {}").format(
            sql.Identifier(columns[0]), sql.Literal(max_pk)
        )
        if max_pk is not None
        else sql.SQL("")
    )
    query = sql.SQL(
        "SELECT count(*), md5(coalesce(string_agg({row}, E'\\n' ORDER BY {pk}), '')) "
        "FROM {table} {where}"
    ).format(
        row=row,
        pk=sql.Identifier(columns[0]),
        table=sql.Identifier(table),
        where=where,
    )
    count, digest = conn.execute(query).fetchone()
    return count, digest


def manifest_build(database_url: str) -> dict:
    """The manifest of every table in the public schema of ``database_url``."""
    entries = {}
    with psycopg.connect(database_url) as conn:
        for table in tables(conn):
            columns = key_columns(conn, table)
            entry = {"columns": [name for name, _ in columns_of(conn, table)]}
            unknown = set(columns) - set(entry["columns"])
            if unknown or columns[:1] != primary_key(conn, table)[:1]:
                raise ValueError(f"KEY_COLUMNS of {table}: {columns} {unknown}")
            entry["key_columns"] = columns
            if _integer(conn, table, columns[0]):
                entry["max_pk"] = conn.execute(
                    sql.SQL("SELECT max({}) FROM {}").format(
                        sql.Identifier(columns[0]), sql.Identifier(table)
                    )
                ).fetchone()[0]
            entry["rows"], entry["checksum"] = fingerprint(conn, table, columns)
            entries[table] = entry
    return entries


def environment(database_url: str, var_dir: str) -> dict[str, str]:
    """The process environment of a manage.py run against a snapshot database."""
    return {
        **os.environ,
        **SNAPSHOT_ENV,
        "DATABASE_URL": database_url,
        "WORKSOME_VAR_DIR": var_dir,
        "MEDIA_ROOT": f"{var_dir}/media",
        "PRIVATE_MEDIA_ROOT": f"{var_dir}/private",
    }
