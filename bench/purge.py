"""Benchmark: the retention purge against a single SQL UPDATE and a save() loop.

For each N, on PostgreSQL, N expired freelancer profiles are anonymised by
  (a) the purge service (batched, SKIP LOCKED, set-based UPDATE per batch),
  (b) one hand-written SQL UPDATE of the same rows (the lower bound),
  (c) a per-object save() loop, timed on a 10k subset and scaled to N.
Each N runs in a fresh process so peak RSS is per N. (a) and (b) alternate for
--rounds rounds on freshly restored rows and each keeps its fastest round.
Prints one line per N:

  bench purge N=... service=...s sql=...s ratio_sql=...
      ratio_per_object=... peak_rss_mb=...

Targets (exit status 1 when missed), judged on the N asked for: ratio_sql <= 1.5,
ratio_per_object >= 50, peak RSS of the largest N within 1.5x of the 10k run.
A run has a fixed cost (policy sync, the run record: a few commits), so at
10k rows the ratio to one UPDATE is higher than at 100k and above.

Usage: python bench/purge.py [--n 10000,100000,1000000] [--quick]
Needs PostgreSQL; BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
worksome_bench) is dropped and re-created.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._support import (  # noqa: E402 - the path above makes bench importable
    ROOT,
    database_url,
    expired_profiles_populate,
    expired_profiles_restore,
    load_average,
    recreate_database,
    setup_django,
)

DEFAULT_URL = database_url("worksome_bench")
RULE = "profiles.freelancer.closed"
PER_OBJECT_SAMPLE = 10_000


def _service() -> float:
    from privacy.retention import retention_purge

    start = time.perf_counter()
    run = retention_purge(rule_key=RULE, triggered_by="bench")
    elapsed = time.perf_counter() - start
    assert run.rules.get().errors == 0
    return elapsed


def _sql() -> float:
    from django.db import connection, transaction

    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """
            UPDATE profiles_freelancerprofile AS p SET
                slug = 'deleted-' || p.id, full_name = 'Deleted user', phone = '',
                company_name = '', street = '', postal_code = '', city = '',
                website = '', cvr = '', cpr = NULL, cpr_hash = NULL, headline = '',
                bio = '', photo = '', photo_thumbnail = '', cv = '',
                published_at = NULL, anonymised_at = now()
            FROM profiles_user AS u
            WHERE p.user_id = u.id AND u.closed_at < now() - interval '365 days'
                AND p.anonymised_at IS NULL
            """
        )
    return time.perf_counter() - start


def _per_object(n: int) -> float:
    """What row-by-row libraries do: load, anonymise, save() each object."""
    from privacy.registry import personal_data
    from profiles.models import FreelancerProfile

    declaration = personal_data.get(FreelancerProfile)
    sample = min(n, PER_OBJECT_SAMPLE)
    start = time.perf_counter()
    for profile in (
        declaration.expired().order_by("pk")[:sample].iterator(chunk_size=1000)
    ):
        declaration.anonymise_instance(profile)
        profile.save()
    return (time.perf_counter() - start) * n / sample


def _single(n: int, url: str, rounds: int) -> dict:
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    expired_profiles_populate(n)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Service and SQL alternate, each on freshly restored rows, and each keeps
    # its fastest round: a burst of load on the shared machine then hits one
    # round, not one side of the comparison.
    services, sqls = [], []
    for i in range(rounds):
        if i:
            expired_profiles_restore()
        services.append(_service())
        expired_profiles_restore()
        sqls.append(_sql())
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    expired_profiles_restore()
    per_object = _per_object(n)
    return {
        "n": n,
        "service": min(services),
        "sql": min(sqls),
        "services": services,
        "sqls": sqls,
        "per_object": per_object,
        "peak_rss_mb": rss_after / 1024,
        "rss_growth_mb": (rss_after - rss_before) / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", default="100000", help="comma-separated row counts")
    parser.add_argument(
        "--quick", action="store_true", help="30k rows (and the 10k baseline)"
    )
    parser.add_argument(
        "--rounds", type=int, help="service/SQL rounds per N (default 3, quick 2)"
    )
    parser.add_argument("--single", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    rounds = args.rounds or (2 if args.quick else 3)
    if args.single:
        print(json.dumps(_single(args.single, url, rounds)))
        return 0
    requested = [30_000] if args.quick else [int(x) for x in args.n.split(",")]
    # 10k is always measured too: it is the baseline the RSS of larger N is
    # compared with (flat memory), whether or not it was asked for.
    sizes = sorted({10_000, *requested})
    recreate_database(url)
    results = []
    for n in sizes:
        out = (
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--single",
                    str(n),
                    "--rounds",
                    str(rounds),
                ],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        r = json.loads(out)
        results.append(r)
        print(
            f"bench purge N={n} service={r['service']:.2f}s sql={r['sql']:.2f}s "
            f"per_object={r['per_object']:.1f}s "
            f"ratio_sql={r['service'] / r['sql']:.2f} "
            f"ratio_per_object={r['per_object'] / r['service']:.1f} "
            f"peak_rss_mb={r['peak_rss_mb']:.0f} "
            f"rss_growth_mb={r['rss_growth_mb']:.1f} "
            f"rounds_service={'/'.join(f'{x:.2f}' for x in r['services'])} "
            f"rounds_sql={'/'.join(f'{x:.2f}' for x in r['sqls'])} "
            f"load={load_average()}",
            flush=True,
        )
    judged = [r for r in results if r["n"] in requested]
    worst_sql = max(r["service"] / r["sql"] for r in judged)
    worst_obj = min(r["per_object"] / r["service"] for r in judged)
    rss_flat = results[-1]["peak_rss_mb"] <= 1.5 * results[0]["peak_rss_mb"]
    ok = worst_sql <= 1.5 and worst_obj >= 50 and rss_flat
    print(
        f"bench purge summary worst_ratio_sql={worst_sql:.2f} (target <=1.5) "
        f"worst_ratio_per_object={worst_obj:.1f} (target >=50) "
        f"rss_flat={rss_flat} -> {'ok' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
