"""Benchmark: consent-state lookups and a consent write as the consent log grows.

For each N (rows in ``consent_consentrecord``), on PostgreSQL, one database
per N (``worksome_bench_consent_<N>``):
  lookup       ``consent.selectors.consent_is_granted`` for one visitor
  current      ``consent.selectors.consent_current`` for the same visitor
  lookup_user  ``consent_is_granted`` for one logged-in user
  post         ``consent.services.consent_record`` for the same visitor,
               alternating accept and withdraw (each supersedes the last)
Cases are timed in rounds that alternate between the databases, so a burst of
other load slows every N alike; the per-call latency is each N's fastest round
(the least disturbed). Beside it, the index the lookup's SQL uses and the
buffers it touches (EXPLAIN (ANALYZE, BUFFERS)): the work, free of noise.

The log is filled in SQL (INSERT ... SELECT generate_series): N/10 subjects,
each with 2 cookie purposes x 5 records; per subject and purpose only the newest
record is current (``superseded_at IS NULL``), so the partial unique
constraints "one current record per subject and purpose" hold. Every fifth
subject is a user, the others are browser visitors.

Prints one line per case and N, and per case the ratio of the slowest N to the
fastest:

  bench consent_log case=... N=... per_call_us=... index=... buffers=...
  bench consent_log case=... ratio_max_min=... (target <=1.2)

Targets (exit status 1 when missed): each lookup case within 1.2x across N,
and no lookup plan scans the table (indexed lookups do not grow with the log).
The write's ratio is printed without a target: a commit's WAL flush and index
inserts into a larger table vary more than a lookup does.

Usage: python bench/consent_log.py [--n 10000,1000000,10000000] [--quick]
    [--calls 400] [--rounds 7] [--keep]
  (--quick: 10k and 1M rows; --keep: leave the databases, dropped by default)
Needs PostgreSQL; BENCH_PG_SERVER (default postgres://postgres@127.0.0.1:5432)
/worksome_bench_consent_<N> are dropped and re-created.
"""

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._support import (  # noqa: E402 - the path above makes bench importable
    database_url,
    drop_database,
    load_average,
    recreate_database,
    setup_django,
)

DB_NAME = "worksome_bench_consent"
PURPOSES = ("cookies_analytics", "cookies_marketing")
RECORDS_PER_PURPOSE = 5
ROWS_PER_SUBJECT = len(PURPOSES) * RECORDS_PER_PURPOSE
USER_EVERY = 5  # every fifth subject is a logged-in user
RATIO_TARGET = 1.2
LOOKUP_CASES = ("lookup", "current", "lookup_user")
CASES = (*LOOKUP_CASES, "post")


def _visitor_id(subject: int) -> str:
    return "v" + str(subject).zfill(31)  # 32 characters, like a real visitor id


