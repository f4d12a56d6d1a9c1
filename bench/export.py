"""Benchmark: the access export of one subject with 1k, 10k and 100k rows.

One database (``worksome_bench_export``), filled once in SQL (INSERT ... SELECT
generate_series): for each N a member with a freelancer profile and N rows
spread over the personal-data tables that grow without bound for one person,
a third each of consent records (``consent.ConsentRecord``, all superseded, so
the "one current record per purpose" constraint holds), CV downloads
(``profiles.CvDownload``) and audit events (``privacy.AuditEvent``). Another
member holds as many rows of each kind as the largest subject; none of them
may appear in anyone else's archive.

For each N, a fresh child process (so one N's peak RSS cannot hide another's)
sets Django up, then builds the export ``--repeat`` times through the real
code path: ``dsr_submit`` (an access request, verified by the session), a
pending ``ExportArchive`` row, ``privacy.export.dsr_export_build``. Timed: the
build. Counted: its SQL queries (a wrapper on the connection, so the count
costs no memory). Measured: ``ru_maxrss`` after ``django.setup()`` and the
request (the baseline) and after the builds (the peak). Only then is each
archive checked, so the check cannot raise the peak: the ZIP's CRCs hold,
``data.json`` parses, and for the three bulk tables the ids in it are exactly
the subject's ids at the time of the build (from SQL, not from the registry),
N of them the bulk rows; the other member's ids and marker text are absent.

Prints one line per N and a summary:

  bench export N=... seconds=... ratio=... rows=... queries=... zip_kb=...
      baseline_rss_mb=... peak_rss_mb=... rss_growth_mb=...

Targets (exit status 1 when missed): the largest N's build within
1.1 x N / 1k of the 1k build (100k <= 110x; --quick: 10k <= 11x), the
largest N's peak RSS within 30 MB of the 1k peak (memory flat), and every
archive complete and only the subject's.

Usage: python bench/export.py [--n 1000,10000,100000] [--quick] [--repeat 3]
    [--profile]
  (--quick: 1k and 10k; --profile: cProfile's top entries of the largest N's
  last build)
Needs PostgreSQL; BENCH_PG_SERVER (default postgres://postgres@127.0.0.1:5432)
/worksome_bench_export is dropped and re-created.
"""

import argparse
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._support import (  # noqa: E402 - the path above makes bench importable
    ROOT,
    database_url,
    load_average,
    recreate_database,
    setup_django,
)

DEFAULT_URL = database_url("worksome_bench_export")
BASELINE_N = 1_000
RATIO_PER_1K = 1.1  # time at N may be 1.1 x N / 1k of the time at 1k
RSS_FLAT_MB = 30
# Non-ASCII on purpose: the archive is UTF-8 JSON (ensure_ascii=False).
SUBJECT_MARKER = "Bench Ærø Å/S ✓ 東京"
OTHER_MARKER = "Other Ærøskøbing ApS ✗"
SUBJECT_ACTION = "bench.subject"
OTHER_ACTION = "bench.other"
BULK_SOURCE = "settings"  # the one real consent record per member is "banner"
LABELS = {
    "consent": "consent.ConsentRecord",
    "cv": "profiles.CvDownload",
    "audit": "privacy.AuditEvent",
}
# The subject's ids per bulk table, from SQL (independent of the registry).
ID_SQL = {
    "consent": "SELECT id FROM consent_consentrecord WHERE user_id = %s",
    "cv": """SELECT d.id FROM profiles_cvdownload d
        JOIN profiles_freelancerprofile p ON p.id = d.profile_id
        WHERE p.user_id = %s""",
    "audit": "SELECT id FROM privacy_auditevent WHERE subject_id = %s",
}


def _env_extra(media_dir: str) -> dict[str, str]:
    return {
        "MEDIA_ROOT": str(Path(media_dir) / "media"),
        "PRIVATE_MEDIA_ROOT": str(Path(media_dir) / "private"),
        # dsr_submit and the completion send mail: measured, never delivered.
        "EMAIL_URL": "dummymail://",
    }


def _split(n: int) -> dict[str, int]:
    third = n // 3
    return {"consent": third, "cv": third, "audit": n - 2 * third}


