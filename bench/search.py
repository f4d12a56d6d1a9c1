"""Benchmark: the directory's full-text search at 10k, 100k and 1M profiles.

One PostgreSQL database (``worksome_bench_search``, dropped and re-created)
grows from 10k to 100k to 1M published freelancers. Profiles are generated
by set-based SQL (``INSERT ... SELECT`` over ``generate_series``, words
picked from arrays with a seeded ``random()``): Danish or English headlines,
about texts of 3-5 sentences, 3-5 competences from 60 drawn with a skew (a
few are common, most rare), 20 Danish cities, names from 40 first and 40
last names. Per chunk the competences are inserted first and the profiles
after them in the same transaction (the through-table's foreign keys are
deferred), so the profile's own ``BEFORE INSERT`` trigger computes each
search vector once, with its skills: the vectors are the triggers' work,
not a separate UPDATE.

For each N, in a fresh child process:
- ``in-process``: the first page of ``freelancer_list_public(q=...)`` (the
  typo lookup, the page's rows and their skills), ``--samples`` times per
  query after one warm-up: median and p99 (ms);
- ``plan``: ``EXPLAIN (ANALYZE, BUFFERS)`` of the page query: the rows the
  candidate scan returned, the shared buffers touched (hit + read), and
  whether any node is a Seq Scan on a ``profiles_*`` table;
- ``http`` (unless ``--no-http``): gunicorn (2 sync workers) serving the
  directory without a search and with one (rotating through the queries),
  interleaved rounds: requests/s of each.

Targets (exit status 1 when missed): every query's p99 at the largest N
within 2x of its p99 at the smallest; no plan with a Seq Scan on a profiles
table; at the largest N the search page >= 0.5x the bare directory's
requests/s.

Usage: python bench/search.py [--n 10000,100000,1000000] [--quick]
    [--samples 15] [--no-http] [--seconds 8] [--reuse N]
  (--quick: 10k and 100k, fewer samples; --reuse N: no populating, measure
  the database a previous run left with N profiles, e.g. after a code change)
Needs PostgreSQL (BENCH_PG_SERVER, default postgres://postgres@127.0.0.1:5432).
"""

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._support import (  # noqa: E402 - the path above makes bench importable
    ROOT,
    database_url,
    django_env,
    free_port,
    load_average,
    percentile,
    recreate_database,
    setup_django,
)

DB_NAME = os.environ.get("BENCH_SEARCH_DB", "worksome_bench_search")
P99_FLAT = 2.0
RATIO_TARGET = 0.5
CHUNK = 50_000

# (label, q, filters)
QUERIES = [
    ("skill", "python", {}),
    ("skill2", "kubernetes", {}),
    ("skill_rare", "elixir", {}),
    ("two_words_da", "python udvikler", {}),
    ("three_words_da", "python udvikler aarhus", {}),
    ("inflected_da", "udviklere", {}),
    ("inflected_en", "developers", {}),
    ("hyphen", "UX-designer", {}),
    ("two_skills", "devops kubernetes", {}),
    ("typo", "kubernets", {}),
    ("typo2", "javascrpt", {}),
    ("two_skills_en", "react typescript", {}),
    ("danish_word", "regnskab", {}),
    ("role_da", "projektleder scrum", {}),
    ("phrase_en", "frontend developer københavn", {}),
    ("filter_city", "python", {"city": "Aarhus"}),
    ("filter_skill", "udvikler", {"skill": "java"}),
    ("name", "Mette Jensen", {}),
    ("long_en", "senior cloud engineer aws terraform", {}),
    ("no_match", "zyxwvu qqqq", {}),
]