def _populate(n: int) -> dict[str, str]:
    """N consent records; returns the version digest of each purpose."""
    from django.db import connection

    from consent.services import consent_version_get_or_create

    subjects = n // ROWS_PER_SUBJECT
    versions = {
        purpose: consent_version_get_or_create(purpose=purpose).digest
        for purpose in PURPOSES
    }
    with connection.cursor() as cur:
        cur.execute("TRUNCATE consent_consentrecord, profiles_user CASCADE")
        # Explicit ids: subject s (a multiple of USER_EVERY) is user s.
        cur.execute(
            """
            INSERT INTO profiles_user (id, password, is_superuser, email, is_staff,
                is_active, date_joined)
            SELECT s, '!', false, 'consent' || s || '@example.com', false, true,
                now() - interval '2 years'
            FROM generate_series(%(every)s, %(subjects)s, %(every)s) AS s
            """,
            {"every": USER_EVERY, "subjects": subjects},
        )
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('profiles_user', 'id'), "
            "(SELECT coalesce(max(id), 0) + 1 FROM profiles_user), false)"
        )
        # Record r of 5 per subject and purpose: only r = 5 is current; older
        # ones were superseded when the next was made. The current choice is
        # a grant made 30 days ago, so it still counts.
        cur.execute(
            """
            INSERT INTO consent_consentrecord (user_id, visitor_id, purpose, granted,
                source, version_id, decided_at, created_at, superseded_at, actor_id)
            SELECT
                CASE WHEN s %% %(every)s = 0 THEN s END,
                CASE WHEN s %% %(every)s = 0 THEN ''
                    ELSE 'v' || lpad(s::text, 31, '0') END,
                p.purpose, r %% 2 = 1, 'banner', p.digest,
                now() - (%(last)s + 1 - r) * interval '30 days',
                now() - (%(last)s + 1 - r) * interval '30 days',
                CASE WHEN r < %(last)s
                    THEN now() - (%(last)s - r) * interval '30 days' END,
                CASE WHEN s %% %(every)s = 0 THEN s END
            FROM generate_series(1, %(subjects)s) AS s
            CROSS JOIN (VALUES (%(p1)s, %(d1)s), (%(p2)s, %(d2)s))
                AS p(purpose, digest)
            CROSS JOIN generate_series(1, %(last)s) AS r
            """,
            {
                "every": USER_EVERY,
                "subjects": subjects,
                "last": RECORDS_PER_PURPOSE,
                "p1": PURPOSES[0],
                "d1": versions[PURPOSES[0]],
                "p2": PURPOSES[1],
                "d2": versions[PURPOSES[1]],
            },
        )
        cur.execute("VACUUM ANALYZE consent_consentrecord")
        cur.execute("ANALYZE profiles_user")
    return versions


def _use_database(name: str) -> None:
    """Point Django's default connection at another bench database."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def _plan(func) -> dict:
    """The lookup's real SQL under EXPLAIN (ANALYZE, BUFFERS): the index it
    uses and the pages it touches (a measure of work that noise cannot move).
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        func()
    sql = next(
        q["sql"] for q in ctx.captured_queries if "consent_consentrecord" in q["sql"]
    )
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(row[0] for row in cur.fetchall())
    index = re.search(
        r"Index (?:Only )?Scan using (\S+) on consent_consentrecord", plan
    ) or re.search(r"Bitmap Index Scan on (\S+)", plan)
    buffers = re.search(r"Buffers: shared hit=(\d+)(?: read=(\d+))?", plan)
    return {
        "index": index.group(1) if index else "NONE",
        "seq_scan": "Seq Scan on consent_consentrecord" in plan,
        "buffers": int(buffers.group(1)) + int(buffers.group(2) or 0)
        if buffers
        else -1,
        "plan": plan,
    }


