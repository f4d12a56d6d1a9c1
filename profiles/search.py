"""Full-text search of the freelancer directory, and its facet counts.

What must never happen, and why it cannot:

- **A profile that is not public matches.** The search only narrows the
  queryset it is given (``freelancer_list_public`` passes one filtered by
  ``_public_q``), and adds the two public columns again so the partial GIN
  index (``published_at IS NOT NULL AND restricted_at IS NULL``) applies. An
  unpublished, restricted, closed or erased profile leaves results at the
  next query: nothing is cached between the write and the search (the vector
  is maintained by triggers inside the writing transaction).
- **Something the freelancer did not publish is searchable.** The vector is
  built only from headline, skill names, about text, city, company name and
  full name (see migration ``0003_freelancer_search_vector``); never e-mail,
  phone, CPR, street or postal code.
- **Bad input answers 500.** The query text is cut to a bounded number of
  words, stripped of NUL and control characters, and passed to PostgreSQL as
  a parameter of ``websearch_to_tsquery``, which accepts any text.

PostgreSQL: the tsvector column holds Danish and English stems (profiles
have no language field). Every word of the query must match in its Danish
or its English stem, or as the competence it misspells (pg_trgm, one small
query on the skills' trigram index, cached): "kubernets" finds Kubernetes;
a stop word of either language is left out. A query in web-search syntax
(a "phrase", ``or``, ``-word``) is read whole, once per language, ORed.
Ranking uses ``ts_rank`` with the vector's weights (A headline and skills,
B about, C city and company, D name), then the most recently updated
profile.

Scale: ranking every match of a broad query ("udvikler" may match half the
directory) costs as much as the matches. The search therefore ranks at most
``CANDIDATE_CAP`` matching profiles, after every filter has been applied: a
query with more matches shows the best of those candidates, and the count
says ``CANDIDATE_CAP``; a narrower one (few matches, or a competence and a
city) ranks all its matches. The candidates are the newest matching
profiles, found bucket by bucket of primary keys in the search index, so a
search of common words costs the same at any size of the directory
(``_newest_buckets_first``); with a city or a competence filter the scan
starts from that filter instead (``walk``).

SQLite (``make run``): no tsvector, no stemming, no typo tolerance: every
word must occur (case-insensitively, as a substring) in the name, headline,
about text, city, company name or a skill name; results newest update first.
"""

from __future__ import annotations

import hashlib
import re

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.expressions import RawSQL

from profiles.models import FreelancerProfile, Skill

#: At most this many matching profiles are ranked per search (see above).
CANDIDATE_CAP = 300
#: Candidates are taken newest profiles first, bucket by bucket of this many
#: primary keys (``_newest_buckets_first``); the index
#: ``freelancer_search_bucket_idx`` holds the same expression.
SEARCH_BUCKET = 10_000
#: Buckets probed before a search with few matches scans the rest at once.
WALK_BUCKETS = 8
#: Words of a query that are searched; the rest is ignored.
MAX_WORDS = 8
#: A word this similar (pg_trgm) to a competence's name also searches it.
TYPO_SIMILARITY = 0.5
TYPO_MIN_LENGTH = 4
CORRECTIONS_TTL = 300  # seconds
#: Entries per facet.
FACET_SIZE = 10

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WORD = re.compile(r"\w+")
_INNER_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")

_SYNTAX = re.compile(r'"|(?:^|\s)-\w|\bor\b', re.IGNORECASE)
# One word: its Danish and English stems, or nothing for a stop word in
# either language.
_WORD_TSQUERY = (
    "(CASE WHEN numnode(websearch_to_tsquery('pg_catalog.danish', %s)) = 0"
    " OR numnode(websearch_to_tsquery('pg_catalog.english', %s)) = 0"
    " THEN ''::tsquery"
    " ELSE websearch_to_tsquery('pg_catalog.danish', %s)"
    " || websearch_to_tsquery('pg_catalog.english', %s) END)"
)
_TSQUERY = (
    "(websearch_to_tsquery('pg_catalog.danish', %s)"
    " || websearch_to_tsquery('pg_catalog.english', %s))"
)


def search_text_clean(q: str) -> str:
    """The searched text: no control characters, at most ``MAX_WORDS`` words,
    "UX-designer" searched as "UX designer" (matching both spellings); empty
    when nothing in it can match (only punctuation)."""
    q = _CONTROL.sub(" ", q or "")
    q = _INNER_HYPHEN.sub(" ", q)
    words = list(_WORD.finditer(q))
    if not words:
        return ""
    if len(words) > MAX_WORDS:
        q = q[: words[MAX_WORDS - 1].end()]
    return " ".join(q.split())