SKILLS = [
    "Python", "JavaScript", "Java", "C#", "TypeScript", "React", "SQL", "Excel",
    "Projektledelse", "Scrum", "Django", "Kubernetes", "DevOps", "AWS", "Azure",
    "Docker", "Terraform", "Go", "Rust", "PHP", "Laravel", "WordPress", "SEO",
    "Google Ads", "Copywriting", "Oversættelse", "SAP", "Salesforce", "Power BI",
    "Bogføring", "Regnskab", "Data science", "Machine learning", "iOS", "Android",
    "Swift", "Kotlin", "Flutter", "Linux", "Netværk", "IT-sikkerhed",
    "Grafisk design", "Illustrator", "Photoshop", "Video", "Fotografi",
    "Marketing", "Content", "Salg", "HR", "Jura", "Arkitektur", "UX design",
    "User research", "Figma", "Spring", "PostgreSQL", ".NET", "Elixir", "Vue",
]  # fmt: skip
CITIES = [
    "København", "Aarhus", "Odense", "Aalborg", "Esbjerg", "Randers", "Kolding",
    "Horsens", "Vejle", "Roskilde", "Herning", "Hørsholm", "Silkeborg",
    "Næstved", "Fredericia", "Viborg", "Køge", "Holstebro", "Taastrup",
    "Frederiksberg",
]  # fmt: skip
FIRST = [
    "Mette", "Anne", "Kirsten", "Hanne", "Camilla", "Louise", "Sofie", "Emma",
    "Ida", "Maria", "Julie", "Sara", "Line", "Laura", "Anna", "Karen", "Lene",
    "Marianne", "Pia", "Tina", "Peter", "Jens", "Lars", "Michael", "Henrik",
    "Thomas", "Søren", "Jan", "Christian", "Martin", "Niels", "Anders",
    "Morten", "Jesper", "Mads", "Rasmus", "Jonas", "Mikkel", "Frederik", "Ole",
]  # fmt: skip
LAST = [
    "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen",
    "Larsen", "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen",
    "Kristensen", "Olsen", "Thomsen", "Christiansen", "Poulsen", "Johansen",
    "Møller", "Mortensen", "Knudsen", "Jakobsen", "Jacobsen", "Mikkelsen",
    "Olesen", "Frederiksen", "Laursen", "Henriksen", "Lund", "Holm", "Schmidt",
    "Eriksen", "Kristiansen", "Nissen", "Clausen", "Simonsen", "Svendsen",
    "Andreasen", "Iversen", "Jeppesen",
]  # fmt: skip
ROLES_DA = [
    "udvikler", "konsulent", "specialist", "arkitekt", "projektleder",
    "designer", "rådgiver", "underviser", "tekstforfatter", "analytiker",
]  # fmt: skip
ROLES_EN = [
    "developer", "consultant", "specialist", "architect", "project manager",
    "designer", "advisor", "engineer", "copywriter", "analyst",
]  # fmt: skip
SENTENCES_DA = [
    "Jeg har arbejdet som selvstændig i mange år.",
    "Jeg hjælper små og mellemstore virksomheder med digitale løsninger.",
    "Mine kunder tæller banker, forsikringsselskaber og offentlige myndigheder.",
    "Jeg arbejder agilt og leverer i korte iterationer.",
    "Jeg udvikler webapplikationer og integrationer til eksisterende systemer.",
    "Jeg underviser også udviklere i test og kodekvalitet.",
    "Jeg tager gerne opgaver på stedet eller remote.",
    "Jeg har en baggrund som ingeniør fra DTU.",
    "Jeg brænder for brugervenlighed og tilgængelighed.",
    "Jeg har ledet projekter med op til tyve deltagere.",
    "Jeg automatiserer drift og udrulning i skyen.",
    "Jeg skriver tekster, der sælger, og oversætter mellem dansk og engelsk.",
]
SENTENCES_EN = [
    "I have been freelancing for more than ten years.",
    "I help startups and enterprises ship reliable software.",
    "My clients include banks, insurers and public agencies.",
    "I work in short iterations and value automated tests.",
    "I build web applications and integrations with legacy systems.",
    "I also coach developers on testing and code review.",
    "Happy to work on site in Copenhagen or remotely.",
    "I hold a master's degree in computer science.",
    "I care about accessibility and good user experience.",
    "I have led teams of up to twenty people.",
    "I automate deployments and operations in the cloud.",
    "I write copy that converts and translate between Danish and English.",
]


def _sql_array(values: list[str]) -> str:
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"(ARRAY[{quoted}]::text[])"


# --- Data ---------------------------------------------------------------------