class Size:
    """One log size: its database, subjects and the callables timed on it."""

    def __init__(self, n: int):
        from consent import selectors, services
        from profiles.models import User

        self.n = n
        self.database = f"{DB_NAME}_{n}"
        self.times: dict[str, list[float]] = {}
        subjects = n // ROWS_PER_SUBJECT
        # Subjects in the middle of the log, not the first or last rows written.
        middle = subjects // 2 + 1
        while middle % USER_EVERY == 0:
            middle += 1
        visitor = _visitor_id(middle)
        user = User.objects.get(pk=(subjects // 2) // USER_EVERY * USER_EVERY)
        purpose = PURPOSES[0]
        toggle = [False]

        def lookup():
            assert selectors.consent_is_granted(purpose=purpose, visitor_id=visitor)

        def current():
            assert len(selectors.consent_current(visitor_id=visitor)) == len(PURPOSES)

        def lookup_user():
            assert selectors.consent_is_granted(purpose=purpose, user=user)

        def post():
            toggle[0] = not toggle[0]
            services.consent_record(
                purpose=PURPOSES[1],
                granted=toggle[0],
                source="banner",
                visitor_id=visitor,
            )

        self.visitor = visitor
        self.cases = {
            "lookup": lookup,
            "current": current,
            "lookup_user": lookup_user,
            "post": post,
        }


def _round(size: Size, calls: int) -> None:
    """One timed round of every case on ``size`` (its database already in use)."""
    for case, func in size.cases.items():
        count = max(calls // 5, 20) if case == "post" else calls
        func()  # warm: the connection was just opened
        start = time.perf_counter()
        for _ in range(count):
            func()
        size.times.setdefault(case, []).append((time.perf_counter() - start) / count)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--n", default="10000,1000000,10000000", help="comma-separated log sizes"
    )
    parser.add_argument("--quick", action="store_true", help="10k and 1M rows")
    parser.add_argument("--calls", type=int, default=400, help="calls per round")
    parser.add_argument("--rounds", type=int, default=7, help="rounds per size")
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases (dropped by default)"
    )
    args = parser.parse_args()
    sizes_n = [10_000, 1_000_000] if args.quick else [int(x) for x in args.n.split(",")]
    sizes_n = sorted(set(sizes_n))

    setup_django(database_url(f"{DB_NAME}_{sizes_n[0]}"))
    from django.core.management import call_command

    sizes, plans = [], {}
    for n in sizes_n:
        name = f"{DB_NAME}_{n}"
        recreate_database(database_url(name))
        _use_database(name)
        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        _populate(n)
        populate_s = time.perf_counter() - start
        size = Size(n)
        plans[n] = {
            "populate_s": populate_s,
            "visitor": _plan(size.cases["lookup"]),
            "user": _plan(size.cases["lookup_user"]),
        }
        sizes.append(size)
    # Rounds alternate between the sizes, so a burst of other load on the
    # machine slows every size alike; each size keeps its fastest round.
    for _ in range(args.rounds):
        for size in sizes:
            _use_database(size.database)
            _round(size, args.calls)
    from django.db import connection

    from consent.models import ConsentRecord

    for size in sizes:  # the writes kept one current record per subject/purpose
        _use_database(size.database)
        current = ConsentRecord.objects.filter(
            visitor_id=size.visitor, purpose=PURPOSES[1], superseded_at__isnull=True
        )
        assert current.count() == 1
    connection.close()

    for size in sizes:
        plan = plans[size.n]
        for case in CASES:
            which = plan["user"] if case == "lookup_user" else plan["visitor"]
            extra = (
                f"index={which['index']} buffers={which['buffers']} "
                if case != "post"
                else ""
            )
            print(
                f"bench consent_log case={case} N={size.n} "
                f"per_call_us={1e6 * min(size.times[case]):.0f} "
                f"{extra}populate_s={plan['populate_s']:.1f}",
                flush=True,
            )
    largest = plans[sizes[-1].n]
    print(f"-- EXPLAIN (ANALYZE, BUFFERS) of the lookup at N={sizes[-1].n}:")
    print("   " + largest["visitor"]["plan"].replace("\n", "\n   "))
    ok = True
    for case in CASES:
        values = [min(size.times[case]) for size in sizes]
        ratio = max(values) / min(values)
        judged = case in LOOKUP_CASES
        case_ok = ratio <= RATIO_TARGET or not judged
        ok = ok and case_ok
        target = f"(target <={RATIO_TARGET})" if judged else "(no target)"
        print(
            f"bench consent_log case={case} ratio_max_min={ratio:.2f} {target} "
            f"smallest_N={sizes[0].n} largest_N={sizes[-1].n} "
            f"-> {'ok' if case_ok else 'MISSED'}",
            flush=True,
        )
    indexed = not any(
        plan[who]["seq_scan"] or plan[who]["index"] == "NONE"
        for plan in plans.values()
        for who in ("visitor", "user")
    )
    ok = ok and indexed
    print(
        f"bench consent_log summary indexed={indexed} load_avg={load_average()} "
        f"-> {'ok' if ok else 'MISSED'}"
    )
    if not args.keep:
        for size in sizes:
            drop_database(database_url(size.database))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