def _member(name: str, n: int, *, marker: str, action: str) -> int:
    """A member with a profile, one real consent record and n bulk rows."""
    from django.db import connection

    from consent.models import Purpose
    from consent.services import consent_record
    from profiles.models import FreelancerProfile, User

    user = User.objects.create_user(email=f"{name}@bench.example", password=None)
    profile = FreelancerProfile.objects.create(
        user=user, slug=name, full_name=f"{name.capitalize()} {marker}", city="Aarhus"
    )
    # A real record gives a real consent version (text and cookie list),
    # which every bulk record then points at, as a member's history would.
    version = consent_record(
        purpose=Purpose.COOKIES_ANALYTICS, granted=True, source="banner", user=user
    ).version_id
    split = _split(n)
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO consent_consentrecord (user_id, visitor_id, purpose, granted,
                source, version_id, decided_at, created_at, superseded_at, actor_id)
            SELECT %s, '', 'cookies_analytics', g %% 2 = 0, %s, %s,
                now() - g * interval '1 minute', now() - g * interval '1 minute',
                now() - (g - 1) * interval '1 minute', NULL
            FROM generate_series(1, %s) AS g
            """,
            [user.pk, BULK_SOURCE, version, split["consent"]],
        )
        cur.execute(
            """
            INSERT INTO profiles_cvdownload (profile_id, company_id, company_name,
                downloaded_by_id, downloaded_at)
            SELECT %s, NULL, %s || ' ' || (g %% 50), NULL,
                now() - g * interval '1 minute'
            FROM generate_series(1, %s) AS g
            """,
            [profile.pk, marker, split["cv"]],
        )
        cur.execute(
            """
            INSERT INTO privacy_auditevent (at, actor_id, subject_id, action,
                target_type, target_id, details)
            SELECT now() - g * interval '1 second', NULL, %s, %s,
                'profiles.freelancerprofile', %s::text,
                jsonb_build_object('fields', jsonb_build_array('headline', 'bio'))
            FROM generate_series(1, %s) AS g
            """,
            [user.pk, action, profile.pk, split["audit"]],
        )
    return user.pk


def _populate(sizes: list[int]) -> tuple[dict[int, int], int]:
    from django.db import connection

    subjects = {
        n: _member(f"subject-{n}", n, marker=SUBJECT_MARKER, action=SUBJECT_ACTION)
        for n in sizes
    }
    other = _member("other", max(sizes), marker=OTHER_MARKER, action=OTHER_ACTION)
    with connection.cursor() as cur:
        for table in (
            "consent_consentrecord",
            "profiles_cvdownload",
            "privacy_auditevent",
        ):
            cur.execute(f"VACUUM ANALYZE {table}")
    return subjects, other


def _ids(user_id: int, *, upto: dict[str, int] | None = None) -> dict[str, set[int]]:
    from django.db import connection

    found = {}
    with connection.cursor() as cur:
        for key, sql in ID_SQL.items():
            cur.execute(sql, [user_id])
            ids = {row[0] for row in cur.fetchall()}
            if upto is not None:
                ids = {i for i in ids if i <= upto[key]}
            found[key] = ids
    return found


def _max_ids(user_id: int) -> dict[str, int]:
    """Snapshot before a build: rows are append-only, so ids <= these are the
    subject's rows at build time (later ones are the request's own events)."""
    from django.db import connection

    snapshot = {}
    with connection.cursor() as cur:
        for key, sql in ID_SQL.items():
            # Constant SQL: ID_SQL above, no input in it.
            query = f"SELECT coalesce(max(id), 0) FROM ({sql}) AS s"  # noqa: S608
            cur.execute(query, [user_id])
            snapshot[key] = cur.fetchone()[0]
    return snapshot


def _check(name: str, *, n: int, subject: int, other: int, upto: dict) -> dict:
    """What the archive holds, checked against SQL. Returns counts or errors."""
    from core.storage import export_storage

    errors = []
    with export_storage.open(name, "rb") as handle, zipfile.ZipFile(handle) as zf:
        bad = zf.testzip()
        if bad is not None:
            errors.append(f"bad CRC in {bad}")
        text = zf.read("data.json").decode("utf-8")
    payload = json.loads(text)
    data = payload["data"]
    rows = sum(len(v) for v in data.values())
    expected = _ids(subject, upto=upto)
    foreign = _ids(other)
    bulk = 0
    for key, label in LABELS.items():
        got = [row["id"] for row in data.get(label, [])]
        if len(got) != len(set(got)):
            errors.append(f"{label}: a row appears twice")
        if set(got) != expected[key]:
            errors.append(
                f"{label}: {len(got)} rows exported, {len(expected[key])} expected"
            )
        if set(got) & foreign[key]:
            errors.append(f"{label}: rows of another member")
        for row in data.get(label, []):
            if key == "consent":
                bulk += row["source"] == BULK_SOURCE
            elif key == "cv":
                bulk += row["company_name"].startswith(SUBJECT_MARKER)
            else:
                bulk += row["action"] == SUBJECT_ACTION
    if bulk != n:
        errors.append(f"{bulk} bulk rows exported, {n} inserted")
    if OTHER_MARKER in text or OTHER_ACTION in text:
        errors.append("the other member's text is in the archive")
    if SUBJECT_MARKER not in text:
        errors.append("the subject's own text is missing (the check above is void)")
    return {"rows": rows, "bulk_rows": bulk, "errors": errors}


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _single(n: int, *, subject: int, other: int, repeat: int, profile: bool) -> dict:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    setup_django(url, **_env_extra(os.environ["BENCH_EXPORT_DIR"]))
    from django.db import connection
    from privacy.export import dsr_export_build

    from privacy.models import ExportArchive
    from privacy.requests.services import dsr_submit
    from profiles.models import User

    user = User.objects.get(pk=subject)
    builds = []
    baseline = None
    for i in range(repeat):
        request = dsr_submit(user=user, kind="access")
        ExportArchive.objects.create(request=request, subject=user)
        upto = _max_ids(subject)
        gc.collect()
        if baseline is None:
            baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        counter = _QueryCounter()
        profiler = None
        if profile and i == repeat - 1:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            archive = dsr_export_build(request_id=request.pk)
            elapsed = time.perf_counter() - start
        if profiler is not None:
            profiler.disable()
        assert archive is not None and archive.status == ExportArchive.Status.READY
        builds.append((elapsed, counter.count, archive.file.name, archive.size, upto))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Checked after the peak was read: parsing data.json costs memory too.
    checks = [
        _check(name, n=n, subject=subject, other=other, upto=upto)
        for _t, _q, name, _s, upto in builds
    ]
    if profiler is not None:
        import io
        import pstats

        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        print(f"-- cProfile of the last build at N={n}, by cumulative time", file=out)
        stats.sort_stats("cumulative").print_stats(20)
        print(f"-- cProfile of the last build at N={n}, by own time", file=out)
        stats.sort_stats("tottime").print_stats(15)
        print(out.getvalue(), file=sys.stderr)
    return {
        "n": n,
        "seconds": min(b[0] for b in builds),
        "runs": [round(b[0], 3) for b in builds],
        "queries": [b[1] for b in builds],
        "zip_bytes": builds[-1][3],
        "rows": checks[-1]["rows"],
        "bulk_rows": checks[-1]["bulk_rows"],
        "errors": sorted({e for c in checks for e in c["errors"]}),
        "baseline_rss_mb": baseline / 1024,
        "peak_rss_mb": peak / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", default="1000,10000,100000", help="row counts")
    parser.add_argument("--quick", action="store_true", help="1k and 10k rows")
    parser.add_argument("--repeat", type=int, default=3, help="builds per N")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="print cProfile's top entries of the largest N's last build",
    )
    parser.add_argument("--single", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--subject", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--other", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:
        result = _single(
            args.single,
            subject=args.subject,
            other=args.other,
            repeat=args.repeat,
            profile=args.profile,
        )
        print(json.dumps(result))
        return 0
    requested = [1_000, 10_000] if args.quick else [int(x) for x in args.n.split(",")]
    # 1k is the baseline of the time ratio and of flat memory: always measured.
    sizes = sorted({BASELINE_N, *requested})
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    media_dir = tempfile.mkdtemp(prefix="bench-export-")
    try:
        recreate_database(url)
        setup_django(url, **_env_extra(media_dir))
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        subjects, other = _populate(sizes)
        print(
            f"bench export populated sizes={','.join(map(str, sizes))} "
            f"other_rows={max(sizes)} seconds={time.perf_counter() - start:.1f}",
            flush=True,
        )
        results = []
        for n in sizes:
            command = [
                sys.executable,
                __file__,
                "--single",
                str(n),
                "--subject",
                str(subjects[n]),
                "--other",
                str(other),
                "--repeat",
                str(args.repeat),
            ]
            if args.profile and n == sizes[-1]:
                command.append("--profile")
            proc = subprocess.run(
                command,
                capture_output=True,
                text=True,
                cwd=ROOT,
                env={**os.environ, "BENCH_EXPORT_DIR": media_dir},
            )
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                raise SystemExit(f"the child for N={n} failed")
            if args.profile and proc.stderr.strip():
                print(proc.stderr, flush=True)
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            r["ratio"] = r["seconds"] / results[0]["seconds"] if results else 1.0
            results.append(r)
            print(
                f"bench export N={n} seconds={r['seconds']:.3f} "
                f"runs={'/'.join(f'{t:.2f}' for t in r['runs'])} "
                f"ratio={r['ratio']:.1f} rows={r['rows']} bulk_rows={r['bulk_rows']} "
                f"queries={'/'.join(map(str, r['queries']))} "
                f"zip_kb={r['zip_bytes'] / 1024:.0f} "
                f"baseline_rss_mb={r['baseline_rss_mb']:.0f} "
                f"peak_rss_mb={r['peak_rss_mb']:.0f} "
                f"rss_growth_mb={r['peak_rss_mb'] - r['baseline_rss_mb']:.0f} "
                f"check={'ok' if not r['errors'] else '; '.join(r['errors'])}",
                flush=True,
            )
    finally:
        shutil.rmtree(media_dir, ignore_errors=True)
    base, top = results[0], results[-1]
    ratio_target = RATIO_PER_1K * top["n"] / BASELINE_N
    time_ok = top["ratio"] <= ratio_target
    rss_ok = top["peak_rss_mb"] <= base["peak_rss_mb"] + RSS_FLAT_MB
    checks_ok = not any(r["errors"] for r in results)
    ok = time_ok and rss_ok and checks_ok
    print(
        f"bench export summary ratio_{top['n']}={top['ratio']:.1f} "
        f"(target <={ratio_target:.0f}) peak_rss_mb_{base['n']}="
        f"{base['peak_rss_mb']:.0f} peak_rss_mb_{top['n']}={top['peak_rss_mb']:.0f} "
        f"(target <= {base['peak_rss_mb']:.0f}+{RSS_FLAT_MB}) "
        f"archives_checked={checks_ok} load_avg={load_average()} "
        f"-> {'ok' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
