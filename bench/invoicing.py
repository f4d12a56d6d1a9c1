"""Benchmark: the monthly invoice run for 1k and 10k engagements.

For each N, a fresh child process (so one N's memory cannot hide another's)
fills the database with N active hourly engagements, each with an accepted
contract and approved hours in every week of last month (``bulk_create`` for
the people, companies, engagements and contracts; one ``INSERT ... SELECT``
for the hours), then runs ``engagements.tasks.invoices_monthly_run`` in
process, the function beat's task runs, ``--rounds`` times on restored rows
(the invoices deleted, the hours un-invoiced, the number sequence reset),
keeping the fastest. The run queues each invoice's document task after its
commit, as in production: to Redis, on a queue no worker reads (the PDFs are
not built in the timed run; ``pdf_ms`` below measures one separately).

Measured per N:
- ``per_invoice_ms``: the fastest run / invoices issued (all runs beside it);
- ``queries``: SQL statements per invoice (a counting ``execute_wrapper``);
- ``peak_mb``: ``tracemalloc``'s peak during one more run (traced apart from
  the timed runs, which it would slow down), and ``kept_mb``, what was still
  allocated after it;
- ``pdf_ms``: the median time to draw one invoice PDF (``invoice_pdf``) for 20
  of the invoices, for context;
- ``worker_per_invoice_ms`` (with ``--worker``): the same run sent to one
  real prefork Celery worker, from send to result.
Every run must issue N invoices, numbered 1..N, and queue N document tasks.

Targets (exit status 1 when missed): time per invoice at the largest N within
1.25x of the smallest (flat; ideally 1.0), the tracemalloc peak within 1.25x
(flat), the same query count per invoice at every N, every check passed.

Usage: python bench/invoicing.py [--n 1000,10000] [--quick] [--rounds 2]
    [--worker]
  (--quick: 300 and 3,000 engagements, one timed round)
Needs PostgreSQL (BENCH_PG_SERVER, default postgres://postgres@127.0.0.1:5432;
/worksome_bench_invoicing is dropped and re-created) and Redis
(BENCH_REDIS_URL, default redis://127.0.0.1:6379/0).
"""

import argparse
import datetime as dt
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
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

DEFAULT_URL = database_url("worksome_bench_invoicing")
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
TIME_FLAT = 1.25
PEAK_FLAT = 1.25
PDF_SAMPLE = 20
PER_COMPANY = 10  # engagements per client company
NO_PASSWORD = "!"  # noqa: S105 - Django's mark of an account without a password


def _env_extra(work_dir: str, redis_url: str, document_queue: str) -> dict[str, str]:
    return {
        # bench._support.settings routes the document tasks to document_queue.
        "DJANGO_SETTINGS_MODULE": "bench._support.settings",
        "BENCH_DOCUMENT_QUEUE": document_queue,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "MEDIA_ROOT": str(Path(work_dir) / "media"),
        "PRIVATE_MEDIA_ROOT": str(Path(work_dir) / "private"),
        "EMAIL_URL": "dummymail://",
    }


def _weeks(period_start: dt.date, period_end: dt.date) -> list[dt.date]:
    monday = period_start + dt.timedelta(days=(7 - period_start.weekday()) % 7)
    weeks = []
    while monday <= period_end:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    return weeks


