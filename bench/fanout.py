"""Benchmark: the alert fan-out of one opportunity to 10k and 100k matching
freelancers, through one real prefork Celery worker.

For each N, a fresh child process (so one N's memory cannot hide another's)
fills the database with N freelancers who match (a verified address, a
published profile with the opportunity's competence, an immediate alert, the
Purpose.OPPORTUNITY_EMAIL grant): one template of each row is made through
the ORM and services, then copied N times by ``INSERT ... SELECT`` (set-based,
no Python loop over the population). It then starts one prefork worker
(``--concurrency=1``) on a queue of its own and sends
``opportunities.tasks.opportunity_fanout`` with ``apply_async``, as posting
does after commit; the time is from send to result.

The worker's e-mail backend discards: ``EMAIL_URL=dummymail://`` (Django's
``django.core.mail.backends.dummy.EmailBackend``), so SMTP is not measured;
every mail is still built in full by ``consent.mail.mail_send_now`` (the
may-send checks, templates in the recipient's language, footer, unsubscribe
link and headers) and its delivery row is marked sent.

Measured per N:
- ``msgs_per_s``: mails sent / seconds from send to result (matching included);
- ``per_msg_ms``: the inverse, and the ratio of 100k to 10k (target <= 1.5);
- ``peak_rss_mb``: the worker's pool process's peak resident memory (VmHWM,
  what ``ru_maxrss`` reports), read after the run (target: flat, the 100k
  peak within 1.25x of the 10k peak and at most 20 MB above it).
Every run must send N mails and leave N delivery rows marked sent.

Usage: python bench/fanout.py [--n 10000,100000] [--quick]
  (--quick: 500 and 5,000)
Needs PostgreSQL (BENCH_PG_SERVER, default postgres://postgres@127.0.0.1:5432;
/worksome_bench_fanout is dropped and re-created, or BENCH_DATABASE_URL) and
Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/0).
"""

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._support import (  # noqa: E402 - the path above makes bench importable
    ROOT,
    database_url,
    django_env,
    load_average,
    recreate_database,
    setup_django,
)

DEFAULT_URL = database_url("worksome_bench_fanout")
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
TIME_FLAT = 1.5
PEAK_FLAT = 1.25
PEAK_SLACK_MB = 20


def _env_extra(redis_url: str) -> dict[str, str]:
    return {
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "EMAIL_URL": "dummymail://",
        "SITE_URL": "https://worksome.example",
    }


def _clone(cur, table: str, template_id: int, source: str, replace: dict) -> None:
    """Copy row ``template_id`` of ``table`` once per row of ``source``,
    with ``replace`` (column -> SQL over ``s``) for the columns that differ."""
    from django.db import connection

    columns = [
        c.name
        for c in connection.introspection.get_table_description(cur, table)
        if c.name != "id"
    ]
    quote = connection.ops.quote_name
    select = [replace.get(c, f"t.{quote(c)}") for c in columns]
    cur.execute(
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 - fixed names
        f"SELECT {', '.join(select)} FROM {table} t CROSS JOIN ({source}) s "
        "WHERE t.id = %s",
        [template_id],
    )