def _populate(first: int, last: int) -> float:
    """Published profiles with ids ``first``..``last``; seconds taken."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO profiles_skill (name, slug) SELECT name,"
            " lower(regexp_replace(name, '[^A-Za-z0-9]+', '-', 'g')) || '-' || i"
            " FROM unnest(%s::text[]) WITH ORDINALITY AS s(name, i)"
            " ON CONFLICT DO NOTHING",
            [SKILLS],
        )
        # The filter query uses slug "java": give Java that slug.
        cur.execute("UPDATE profiles_skill SET slug = 'java' WHERE name = 'Java'")
    for lo in range(first, last + 1, CHUNK):
        hi = min(lo + CHUNK - 1, last)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SELECT setseed(%s)", [(lo % 1000) / 1000])
            cur.execute(
                """
                INSERT INTO profiles_user (id, password, is_superuser, email,
                    is_staff, is_active, date_joined, language, name, role)
                SELECT g, '!', false, 'search' || g || '@bench.example', false,
                    true, now() - interval '1 year', 'da', '', 'freelancer'
                FROM generate_series(%s, %s) AS g
                """,
                [lo, hi],
            )
            # Skills first (the foreign keys are deferred), so each profile's
            # BEFORE INSERT trigger builds its vector once, skills included.
            # Skewed: skill index ~ 60 * random()^2 (Python, JavaScript, ...
            # common; Elixir, Vue rare).
            cur.execute(
                """
                WITH picks AS MATERIALIZED (
                    SELECT g, 1 + floor(%s * power(random(), 2))::int AS i
                    FROM generate_series(%s, %s) AS g
                    CROSS JOIN LATERAL
                        generate_series(1, 3 + (random() * 2)::int + 0 * g) AS k
                )
                INSERT INTO profiles_freelancerprofile_skills
                    (freelancerprofile_id, skill_id)
                SELECT DISTINCT picks.g, s.id
                FROM picks JOIN profiles_skill AS s ON s.name = (%s::text[])[picks.i]
                """,
                [len(SKILLS), lo, hi, SKILLS],
            )
            cur.execute(
                f"""
                WITH src AS (
                    SELECT g, random() < 0.6 AS da,
                        {_sql_array(FIRST)}[1 + floor(random() * {len(FIRST)})::int]
                            AS first,
                        {_sql_array(LAST)}[1 + floor(random() * {len(LAST)})::int]
                            AS last,
                        {_sql_array(CITIES)}[1 + floor(power(random(), 1.5)
                            * {len(CITIES)})::int] AS city,
                        1 + floor(random() * {len(ROLES_DA)})::int AS role,
                        {_sql_array(SKILLS)}[1 + floor(power(random(), 2)
                            * {len(SKILLS)})::int] AS skill,
                        random() < 0.3 AS senior,
                        ARRAY(SELECT 1 + floor(random() * {len(SENTENCES_DA)})::int
                              FROM generate_series(1, 3 + (random() * 2)::int)
                              WHERE g IS NOT NULL) AS sentences
                    FROM generate_series(%s, %s) AS g
                )
                INSERT INTO profiles_freelancerprofile (id, user_id, slug,
                    full_name, phone, company_name, website, cvr, headline, bio,
                    photo, photo_thumbnail, cv, cv_content_type, published_at,
                    created_at, updated_at, street, postal_code, city, country,
                    region, availability, available_from, rate_min, rate_max,
                    languages, years_experience, work_mode, portfolio_links)
                SELECT g, g, 'search-' || g, first || ' ' || last, '+4520123456',
                    CASE WHEN random() < 0.5 THEN last || ' ' ||
                        (ARRAY['IT', 'Consulting', 'Design', 'Digital', 'ApS'])[
                            1 + floor(random() * 5)::int] ELSE '' END,
                    '', '',
                    CASE WHEN da THEN
                        (CASE WHEN senior THEN 'Senior ' ELSE '' END)
                        || skill || '-' || {_sql_array(ROLES_DA)}[role]
                    ELSE
                        (CASE WHEN senior THEN 'Senior ' ELSE '' END)
                        || skill || ' ' || {_sql_array(ROLES_EN)}[role]
                    END,
                    array_to_string(ARRAY(
                        SELECT CASE WHEN da THEN {_sql_array(SENTENCES_DA)}[i]
                            ELSE {_sql_array(SENTENCES_EN)}[i] END
                        FROM unnest(sentences) AS i), ' '),
                    '', '', '', '',
                    now() - g * interval '1 second',
                    now() - interval '1 year',
                    now() - (random() * 365) * interval '1 day',
                    'Nørregade 1', '8000', city, 'DK', 'midtjylland',
                    (ARRAY['now', 'not', ''])[1 + floor(random() * 3)::int], NULL,
                    NULL, NULL,
                    CASE WHEN da THEN '["da", "en"]'::jsonb ELSE '["en"]'::jsonb END,
                    NULL, (ARRAY['remote', 'onsite', 'hybrid', ''])[
                        1 + floor(random() * 4)::int], '[]'::jsonb
                FROM src
                """,  # noqa: S608 - constant arrays of this file, no input
                [lo, hi],
            )
    with connection.cursor() as cur:
        for table in ("profiles_user", "profiles_freelancerprofile"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                f" (SELECT max(id) FROM {table}))"
            )
        for table in (
            "profiles_user",
            "profiles_freelancerprofile",
            "profiles_freelancerprofile_skills",
            "profiles_skill",
        ):
            cur.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


# --- Measurements -------------------------------------------------------------

SEQ_SCAN = re.compile(r"Seq Scan on (profiles_\w+)")
BUFFERS = re.compile(r"Buffers: shared(?: hit=(\d+))?(?: read=(\d+))?")
HEAP_ROWS = re.compile(
    r"(?:Bitmap Heap Scan|Index Scan|Index Only Scan) [^\n]*?on "
    r"profiles_freelancerprofile\b[^\n]*actual time=[\d.]+\.\.[\d.]+ rows=(\d+)"
)


def _plan(qs) -> dict:
    text = qs.explain(analyze=True, buffers=True)
    first_buffers = BUFFERS.search(text)
    hit = int(first_buffers.group(1) or 0) if first_buffers else 0
    read = int(first_buffers.group(2) or 0) if first_buffers else 0
    rows = [int(r) for r in HEAP_ROWS.findall(text)]
    return {
        "seq_scans": sorted(set(SEQ_SCAN.findall(text)) - {"profiles_skill"}),
        "buffers": hit + read,
        "rows": max(rows) if rows else 0,
        "text": text,
    }


def _measure(n: int, samples: int) -> dict:
    from django.db import connection

    from profiles import selectors

    results = {}
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM profiles_freelancerprofile")
        (count,) = cur.fetchone()
        cur.execute(
            "SELECT count(*) FROM profiles_freelancerprofile WHERE search_vector"
            " IS NULL OR search_vector = ''::tsvector"
        )
        (empty,) = cur.fetchone()
    for label, q, filters in QUERIES:
        times = []
        first_page = []
        for i in range(samples + 1):
            start = time.perf_counter()
            page = list(selectors.freelancer_list_public(q=q, **filters)[:20])
            for profile in page:
                list(profile.skills.all())
            took = time.perf_counter() - start
            if i:  # the first run warms the caches
                times.append(took)
            first_page = page
        plan = _plan(selectors.freelancer_list_public(q=q, **filters)[:20])
        results[label] = {
            "median_ms": statistics.median(times) * 1000,
            "p99_ms": percentile(times, 0.99) * 1000,
            "found": len(first_page),
            **{k: v for k, v in plan.items() if k != "text"},
            "plan": plan["text"] if plan["seq_scans"] else "",
        }
    return {"n": n, "rows": count, "empty_vectors": empty, "queries": results}


def _child(n: int, first: int, samples: int) -> None:
    setup_django(database_url(DB_NAME))
    from django.core.management import call_command

    if first == 1:
        call_command("migrate", verbosity=0)
    populate_seconds = _populate(first, n) if first <= n else 0.0
    result = _measure(n, samples)
    result["populate_seconds"] = populate_seconds
    print(json.dumps(result))


# --- HTTP -------------------------------------------------------------------------


def _start_gunicorn(port: int, env: dict[str, str], log) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "worksome.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"gunicorn exited during start-up:\n{log.read()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    process.terminate()
    raise RuntimeError("gunicorn did not answer /healthz in 60 s")


def _load(port: int, paths: list[str], seconds: float, threads: int = 4):
    """Requests/s and latencies of GETs cycling through ``paths``."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    deadline = time.perf_counter() + seconds

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = offset
        while time.perf_counter() < deadline:
            path = paths[i % len(paths)]
            i += 1
            start = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                ok = False
            took = time.perf_counter() - start
            with lock:
                if ok:
                    latencies.append(took)
                else:
                    errors[0] += 1

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    start = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return len(latencies), time.perf_counter() - start, latencies, errors[0]


