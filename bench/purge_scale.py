"""Benchmark: the retention purge with 1, 2 and 4 Celery workers on the same rows.

For each worker count W, on PostgreSQL and Redis: W real ``celery -A worksome
worker --pool=solo`` processes consume a private queue; once all answer a
ping, W ``privacy.tasks.retention_purge(rule_key="profiles.freelancer.closed")``
tasks are sent at once and timed until every result is back. The purge claims
batches with ``SELECT ... FOR UPDATE SKIP LOCKED``, so the workers split the
rows between them. Before each purge the same N expired profiles are restored
(anonymisation undone, VACUUM ANALYZE), so every run purges identical rows.
Each W purges ``--repeat`` times (default 3) and keeps the fastest, the run
least disturbed by other load on a shared machine (all are printed: runs_s).

Prints one line per W and a summary:

  bench purge_scale workers=W N=... seconds=... speedup=... rows_per_s=...
      per_task=a+b+... cpu_busy=...% of C cores worker_cpu_s=...

``per_task`` is how many rows each task anonymised (an even split means the
workers really ran side by side); ``cpu_busy`` is the share of all cores busy
during the run (anything on the machine, other test runs included), and
``before`` the same over one second just before, with the workers idle;
``worker_cpu_s`` is the CPU time of the Celery processes, PostgreSQL's share of
the work being the rest.

Targets (exit status 1 when missed): 2 workers >= 1.6x one, 4 workers >= 2.5x
one. On a machine whose cores are shared by the workers, PostgreSQL and Redis,
these can only be met with cores to spare: the script says so when it misses.

Usage: python bench/purge_scale.py [--n 200000] [--quick] [--workers 1,2,4]
    [--repeat 3]
  (--quick: 50k rows)
Needs PostgreSQL (BENCH_PG_SERVER, default postgres://postgres@127.0.0.1:5432;
/worksome_bench_scale is dropped and re-created) and Redis (BENCH_REDIS_URL,
default redis://127.0.0.1:6379/0).
"""

import argparse
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
    expired_profiles_populate,
    expired_profiles_restore,
    load_average,
    recreate_database,
    setup_django,
)

DB_NAME = "worksome_bench_scale"
RULE = "profiles.freelancer.closed"
TARGETS = {2: 1.6, 4: 2.5}
TASK_TIMEOUT = 600


def _populate(n: int) -> None:
    expired_profiles_populate(n, label="scale")


def _restore() -> None:
    expired_profiles_restore(label="scale")


def _remaining() -> int:
    from profiles.models import FreelancerProfile

    return FreelancerProfile.objects.filter(anonymised_at__isnull=True).count()