def _populate(n: int) -> dict:
    """N matching freelancers, and the opportunity (not yet fanned out)."""
    from allauth.account.models import EmailAddress
    from django.db import connection, transaction
    from django.utils import timezone

    from consent.models import ConsentRecord, Purpose
    from consent.services import consent_record
    from opportunities.models import Opportunity, OpportunityAlert
    from profiles.models import (
        Company,
        CompanyMembership,
        FreelancerProfile,
        Skill,
        User,
    )

    with transaction.atomic():
        skill = Skill.objects.create(name="Django", slug="django")
        template = User.objects.create_user(
            email="template@bench.example", password=None, language="da"
        )
        EmailAddress.objects.create(
            user=template, email=template.email, verified=True, primary=True
        )
        profile = FreelancerProfile.objects.create(
            user=template,
            slug="bench-template",
            full_name="Søren Ærø",
            city="Aarhus",
            published_at=timezone.now(),
        )
        profile.skills.add(skill)
        alert = OpportunityAlert.objects.create(user=template, frequency="immediate")
        consent_record(
            purpose=Purpose.OPPORTUNITY_EMAIL,
            granted=True,
            source="settings",
            user=template,
        )
        grant = ConsentRecord.objects.get(user=template)
        address = EmailAddress.objects.get(user=template)
    users = (
        "SELECT id AS uid, email FROM profiles_user"
        " WHERE email LIKE 'f%%@bench.example'"
    )
    with transaction.atomic(), connection.cursor() as cur:
        _clone(
            cur,
            "profiles_user",
            template.pk,
            f"SELECT generate_series(1, {int(n)}) AS g",
            {"email": "'f' || s.g || '@bench.example'"},
        )
        _clone(
            cur,
            "account_emailaddress",
            address.pk,
            users,
            {"user_id": "s.uid", "email": "s.email"},
        )
        _clone(
            cur,
            "profiles_freelancerprofile",
            profile.pk,
            users,
            {"user_id": "s.uid", "slug": "'bench-' || s.uid"},
        )
        cur.execute(
            "INSERT INTO profiles_freelancerprofile_skills (freelancerprofile_id,"
            " skill_id) SELECT id, %s FROM profiles_freelancerprofile"
            " WHERE slug LIKE 'bench-%%' AND slug <> 'bench-template'",
            [skill.pk],
        )
        _clone(
            cur, "opportunities_opportunityalert", alert.pk, users, {"user_id": "s.uid"}
        )
        _clone(
            cur,
            "consent_consentrecord",
            grant.pk,
            users,
            {"user_id": "s.uid", "actor_id": "NULL"},
        )
        # The template itself does not take part.
        cur.execute(
            "DELETE FROM opportunities_opportunityalert WHERE id = %s", [alert.pk]
        )
    with transaction.atomic():
        member = User.objects.create_user(email="buyer@bench.example", password=None)
        company = Company.objects.create(
            name="Blåbær ApS",
            slug="blabaer",
            cvr="24256790",
            verified_at=timezone.now(),
        )
        CompanyMembership.objects.create(company=company, user=member, role="owner")
        opportunity = Opportunity.objects.create(
            company=company,
            created_by=member,
            title="Django-udvikler til bookingflow",
            description="Byg bookingflowet med os.",
            work_mode="remote",
            deadline=timezone.localdate() + dt.timedelta(days=14),
        )
        opportunity.skills.add(skill)
    with connection.cursor() as cur:
        for table in (
            "profiles_user",
            "account_emailaddress",
            "profiles_freelancerprofile",
            "profiles_freelancerprofile_skills",
            "opportunities_opportunityalert",
            "consent_consentrecord",
        ):
            cur.execute(f"VACUUM ANALYZE {table}")
    return {"opportunity": opportunity.pk}


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split()
        found += [int(c) for c in children]
    return found


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _worker_run(opportunity_id: int, env: dict[str, str]) -> tuple[float, dict, float]:
    """The fan-out on one real prefork worker: seconds, result, peak RSS."""
    from opportunities.tasks import opportunity_fanout
    from worksome.celery import app

    queue = f"bench-fanout-{uuid.uuid4().hex[:12]}"
    name = f"{queue}@bench"
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "worksome",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--queues",
            queue,
            "--hostname",
            name,
            "--without-gossip",
            "--without-mingle",
            "--prefetch-multiplier=1",
            "--loglevel=warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while not app.control.ping(destination=[name], timeout=1.0):
            if worker.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"the worker did not start:\n{log.read()}")
        start = time.perf_counter()
        result = opportunity_fanout.apply_async(args=[opportunity_id], queue=queue)
        outcome = result.get(timeout=3600)
        seconds = time.perf_counter() - start
        peak = max(_peak_rss_mb(child) for child in _children(worker.pid))
        return seconds, outcome, peak
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()


