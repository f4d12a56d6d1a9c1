"""The public pages' caches, and why none can show what is no longer public.

- **The result count** ("10,000 freelancers"): an exact COUNT(*) grows with
  the directory. It is an aggregate, not personal data, keyed by a generation
  counter that every save or delete of a profile, a user or a profile's skills
  moves on, so the next request counts again. Writes that bypass signals
  (``QuerySet.update``, the retention purge's SQL) leave at most
  ``COUNT_TTL`` of a stale number.
- **The rendered cards**: which profiles are on a page is read live on every
  request (one indexed query), so a profile that is unpublished, restricted,
  closed or erased leaves the page at once; only the HTML of cards whose
  ``updated_at`` is unchanged comes from the cache (``directory_cards_html``).
  Cached cards hold only what the freelancer published, and expire after
  ``CARDS_TTL``.
- **A profile page as visitors see it** (``public_profile_page``): the same
  idea for one profile. Whether it is public is asked live on every request;
  the body comes from the cache only for the same ``updated_at``. Logged-in
  members (who may see a CV button, or their own unpublished profile) always
  get a live page.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from core.generations import generation as generation_of
from profiles import selectors
from profiles.models import FreelancerProfile

#: Rows per page of the freelancer and company directories.
PAGE_SIZE = 20
COUNT_TTL = 60  # seconds
CARDS_TTL = 300  # seconds
DETAIL_BODY_TEMPLATE = "profiles/_freelancer_detail_body.html"
GENERATION_KEY = "profiles:directory:generation"


class CachedCountPaginator(Paginator):
    """A Paginator whose ``count`` is cached per search (``count_key``)."""

    def __init__(self, object_list, per_page, *, count_key: str, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_key = hashlib.sha256(count_key.encode()).hexdigest()[:32]

    @cached_property
    def count(self) -> int:
        generation = generation_of(GENERATION_KEY)
        key = f"profiles:directory:count:{generation}:{self.count_key}"
        value = cache.get(key)
        if value is None:
            value = Paginator.count.func(self)
            cache.set(key, value, COUNT_TTL)
        return value

    def results(self):
        return self.object_list


class RankedSearchPaginator(Paginator):
    """The pages of a text search (PostgreSQL), from its ranked primary keys.

    A search ranks at most ``CANDIDATE_CAP`` profiles (``profiles.search``);
    that ranking, the costly part, runs once per search and directory
    generation (like the result count: every save or delete of a profile, a
    user or a profile's skills moves the generation on) and its primary keys,
    no personal data, are cached for ``COUNT_TTL``. A page's rows are then
    read live by primary key under the public rule
    (``freelancer_list_public_in_order``): a profile that stopped being public
    since, even by a write that bypasses signals, is left out at once; a
    newly matching profile appears within ``COUNT_TTL``.
    """

    def __init__(self, profiles, per_page, *, count_key: str, **kwargs):
        self.count_key = hashlib.sha256(count_key.encode()).hexdigest()[:32]
        generation = generation_of(GENERATION_KEY)
        key = f"profiles:directory:ranked:{generation}:{self.count_key}"
        ids = cache.get(key)
        if ids is None:
            ids = list(profiles.prefetch_related(None).values_list("pk", flat=True))
            cache.set(key, ids, COUNT_TTL)
        super().__init__(ids, per_page, **kwargs)

    def _get_page(self, ids, number, paginator):
        rows = selectors.freelancer_list_public_in_order(ids=list(ids))
        return super()._get_page(rows, number, paginator)

    def results(self):
        """The ranked profiles as a queryset (for the facet counts)."""
        return FreelancerProfile.objects.filter(pk__in=self.object_list)


def directory_paginator(profiles, search: dict) -> Paginator:
    """The paginator of a directory search (``search``: the filter form's
    values): ranked and cached on PostgreSQL when there is search text, else
    live rows with a cached count."""
    count_key = json.dumps(search, sort_keys=True, default=str)
    if search.get("q") and connection.vendor == "postgresql":
        return RankedSearchPaginator(profiles, PAGE_SIZE, count_key=count_key)
    return CachedCountPaginator(profiles, PAGE_SIZE, count_key=count_key)


def _card_key(language, pk, updated_at) -> str:
    fingerprint = repr((language, pk, updated_at)).encode()
    return f"profiles:card:{hashlib.sha256(fingerprint).hexdigest()}"


def _page_key(language, pk, updated_at) -> str:
    fingerprint = repr((language, pk, updated_at)).encode()
    return f"profiles:profile:{hashlib.sha256(fingerprint).hexdigest()}"


def directory_cards_html(page) -> str:
    """The rendered cards of one directory page, cached card by card.

    One query reads the page's primary keys and ``updated_at`` stamps, live,
    with the directory's own filter and order: a profile that stopped being
    public is simply not among them. Each card's HTML is keyed by its
    profile's stamp, so a change to a shown field (which moves ``updated_at``,
    skills included, see ``skills_changed``) is a new key, never a stale
    entry; and erasure can find and delete a profile's cached card
    (``profile_cache_forget``). One cache read per page; only missing cards
    are loaded and rendered.
    """
    rows = page.object_list
    stamps = list(rows.prefetch_related(None).values_list("pk", "updated_at"))
    if not stamps:
        return ""
    language = get_language()
    keys = {pk: _card_key(language, pk, updated_at) for pk, updated_at in stamps}
    cached = cache.get_many(list(keys.values()))
    missing = {pk for pk, key in keys.items() if key not in cached}
    if missing:
        rendered = {
            keys[profile.pk]: render_to_string(
                "profiles/_freelancer_card.html", {"profile": profile}
            )
            # The page's own query (sliced, with its joins and prefetches).
            for profile in rows
            if profile.pk in missing
        }
        cache.set_many(rendered, CARDS_TTL)
        cached.update(rendered)
    html = "".join(cached.get(keys[pk], "") for pk, _updated_at in stamps)
    return mark_safe(html)  # noqa: S308 - each card rendered by the template engine


def profile_cache_forget(*, pk, updated_at) -> None:
    """Delete the cached card and page of a profile as it was at ``updated_at``.

    Erasure calls it (now and after commit), so the rendered HTML of an erased
    profile does not stay in the cache until its TTL.
    """
    languages = {code for code, _name in settings.LANGUAGES} | {get_language()}
    keys = [
        make(language, pk, updated_at)
        for language in languages
        for make in (_card_key, _page_key)
    ]
    cache.delete_many(keys)


def skills_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """Signal receiver: a profile's skills changed, so its cards get a new key.

    Deleting a Skill removes its rows without this signal; its name then stays
    on cached cards for at most ``CARDS_TTL``.
    """
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    # From the skill's side (reverse) pk_set names the profiles; a reverse
    # clear does not say which profiles it touched.
    pks = (pk_set or ()) if reverse else (instance.pk,)
    if pks:
        FreelancerProfile.objects.filter(pk__in=pks).update(updated_at=timezone.now())


def public_profile_page(*, slug: str) -> tuple[str, str]:
    """(title, body HTML) of a public profile as an anonymous visitor sees it.

    Raises Http404 unless the profile is public right now.
    """
    stamp = selectors.freelancer_public_stamp(slug=slug)
    if stamp is None:
        raise Http404
    pk, updated_at, full_name = stamp
    key = _page_key(get_language(), pk, updated_at)
    html = cache.get(key)
    if html is None:
        # Read after the stamp, so never older than it; not public any more: 404.
        profile = selectors.freelancer_get_public(slug=slug)
        html = render_to_string(
            DETAIL_BODY_TEMPLATE,
            {"profile": profile, "public": True, "can_download_cv": False},
        )
        cache.set(key, html, CARDS_TTL)
    return full_name, mark_safe(html)  # noqa: S308 - rendered by the template engine


def directory_facets(profiles, *, count_key: str) -> dict[str, list]:
    """Facet counts of a search's result (``profiles.search.freelancer_facets``),
    cached like the result count: per search and directory generation, at
    most ``COUNT_TTL``. Aggregates only, no personal data."""
    from profiles.search import freelancer_facets

    digest = hashlib.sha256(count_key.encode()).hexdigest()[:32]
    generation = generation_of(GENERATION_KEY)
    key = f"profiles:directory:facets:{generation}:{get_language()}:{digest}"
    facets = cache.get(key)
    if facets is None:
        facets = freelancer_facets(profiles)
        cache.set(key, facets, COUNT_TTL)
    return facets