def _populate(n: int, today: dt.date) -> dict:
    """N active hourly engagements with last month's hours approved."""
    from django.db import connection, transaction
    from django.utils import timezone

    from engagements.documents import fingerprint
    from engagements.models import (
        ContractVersion,
        Engagement,
        bookkeeping_retain_until,
    )
    from engagements.services import previous_month
    from profiles.models import Company, CompanyMembership, FreelancerProfile, User

    period_start, period_end = previous_month(today)
    contract_start = period_start - dt.timedelta(days=31)
    contract_end = today + dt.timedelta(days=90)
    now = timezone.now()
    companies_n = max(1, n // PER_COMPANY)
    batch = 2000
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE profiles_user, profiles_company, engagements_invoicesequence,"
            " privacy_auditevent CASCADE"
        )
    with transaction.atomic():
        freelancer_users = User.objects.bulk_create(
            [
                User(
                    email=f"freelancer{i}@bench.example",
                    password=NO_PASSWORD,
                    language="da",
                )
                for i in range(n)
            ],
            batch_size=batch,
        )
        profiles = FreelancerProfile.objects.bulk_create(
            [
                FreelancerProfile(
                    user=user,
                    slug=f"bench-{i}",
                    full_name=f"Søren Ærø {i}",
                    company_name=f"Ærø IT {i}",
                    cvr="24256790",
                    street=f"Nørregade {i % 200 + 1}",
                    postal_code="1165",
                    city="København",
                )
                for i, user in enumerate(freelancer_users)
            ],
            batch_size=batch,
        )
        members = User.objects.bulk_create(
            [
                User(
                    email=f"buyer{i}@bench.example", password=NO_PASSWORD, language="da"
                )
                for i in range(companies_n)
            ],
            batch_size=batch,
        )
        companies = Company.objects.bulk_create(
            [
                Company(
                    name=f"Blåbær {i} ApS",
                    slug=f"company-{i}",
                    cvr=f"{30000000 + i}",
                    street="Åboulevarden 7",
                    postal_code="8000",
                    city="Aarhus",
                    contact_email=f"billing{i}@bench.example",
                    verified_at=now,
                )
                for i in range(companies_n)
            ],
            batch_size=batch,
        )
        CompanyMembership.objects.bulk_create(
            [
                CompanyMembership(company=company, user=member, role="owner")
                for company, member in zip(companies, members, strict=True)
            ],
            batch_size=batch,
        )
        engagements = Engagement.objects.bulk_create(
            [
                Engagement(
                    company=companies[i % companies_n],
                    freelancer=profile,
                    created_by=members[i % companies_n],
                    title=f"Færgebooking {i}",
                    billing_email=f"billing{i % companies_n}@bench.example",
                    status=Engagement.Status.ACTIVE,
                    created_at=now,
                    activated_at=now,
                )
                for i, profile in enumerate(profiles)
            ],
            batch_size=batch,
        )
        text = "Contract for freelance services, version 1\n\nBench contract."
        contract_retain = bookkeeping_retain_until(contract_end)
        ContractVersion.objects.bulk_create(
            [
                ContractVersion(
                    engagement=engagement,
                    number=1,
                    scope="Byg bookingflowet.",
                    start_date=contract_start,
                    end_date=contract_end,
                    rate_kind="hourly",
                    rate="850.00",
                    payment_terms_days=14,
                    text=text,
                    text_sha256=fingerprint(text),
                    status=ContractVersion.Status.ACCEPTED,
                    proposed_by=engagement.created_by,
                    proposed_at=now,
                    accepted_at=now,
                    retain_until=contract_retain,
                )
                for engagement in engagements
            ],
            batch_size=batch,
        )
        weeks = _weeks(period_start, period_end)
        with connection.cursor() as cur:
            cur.execute(
                """
                INSERT INTO engagements_hoursreport (engagement_id, week, hours,
                    note, status, submitted_by_id, submitted_at, decided_by_id,
                    decided_at, dispute_reason, invoice_id, restricted_at,
                    retain_until, anonymised_at)
                SELECT e.id, w, 37.5, 'Bookingflow', 'approved', NULL, now(), NULL,
                    now(), '', NULL, NULL, NULL, NULL
                FROM engagements_engagement e CROSS JOIN unnest(%s::date[]) AS w
                """,
                [weeks],
            )
    _vacuum()
    return {"weeks": len(weeks), "contract_retain": contract_retain.isoformat()}


def _vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        for table in (
            "engagements_engagement",
            "engagements_contractversion",
            "engagements_hoursreport",
            "engagements_invoice",
            "engagements_invoiceline",
            "engagements_invoicesequence",
            "privacy_auditevent",
        ):
            cur.execute(f"VACUUM ANALYZE {table}")