def _http(seconds: float, rounds: int) -> dict:
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = django_env(database_url(DB_NAME), STATIC_ROOT=static_root)
    port = free_port()
    search_paths = [
        "/freelancers/?" + urllib.parse.urlencode({"q": q, **filters})
        for _label, q, filters in QUERIES
    ]
    cases = {"bare": ["/freelancers/"], "search": search_paths}
    totals = {name: [0, 0.0, [], 0] for name in cases}
    with tempfile.TemporaryFile("w+") as log:
        server = _start_gunicorn(port, env, log)
        try:
            # Warm every path on both workers (per-process caches: the
            # count, the facets and the cards of each search), untimed.
            for paths in cases.values():
                for path in paths:
                    for _ in range(4):
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                        conn.request("GET", path)
                        conn.getresponse().read()
                        conn.close()
            for _ in range(rounds):
                for name, paths in cases.items():
                    done, elapsed, latencies, errors = _load(port, paths, seconds)
                    totals[name][0] += done
                    totals[name][1] += elapsed
                    totals[name][2] += latencies
                    totals[name][3] += errors
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {
        name: {
            "rps": done / elapsed if elapsed else 0.0,
            "p99_ms": percentile(latencies, 0.99) * 1000,
            "errors": errors,
        }
        for name, (done, elapsed, latencies, errors) in totals.items()
    }