def _single(n: int) -> dict:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    extra = _env_extra(redis_url)
    setup_django(url, **extra)
    from django.core.management import call_command

    from opportunities.models import OpportunityDelivery

    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    populated = _populate(n)
    populate_seconds = time.perf_counter() - started
    seconds, outcome, peak = _worker_run(
        populated["opportunity"], django_env(url, **extra)
    )
    errors = []
    if outcome != {"matched": n, "sent": n}:
        errors.append(f"result {outcome}")
    sent = OpportunityDelivery.objects.filter(sent_at__isnull=False).count()
    if sent != n:
        errors.append(f"{sent} delivery rows sent of {n}")
    return {
        "n": n,
        "seconds": seconds,
        "peak_rss_mb": peak,
        "populate_seconds": populate_seconds,
        "errors": errors,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", default="10000,100000", help="freelancer counts")
    parser.add_argument("--quick", action="store_true", help="500 and 5,000")
    parser.add_argument("--single", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:
        print(json.dumps(_single(args.single)))
        return 0
    sizes = [500, 5_000] if args.quick else sorted(int(x) for x in args.n.split(","))
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    recreate_database(url)
    setup = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=ROOT,
        env={**os.environ, **django_env(url, **_env_extra(DEFAULT_REDIS))},
        capture_output=True,
        text=True,
    )
    if setup.returncode != 0:
        print(setup.stderr, file=sys.stderr)
        raise SystemExit("migrate failed")
    results = []
    for n in sizes:
        proc = subprocess.run(
            [sys.executable, __file__, "--single", str(n)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=dict(os.environ),
        )
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            raise SystemExit(f"the child for N={n} failed")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        r["per_msg_ms"] = r["seconds"] / n * 1000
        r["msgs_per_s"] = n / r["seconds"]
        results.append(r)
        print(
            f"bench fanout N={n} seconds={r['seconds']:.1f} "
            f"msgs_per_s={r['msgs_per_s']:.0f} per_msg_ms={r['per_msg_ms']:.2f} "
            f"peak_rss_mb={r['peak_rss_mb']:.1f} "
            f"populate_s={r['populate_seconds']:.1f} "
            f"check={'ok' if not r['errors'] else '; '.join(r['errors'])} "
            f"load={load_average()}",
            flush=True,
        )
    base, top = results[0], results[-1]
    time_ratio = top["per_msg_ms"] / base["per_msg_ms"]
    peak_ratio = top["peak_rss_mb"] / base["peak_rss_mb"]
    peak_flat = (
        peak_ratio <= PEAK_FLAT
        and top["peak_rss_mb"] - base["peak_rss_mb"] <= PEAK_SLACK_MB
    )
    checks_ok = not any(r["errors"] for r in results)
    print("\n| N | seconds | mails per second | ms per mail | worker peak RSS |")
    print("|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['n']:,} | {r['seconds']:.1f} | {r['msgs_per_s']:.0f} "
            f"| {r['per_msg_ms']:.2f} | {r['peak_rss_mb']:.1f} MB |"
        )
    print(
        f"| {top['n']:,} / {base['n']:,} | | | **{time_ratio:.2f}** "
        f"| **{peak_ratio:.2f}** |\n"
    )
    ok = time_ratio <= TIME_FLAT and peak_flat and checks_ok
    print(
        f"bench fanout summary ratio_per_msg_{top['n']}_{base['n']}="
        f"{time_ratio:.2f} (target <={TIME_FLAT}) peak_ratio={peak_ratio:.2f} "
        f"(target <={PEAK_FLAT}, +{PEAK_SLACK_MB} MB at most) checks={checks_ok} "
        f"load_avg={load_average()} -> {'ok' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