class Workers:
    """W celery worker processes on one private queue, stopped on exit."""

    def __init__(self, count: int, env: dict[str, str]):
        self.queue = f"bench-scale-{uuid.uuid4().hex[:12]}"
        self.names = [f"{self.queue}-{i}@bench" for i in range(count)]
        self.processes = []
        for name in self.names:
            log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in stop()
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "worksome",
                    "worker",
                    "--pool=solo",
                    "--queues",
                    self.queue,
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
            self.processes.append((process, log))

    def wait_ready(self, app, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        waiting = set(self.names)
        while waiting and time.monotonic() < deadline:
            for reply in app.control.ping(destination=list(waiting), timeout=1.0):
                waiting -= set(reply)
            for process, log in self.processes:
                if process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"a worker exited at start:\n{log.read()}")
        if waiting:
            raise RuntimeError(f"workers did not answer a ping: {sorted(waiting)}")

    def stop(self) -> None:
        for process, _log in self.processes:
            process.terminate()
        for process, log in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def _cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [float(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _process_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (float(fields[11]) + float(fields[12])) / os.sysconf("SC_CLK_TCK")


def _purge_once(workers: Workers, pids: list[int]) -> dict:
    """Restore the rows, send one purge task per worker, time until all finish."""
    from celery import group

    from privacy.tasks import retention_purge

    _restore()
    # How busy the machine is with the workers idle (other load).
    busy, total = _cpu_times()
    time.sleep(1.0)
    busy_after, total_after = _cpu_times()
    idle_busy = (busy_after - busy) / max(total_after - total, 1)
    worker_cpu = sum(_process_cpu_seconds(pid) for pid in pids)
    busy, total = _cpu_times()
    start = time.perf_counter()
    results = (
        group(
            retention_purge.s(rule_key=RULE).set(queue=workers.queue)
            for _ in workers.names
        )
        .apply_async()
        .get(timeout=TASK_TIMEOUT)
    )
    elapsed = time.perf_counter() - start
    busy_after, total_after = _cpu_times()
    worker_cpu = sum(_process_cpu_seconds(pid) for pid in pids) - worker_cpu
    errors = sum(r["rules"][RULE]["errors"] for r in results)
    assert errors == 0, results
    return {
        "seconds": elapsed,
        "per_task": [r["rules"][RULE]["anonymised"] for r in results],
        # Share of all cores busy during the run (anything on the machine).
        "cpu_busy": (busy_after - busy) / max(total_after - total, 1),
        "cpu_busy_before": idle_busy,
        # CPU seconds the Python workers used; PostgreSQL's share is the rest.
        "worker_cpu_s": worker_cpu,
    }


def _run(count: int, env: dict[str, str], n: int, repeat: int) -> dict:
    """The fastest of ``repeat`` purges by ``count`` workers (started once)."""
    from worksome.celery import app

    workers = Workers(count, env)
    try:
        workers.wait_ready(app)
        pids = [process.pid for process, _log in workers.processes]
        runs = []
        for _ in range(repeat):
            run = _purge_once(workers, pids)
            assert _remaining() == 0, "rows left after the purge"
            assert sum(run["per_task"]) == n, run["per_task"]
            runs.append(run)
    finally:
        workers.stop()
    best = min(runs, key=lambda run: run["seconds"])
    best["all_seconds"] = [run["seconds"] for run in runs]
    return best


def _explain(runs: dict[int, dict], cores: int, n: int) -> str:
    """Why the speed-up falls short, from what this run measured."""
    one = runs[1]
    waiting = 1 - one["worker_cpu_s"] / one["seconds"]
    parts = [
        f"one worker spent {100 * waiting:.0f}% of its run waiting for PostgreSQL "
        "(the purge is one set-based UPDATE per batch: the work is the "
        "database's, not Python's);",
        f"PostgreSQL, Redis and the workers share {cores} cores, so CPU-bound "
        f"work cannot go faster than {cores}x whatever the worker count",
    ]
    if any(count > cores for count in runs):
        parts[-1] += f" (a {max(runs)}-worker target above {cores}x cannot be met)"
    parts[-1] += ";"
    before = max(r["cpu_busy_before"] for r in runs.values())
    if before > 0.25:
        parts.append(
            f"the machine was up to {100 * before:.0f}% busy before a run started "
            "(other processes), which leaves little idle CPU for extra workers;"
        )
    uneven = [
        count
        for count, r in runs.items()
        if max(r["per_task"]) > 1.5 * n / count or min(r["per_task"]) < n / count / 2
    ]
    if uneven:
        parts.append(
            f"with {', '.join(map(str, uneven))} worker(s) the rows were split "
            "unevenly (per_task): at this N a batch is a large share of the "
            "rows and a task that starts later finds less left;"
        )
    else:
        parts.append(
            "SKIP LOCKED split the rows evenly (per_task), so locking is not "
            "what limits it;"
        )
    parts.append(
        "more cores for PostgreSQL (or PostgreSQL on its own machine) is what "
        "would raise it, not more workers."
    )
    return " ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200_000, help="expired profiles")
    parser.add_argument("--quick", action="store_true", help="50k rows")
    parser.add_argument("--workers", default="1,2,4", help="worker counts")
    parser.add_argument(
        "--repeat", type=int, default=3, help="purges per worker count (fastest kept)"
    )
    args = parser.parse_args()
    n = 50_000 if args.quick else args.n
    counts = sorted({1, *(int(x) for x in args.workers.split(","))})
    url = database_url(DB_NAME)
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    env = {**os.environ, **django_env(url, CELERY_BROKER_URL=redis_url)}
    recreate_database(url)
    setup_django(url, CELERY_BROKER_URL=redis_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _populate(n)

    times, runs = {}, {}
    cores = os.cpu_count() or 1
    for count in counts:
        r = _run(count, env, n, args.repeat)
        times[count], runs[count] = r["seconds"], r
        print(
            f"bench purge_scale workers={count} N={n} seconds={r['seconds']:.2f} "
            f"speedup={times[1] / r['seconds']:.2f} "
            f"rows_per_s={n / r['seconds']:.0f} "
            f"per_task={'+'.join(str(x) for x in r['per_task'])} "
            f"cpu_busy={100 * r['cpu_busy']:.0f}% of {cores} cores "
            f"(before={100 * r['cpu_busy_before']:.0f}%) "
            f"worker_cpu_s={r['worker_cpu_s']:.1f} "
            f"runs_s={'/'.join(f'{x:.2f}' for x in r['all_seconds'])}",
            flush=True,
        )
    ok = True
    verdicts = []
    for count, target in TARGETS.items():
        if count not in times:
            continue
        speedup = times[1] / times[count]
        hit = speedup >= target
        ok = ok and hit
        verdicts.append(f"speedup_{count}={speedup:.2f} (target >={target})")
    print(
        f"bench purge_scale summary {' '.join(verdicts)} cores={cores} "
        f"load_avg={load_average()} -> {'ok' if ok else 'MISSED'}"
    )
    if not ok:
        print(f"bench purge_scale note: {_explain(runs, cores, n)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