# --- Main ---------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", default="10000,100000,1000000")
    parser.add_argument("--quick", action="store_true", help="10k and 100k")
    parser.add_argument("--samples", type=int, help="timed runs per query")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--reuse",
        type=int,
        help="measure the database as a previous run left it (holding N profiles)",
    )
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    samples = args.samples or (8 if args.quick else 15)
    if args.child:
        _child(args.child[0], args.child[1], samples)
        return 0
    sizes = [10_000, 100_000] if args.quick else sorted(map(int, args.n.split(",")))
    first = 1
    if args.reuse:
        sizes, first = [args.reuse], args.reuse + 1
    else:
        recreate_database(database_url(DB_NAME))
    results = []
    for n in sizes:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(n), str(first)]
            + ["--samples", str(samples)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            raise SystemExit(f"the child for N={n} failed")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        first = n + 1
        if not args.no_http:
            r["http"] = _http(args.seconds, args.rounds)
        results.append(r)
        for label, m in r["queries"].items():
            print(
                f"bench search N={n} query={label} median_ms={m['median_ms']:.1f} "
                f"p99_ms={m['p99_ms']:.1f} found={m['found']} rows={m['rows']} "
                f"buffers={m['buffers']} seq_scans={','.join(m['seq_scans']) or '-'}",
                flush=True,
            )
            if m["plan"]:
                print(m["plan"])
        http_line = (
            " ".join(
                f"{name}_rps={h['rps']:.1f} {name}_p99_ms={h['p99_ms']:.0f}"
                f" {name}_errors={h['errors']}"
                for name, h in r["http"].items()
            )
            if "http" in r
            else "http=skipped"
        )
        print(
            f"bench search N={n} profiles={r['rows']} empty_vectors="
            f"{r['empty_vectors']} populate_s={r['populate_seconds']:.0f} "
            f"{http_line} load={load_average()}",
            flush=True,
        )
    base, top = results[0], results[-1]
    print(
        f"\n| query | q | p99 ms {base['n']:,} | "
        + " | ".join(f"p99 ms {r['n']:,}" for r in results[1:])
        + f" | median ms {top['n']:,} | ratio | rows {top['n']:,} "
        f"| buffers {top['n']:,} |"
    )
    print("|---" * (6 + len(results)) + "|")
    ok = True
    worst = 0.0
    for label, q, filters in QUERIES:
        b = base["queries"][label]
        t = top["queries"][label]
        ratio = t["p99_ms"] / b["p99_ms"] if b["p99_ms"] else float("inf")
        worst = max(worst, ratio)
        shown_q = q + (
            " + " + json.dumps(filters, ensure_ascii=False) if filters else ""
        )
        print(
            f"| {label} | `{shown_q}` | {b['p99_ms']:.1f} | "
            + " | ".join(f"{r['queries'][label]['p99_ms']:.1f}" for r in results[1:])
            + f" | {t['median_ms']:.1f} | {ratio:.2f} | {t['rows']} "
            f"| {t['buffers']} |"
        )
    # Below 100k rows the planner rightly reads small tables whole; the
    # target is about plans that would grow with the directory.
    seq = sorted(
        {
            f"{r['n']}:{label}"
            for r in results
            for label, m in r["queries"].items()
            if m["seq_scans"] and r["n"] >= 100_000
        }
    )
    vectors_ok = all(r["empty_vectors"] == 0 for r in results)
    ok = worst <= P99_FLAT and not seq and vectors_ok
    http_ratio = None
    if "http" in top:
        http_ratio = top["http"]["search"]["rps"] / top["http"]["bare"]["rps"]
        ok = ok and http_ratio >= RATIO_TARGET
        ok = ok and not any(h["errors"] for r in results for h in r["http"].values())
    print(
        f"\nbench search summary worst_p99_ratio_{top['n']}_{base['n']}={worst:.2f} "
        f"(target <={P99_FLAT}) seq_scans={','.join(seq) or 'none'} "
        f"vectors_filled={vectors_ok} "
        + (
            f"search_vs_bare_rps_{top['n']}={http_ratio:.2f} (target >={RATIO_TARGET}) "
            if http_ratio is not None
            else "http=skipped "
        )
        + f"load_avg={load_average()} -> {'ok' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