def _skill_corrections(q: str) -> dict[str, str]:
    """{word: competence name} for each word of ``q`` (lower case) that looks
    like a misspelt competence: one query on the skills' trigram index, its
    answer (competence names only, nothing personal) cached per set of words
    for ``CORRECTIONS_TTL``: a new or renamed competence is corrected to
    within that time."""
    words = sorted(
        {
            w.lower()
            for w in _WORD.findall(q)
            if len(w) >= TYPO_MIN_LENGTH and not w.isdigit()
        }
    )
    if not words:
        return {}
    key = (
        "profiles:search:typo:" + hashlib.sha256("\n".join(words).encode()).hexdigest()
    )
    corrections = cache.get(key)
    if corrections is None:
        corrections = _skill_corrections_read(words)
        cache.set(key, corrections, CORRECTIONS_TTL)
    return corrections


def _skill_corrections_read(words: list[str]) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT w, s.name, similarity(lower(s.name), w)
            FROM unnest(%s::text[]) AS w
            CROSS JOIN LATERAL (
                SELECT name FROM profiles_skill
                WHERE lower(name) %% w
                ORDER BY similarity(lower(name), w) DESC, name
                LIMIT 1
            ) AS s
            """,
            [words],
        )
        rows = cursor.fetchall()
    return {
        word: name
        for word, name, similarity in rows
        if similarity >= TYPO_SIMILARITY
        and word not in _WORD.findall(search_text_clean(name).lower())
    }


def _tsquery(q: str) -> tuple[str, list[str]]:
    """The tsquery (SQL, parameters) for ``q``.

    Plain words: every word must match, in its Danish or its English stem
    (or as the competence it misspells); a word that is a stop word in
    either language is left out. An AND of small ORs lets the GIN index
    drive the scan from the rarest word. Web-search syntax (a "phrase",
    ``or``, ``-word``): the whole text in each language, ORed.
    """
    corrections = _skill_corrections(q)
    if _SYNTAX.search(q):
        sql, params = _TSQUERY, [q, q]
        if corrections:
            corrected = _WORD.sub(
                lambda m: corrections.get(m.group().lower(), m.group()), q
            )
            sql = f"({sql} || {_TSQUERY})"
            params += [corrected, corrected]
        return sql, params
    parts, params = [], []
    for word in _WORD.findall(q):
        alternatives = [word]
        if word.lower() in corrections:
            alternatives.append(corrections[word.lower()])
        parts.append("(" + " || ".join([_WORD_TSQUERY] * len(alternatives)) + ")")
        for alternative in alternatives:
            params += [alternative] * 4
    return "(" + " && ".join(parts) + ")", params


def freelancer_text_search(
    queryset: QuerySet[FreelancerProfile], q: str, *, walk: tuple | None = None
) -> QuerySet[FreelancerProfile]:
    """The profiles of ``queryset`` matching ``q``, best match first (then
    the most recently updated), as a new queryset on their primary keys: apply
    every filter before calling it (the candidates are capped,
    ``CANDIDATE_CAP``), and ``only()``/``prefetch_related()`` after it. An
    empty or unsearchable ``q`` returns ``queryset`` as it is.

    ``walk``, how the candidates are found (they are ranked afterwards
    either way):

    - ``None``: newest profiles first, bucket by bucket of the search index
      (``_newest_buckets_first``), for a search narrowed by its words;
    - ``()``: one capped scan in any order, for a filter narrower than
      the words (a competence: the planner starts from its holders);
    - an order an index holds for one of the filters (the city's:
      ``(Upper("city"), "pk")``, index ``freelancer_public_city_walk_idx``):
      the scan walks that index and stops at the cap instead of first
      collecting every profile the filter matches."""
    q = search_text_clean(q)
    if not q:
        return queryset
    if connection.vendor != "postgresql":
        return _simple_search(queryset, q)
    sql, params = _tsquery(q)
    # Constant SQL; the searched text travels only as parameters.
    match = RawSQL(f"search_vector @@ {sql}", params, BooleanField())  # noqa: S611
    matching = queryset.filter(
        published_at__isnull=False, restricted_at__isnull=True
    ).filter(match)
    if walk is None:
        candidates = _newest_buckets_first(matching)
    else:
        candidates = matching.order_by(*walk).values("pk")[:CANDIDATE_CAP]
    rank = RawSQL(f"ts_rank(search_vector, {sql}, 1)", params, FloatField())  # noqa: S611
    # The outer query reads only the candidates, by primary key: they passed
    # every filter of ``queryset`` (the public rule included) in the subquery.
    return (
        FreelancerProfile.objects.filter(pk__in=candidates)
        .annotate(search_rank=rank)
        .order_by("-search_rank", "-updated_at", "-pk")
    )


def _newest_buckets_first(matching: QuerySet[FreelancerProfile]) -> RawSQL:
    """Up to ``CANDIDATE_CAP`` primary keys of ``matching``, the newest
    profiles' first: one statement that probes the search index bucket by
    bucket (``SEARCH_BUCKET`` ids each, newest first, at most
    ``WALK_BUCKETS``) and stops at the cap; a search with fewer matches there
    goes on with one scan of the older profiles.

    Why: the GIN index answers an AND of words by intersecting each word's
    list of profiles, and those lists grow with the directory ("python
    udvikler aarhus" intersects three lists of 100k+ entries at 1M profiles
    to find the 300 candidates the first 2% of them hold). The index also
    holds each profile's bucket (``(id / SEARCH_BUCKET)``, btree_gin, index
    ``freelancer_search_bucket_idx``), so a probe intersects only one
    bucket's part of every list: a common search costs a few probes at any
    size of the directory. A rare one (few matches among the newest
    ``SEARCH_BUCKET * WALK_BUCKETS`` profiles) costs what a single scan
    costs, plus the probes."""
    table = connection.ops.quote_name(FreelancerProfile._meta.db_table)
    newest = f"(SELECT max(id) FROM {table}) / {SEARCH_BUCKET}"  # noqa: S608
    probe = (
        matching.alias(
            search_bucket=ExpressionWrapper(
                F("id") / SEARCH_BUCKET, output_field=BigIntegerField()
            )
        )
        .filter(search_bucket=RawSQL("_walk.bucket", [], BigIntegerField()))
        .order_by()
        .values("pk")
    )
    # The rest: every match below the walked buckets. ``id + 0`` keeps the
    # bound out of the index conditions (a range of buckets would make the
    # index read all of their lists); the one-time filter skips the scan
    # when the walk covered the whole directory.
    rest = (
        matching.alias(
            unindexed_id=ExpressionWrapper(F("id") + 0, output_field=BigIntegerField())
        )
        .filter(
            unindexed_id__lt=RawSQL(  # noqa: S611 - constants only
                f"({newest} - {WALK_BUCKETS - 1}) * {SEARCH_BUCKET}",
                [],
                BigIntegerField(),
            )
        )
        .filter(RawSQL(f"{newest} >= {WALK_BUCKETS}", [], BooleanField()))  # noqa: S611
        .order_by()
        .values("pk")
    )
    probe_sql, probe_params = probe.query.sql_with_params()
    rest_sql, rest_params = rest.query.sql_with_params()
    return RawSQL(  # noqa: S611 - the ORM's SQL and constants
        # Constant SQL and the ORM's own; the searched text is in the params.
        # The walk's LIMIT also tells the planner how many probes at most
        # (a bare generate_series is costed at 1,000 rows, which can push
        # the statement over jit_above_cost: 20 ms of JIT compiling).
        f"(SELECT _walk_hit.pk FROM (SELECT generate_series({newest}, 0, -1)"  # noqa: S608
        f" AS bucket LIMIT {WALK_BUCKETS}) AS _walk"
        f" CROSS JOIN LATERAL ({probe_sql} OFFSET 0) AS _walk_hit"
        f" LIMIT {CANDIDATE_CAP})"
        f" UNION ALL ({rest_sql} LIMIT {CANDIDATE_CAP}) LIMIT {CANDIDATE_CAP}",
        (*probe_params, *rest_params),
    )


def _simple_search(
    queryset: QuerySet[FreelancerProfile], q: str
) -> QuerySet[FreelancerProfile]:
    """SQLite: every word somewhere in the published text (no stemming)."""
    for word in _WORD.findall(q):
        has_skill = Skill.objects.filter(
            freelancers=OuterRef("pk"), name__icontains=word
        )
        queryset = queryset.filter(
            Q(full_name__icontains=word)
            | Q(headline__icontains=word)
            | Q(bio__icontains=word)
            | Q(city__icontains=word)
            | Q(company_name__icontains=word)
            | Q(Exists(has_skill))
        )
    return queryset.order_by("-updated_at", "-pk")


def freelancer_facets(queryset: QuerySet[FreelancerProfile]) -> dict[str, list]:
    """Counts per competence, city and availability (by its label in the
    current language) among the profiles of ``queryset`` (a search's result:
    at most ``CANDIDATE_CAP`` on PostgreSQL), ``FACET_SIZE`` entries each,
    largest first: ``{"competences": [(slug, name, n)], "cities": [(city, n)], ...}``.
    One query per facet."""
    ids = queryset.order_by().values("pk")[:CANDIDATE_CAP]
    competences = (
        Skill.objects.filter(freelancers__in=ids)
        .values_list("slug", "name")
        .annotate(n=Count("freelancers"))
        .order_by("-n", "name")[:FACET_SIZE]
    )
    facets: dict[str, list] = {"competences": list(competences)}
    fields = {"cities": "city"}
    model_fields = {f.name for f in FreelancerProfile._meta.get_fields()}
    if "availability" in model_fields:
        fields["availability"] = "availability"
    for key, field in fields.items():
        rows = (
            FreelancerProfile.objects.filter(pk__in=ids)
            .exclude(**{f"{field}__isnull": True})
            .exclude(**{field: ""} if field == "city" else {})
            .values_list(field)
            .annotate(n=Count("pk"))
            .order_by("-n", field)[:FACET_SIZE]
        )
        facets[key] = list(rows)
    if "availability" in facets:
        labels = dict(FreelancerProfile.Availability.choices)
        facets["availability"] = [
            (str(labels.get(value, value)), n) for value, n in facets["availability"]
        ]
    return facets