def _restore(contract_retain: str) -> None:
    """Undo a run: the next one starts from the same rows."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "UPDATE engagements_hoursreport SET invoice_id = NULL, retain_until = NULL"
            " WHERE invoice_id IS NOT NULL"
        )
        cur.execute("DELETE FROM engagements_invoiceline")
        cur.execute("DELETE FROM engagements_invoice")
        cur.execute("DELETE FROM engagements_invoicesequence")
        cur.execute(
            "DELETE FROM privacy_auditevent WHERE action = 'engagements.invoice_issued'"
        )
        cur.execute("UPDATE engagements_engagement SET retain_until = NULL")
        cur.execute(
            "UPDATE engagements_contractversion SET retain_until = %s",
            [contract_retain],
        )
    _vacuum()


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _queued(redis_url: str, queue: str, *, clear: bool = True) -> int:
    import redis

    client = redis.Redis.from_url(redis_url)
    count = client.llen(queue)
    if clear:
        client.delete(queue)
    return count


def _check(n: int, issued: int, queued: int) -> list[str]:
    from engagements.models import HoursReport, Invoice

    errors = []
    if issued != n:
        errors.append(f"issued {issued} of {n}")
    numbers = list(Invoice.objects.order_by("number").values_list("number", flat=True))
    if numbers != list(range(1, n + 1)):
        errors.append("invoice numbers are not 1..N")
    if HoursReport.objects.filter(invoice__isnull=True).exists():
        errors.append("approved hours left uninvoiced")
    if queued != n:
        errors.append(f"{queued} document tasks queued for {n} invoices")
    return errors


def _worker_run(n: int, today: dt.date, env: dict[str, str]) -> tuple[float, int]:
    """The run on one real prefork worker: seconds from send to result."""
    from engagements.tasks import invoices_monthly_run
    from worksome.celery import app

    queue = f"bench-invoicing-{uuid.uuid4().hex[:12]}"
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
        result = invoices_monthly_run.apply_async(
            kwargs={"today": today.isoformat()}, queue=queue
        )
        issued = result.get(timeout=3600)
        return time.perf_counter() - start, issued
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()


def _single(n: int, *, rounds: int, worker: bool) -> dict:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    work_dir = os.environ["BENCH_INVOICING_DIR"]
    document_queue = f"bench-invoicing-documents-{uuid.uuid4().hex[:12]}"
    extra = _env_extra(work_dir, redis_url, document_queue)
    setup_django(url, **extra)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from engagements.documents import invoice_language
    from engagements.models import Invoice
    from engagements.pdf import invoice_pdf
    from engagements.tasks import invoices_monthly_run

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    started = time.perf_counter()
    populated = _populate(n, today)
    populate_seconds = time.perf_counter() - started
    errors: list[str] = []
    runs, queries = [], []
    for i in range(rounds):
        if i:
            _restore(populated["contract_retain"])
        counter = _QueryCounter()
        gc.collect()
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            issued = invoices_monthly_run(today=today.isoformat())
            runs.append(time.perf_counter() - start)
        queries.append(counter.count / max(issued, 1))
        errors += _check(n, issued, _queued(redis_url, document_queue))

    # Memory: one more run, traced (tracemalloc slows it, so it is not timed).
    _restore(populated["contract_retain"])
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    issued = invoices_monthly_run(today=today.isoformat())
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    errors += _check(n, issued, _queued(redis_url, document_queue))

    # One invoice's PDF, drawn as the document task draws it (not stored).
    pdf_times = []
    sample = Invoice.objects.select_related("engagement__created_by").order_by("pk")
    for invoice in sample[:PDF_SAMPLE]:
        start = time.perf_counter()
        invoice_pdf(invoice, language=invoice_language(invoice.engagement))
        pdf_times.append(time.perf_counter() - start)

    worker_seconds = None
    if worker:
        _restore(populated["contract_retain"])
        env = django_env(url, **extra)
        worker_seconds, issued = _worker_run(n, today, env)
        errors += _check(n, issued, _queued(redis_url, document_queue))
    return {
        "n": n,
        "weeks": populated["weeks"],
        "populate_seconds": populate_seconds,
        "runs": runs,
        "seconds": min(runs),
        "queries": queries,
        "peak_mb": peak / 2**20,
        "kept_mb": kept / 2**20,
        "pdf_ms": statistics.median(pdf_times) * 1000,
        "worker_seconds": worker_seconds,
        "errors": sorted(set(errors)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", default="1000,10000", help="engagement counts")
    parser.add_argument(
        "--quick", action="store_true", help="300 and 3,000 engagements, one round"
    )
    parser.add_argument("--rounds", type=int, help="timed runs per N (default 2)")
    parser.add_argument(
        "--worker", action="store_true", help="also run it on a real Celery worker"
    )
    parser.add_argument("--single", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    rounds = args.rounds or (1 if args.quick else 2)
    if args.single:
        print(json.dumps(_single(args.single, rounds=rounds, worker=args.worker)))
        return 0
    sizes = [300, 3_000] if args.quick else sorted(int(x) for x in args.n.split(","))
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    work_dir = tempfile.mkdtemp(prefix="bench-invoicing-")
    results = []
    try:
        recreate_database(url)
        for n in sizes:
            command = [sys.executable, __file__, "--single", str(n)]
            command += ["--rounds", str(rounds)] + (["--worker"] if args.worker else [])
            proc = subprocess.run(
                command,
                capture_output=True,
                text=True,
                cwd=ROOT,
                env={**os.environ, "BENCH_INVOICING_DIR": work_dir},
            )
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                raise SystemExit(f"the child for N={n} failed")
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            r["per_invoice_ms"] = r["seconds"] / n * 1000
            results.append(r)
            worker = (
                f"worker_per_invoice_ms={r['worker_seconds'] / n * 1000:.2f} "
                if r["worker_seconds"] is not None
                else ""
            )
            print(
                f"bench invoicing N={n} seconds={r['seconds']:.2f} "
                f"runs={'/'.join(f'{t:.2f}' for t in r['runs'])} "
                f"per_invoice_ms={r['per_invoice_ms']:.2f} "
                f"lines_per_invoice={r['weeks']} "
                f"queries={'/'.join(f'{q:.1f}' for q in r['queries'])} "
                f"peak_mb={r['peak_mb']:.2f} kept_mb={r['kept_mb']:.2f} "
                f"pdf_ms={r['pdf_ms']:.1f} {worker}"
                f"populate_s={r['populate_seconds']:.1f} "
                f"check={'ok' if not r['errors'] else '; '.join(r['errors'])} "
                f"load={load_average()}",
                flush=True,
            )
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    base, top = results[0], results[-1]
    time_ratio = top["per_invoice_ms"] / base["per_invoice_ms"]
    peak_ratio = top["peak_mb"] / base["peak_mb"]
    queries_flat = len({round(q, 1) for r in results for q in r["queries"]}) == 1
    checks_ok = not any(r["errors"] for r in results)
    print("\n| N | ms per invoice | queries per invoice | tracemalloc peak |")
    print("|---|---|---|---|")
    for r in results:
        print(
            f"| {r['n']:,} | {r['per_invoice_ms']:.2f} | {r['queries'][0]:.1f} "
            f"| {r['peak_mb']:.2f} MB |"
        )
    print(
        f"| {top['n']:,} / {base['n']:,} | **{time_ratio:.2f}** | "
        f"{top['queries'][0] / base['queries'][0]:.2f} | **{peak_ratio:.2f}** |\n"
    )
    if top["worker_seconds"] is not None:
        worker_ratio = (top["worker_seconds"] / top["n"]) / (
            base["worker_seconds"] / base["n"]
        )
        print(f"bench invoicing worker ratio_per_invoice={worker_ratio:.2f}")
    ok = (
        time_ratio <= TIME_FLAT
        and peak_ratio <= PEAK_FLAT
        and queries_flat
        and checks_ok
    )
    print(
        f"bench invoicing summary ratio_per_invoice_{top['n']}_{base['n']}="
        f"{time_ratio:.2f} (target <={TIME_FLAT}) peak_ratio={peak_ratio:.2f} "
        f"(target <={PEAK_FLAT}) queries_flat={queries_flat} checks={checks_ok} "
        f"load_avg={load_average()} -> {'ok' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
