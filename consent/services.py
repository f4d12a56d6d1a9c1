"""Writes: recording consent choices, append-only.

What must never happen, and how it is prevented:
- A record changed or deleted after the fact: nothing here updates a record
  except ``superseded_at`` of the subject's previous current record, set in the
  same transaction that inserts the new one; the admin is read-only.
- Two current records for one subject and purpose: partial unique constraints
  forbid it; a concurrent writer that loses the race retries on top of the
  winner's record.
- A withdrawal without its side effects: ``consent.hooks`` handlers run after
  commit for every withdrawn record; receivers are idempotent.

The records are themselves the audit trail of consent (who, what, when, by
whom: ``actor``), so no separate audit row is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from functools import partial

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from consent import selectors
from consent.hooks import consent_withdrawn_emit
from consent.models import (
    ConsentRecord,
    ConsentVersion,
    MarketingSuppression,
    Purpose,
    Source,
)
from consent.policy import current_policy_version
from consent.texts import cookie_choice_text, group_shown, purpose_text

_WRITE_ATTEMPTS = 3
VERSION_CACHE_TIMEOUT = 60 * 60  # seconds


def _version_digest(*, text: str, cookie_list_version: str, policy_version: str) -> str:
    payload = "\x1e".join([text, cookie_list_version, policy_version])
    return hashlib.sha256(payload.encode()).hexdigest()


def consent_version_get_or_create(
    *, purpose: str, shown_text: str = ""
) -> ConsentVersion:
    """The version a choice for ``purpose`` is made on, stored once per digest.

    Cookie purposes hash the text with the group's cookie-list version and the
    policy version; other purposes hash the text with the policy version.
    """
    policy_version = current_policy_version()
    varname = Purpose.cookie_group_of(purpose)
    cookie_list_version, cookie_list = "", []
    if varname is not None:
        group = selectors.cookie_lists().get(varname)
        if group is None:
            raise ValueError(f"No optional cookie group {varname!r}.")
        cookie_list_version, cookie_list = group["version"], group["cookies"]
        # The group's text as shown, in the language of the page.
        shown_text = shown_text or cookie_choice_text(**group_shown(group))
    shown_text = shown_text or purpose_text(purpose)
    digest = _version_digest(
        text=shown_text,
        cookie_list_version=cookie_list_version,
        policy_version=policy_version,
    )
    # A digest names its content, and versions are never changed or deleted
    # (they are the proof), so a version read once can be reused as it is.
    # It is cached only after commit (a rolled-back insert is never cached)
    # and per database (two databases may share one cache). After restoring
    # the database from a backup, clear the cache (README, "Operations").
    database = connection.settings_dict
    where = f"{database['HOST']}:{database['PORT']}/{database['NAME']}"
    key = f"consent:version:{hashlib.sha256(where.encode()).hexdigest()[:16]}:{digest}"
    version = cache.get(key)
    if version is None:
        version, _ = ConsentVersion.objects.get_or_create(
            digest=digest,
            defaults={
                "text": shown_text,
                "cookie_list_version": cookie_list_version,
                "cookie_list": cookie_list,
                "policy_version": policy_version,
            },
        )
        transaction.on_commit(partial(cache.set, key, version, VERSION_CACHE_TIMEOUT))
    return version


def _validate(*, purpose: str, source: str, user, visitor_id: str | None):
    if source not in Source.values:
        raise ValueError(f"Unknown consent source {source!r}.")
    varname = Purpose.cookie_group_of(purpose)
    if purpose not in Purpose.values and varname is None:
        raise ValueError(f"Unknown consent purpose {purpose!r}.")
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None  # AnonymousUser
    if user is not None and visitor_id:
        raise ValueError("A consent record is about a user or a visitor, not both.")
    if user is None and not visitor_id:
        raise ValueError("A consent record needs a user or a visitor id.")
    if user is None and varname is None:
        raise ValueError(f"Only a logged-in user can consent to {purpose!r}.")
    return user, visitor_id or ""


def _write(
    *,
    purpose: str,
    granted: bool,
    source: str,
    user,
    visitor_id: str,
    version: ConsentVersion,
    actor=None,
    decided_at: dt.datetime | None = None,
    retry_here: bool = True,
) -> ConsentRecord:
    """Supersede the subject's current record for ``purpose`` and add this one.

    A concurrent choice for the same subject and purpose can commit first
    (the partial unique index then refuses this INSERT). With ``retry_here``
    the write runs in a savepoint and is retried on top of it; without it the
    IntegrityError goes to the caller, which owns the transaction and retries
    all of it (two round trips fewer per write).
    """
    subject = Q(user=user) if user is not None else Q(user__isnull=True)
    subject &= Q(visitor_id=visitor_id, purpose=purpose, superseded_at__isnull=True)
    for attempt in range(_WRITE_ATTEMPTS):
        try:
            with transaction.atomic(savepoint=retry_here):
                now = timezone.now()
                current = ConsentRecord.objects.filter(subject)
                # Only a withdrawal needs the previous choice (was anything
                # granted?); the UPDATE below locks the row either way.
                previous = (
                    None
                    if granted
                    else current.select_for_update().only("granted").first()
                )
                current.update(superseded_at=now)
                record = ConsentRecord.objects.create(
                    user=user,
                    visitor_id=visitor_id,
                    purpose=purpose,
                    granted=granted,
                    source=source,
                    version=version,
                    decided_at=decided_at or now,
                    created_at=now,
                    actor=actor if getattr(actor, "pk", None) else None,
                )
            break
        except IntegrityError:
            # A concurrent choice for the same subject and purpose committed
            # first; record this one on top of it.
            if not retry_here or attempt == _WRITE_ATTEMPTS - 1:
                raise
    if not granted:
        previously_granted = bool(previous and previous.granted)
        transaction.on_commit(
            lambda: consent_withdrawn_emit(
                record=record,
                purpose=purpose,
                user=user,
                visitor_id=visitor_id,
                previously_granted=previously_granted,
            )
        )
    return record


def consent_record(
    *,
    purpose: str,
    granted: bool,
    source: str,
    user=None,
    visitor_id: str | None = None,
    shown_text: str = "",
    actor=None,
) -> ConsentRecord:
    """Append one consent choice of a user (or, for cookies, of a visitor).

    ``shown_text`` is the text the person saw; when empty, the platform's own
    text for the purpose is recorded (the cookie notice for cookie groups).
    """
    user, visitor_id = _validate(
        purpose=purpose, source=source, user=user, visitor_id=visitor_id
    )
    with transaction.atomic():
        version = consent_version_get_or_create(purpose=purpose, shown_text=shown_text)
        return _write(
            purpose=purpose,
            granted=granted,
            source=source,
            user=user,
            visitor_id=visitor_id,
            version=version,
            actor=actor,
        )


def consent_cookie_choices_record(
    *,
    choices: Mapping[str, bool],
    source: str,
    user=None,
    visitor_id: str | None = None,
    shown_text: str = "",
    actor=None,
) -> list[ConsentRecord]:
    """Record a choice on several cookie groups at once.

    A logged-in user's choice is recorded for the user and, when the browser
    has a visitor id, for the visitor too, so the browser keeps this choice
    after logging out instead of an older one.
    """
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    subjects = []
    if user is not None:
        subjects.append((user, ""))
    if visitor_id:
        subjects.append((None, visitor_id))
    if not subjects:
        raise ValueError("A consent record needs a user or a visitor id.")
    # Called outside a transaction (the cookie views), this function owns its
    # transaction: a conflict with a concurrent choice retries all of it, and
    # the writes need no savepoints. Inside someone else's transaction each
    # write keeps its own savepoint and retry.
    owns_transaction = not transaction.get_connection().in_atomic_block
    for attempt in range(_WRITE_ATTEMPTS):
        try:
            return _cookie_choices_write(
                choices=choices,
                subjects=subjects,
                source=source,
                shown_text=shown_text,
                actor=actor,
                retry_each=not owns_transaction,
            )
        except IntegrityError:
            if not owns_transaction or attempt == _WRITE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


@transaction.atomic
def _cookie_choices_write(
    *, choices, subjects, source, shown_text, actor, retry_each
) -> list[ConsentRecord]:
    records = []
    for varname, granted in choices.items():
        purpose = Purpose.for_cookie_group(varname)
        version = consent_version_get_or_create(purpose=purpose, shown_text=shown_text)
        for subject_user, subject_visitor in subjects:
            _validate(
                purpose=purpose,
                source=source,
                user=subject_user,
                visitor_id=subject_visitor,
            )
            records.append(
                _write(
                    purpose=purpose,
                    granted=granted,
                    source=source,
                    user=subject_user,
                    visitor_id=subject_visitor,
                    version=version,
                    actor=actor,
                    retry_here=retry_each,
                )
            )
    return records


def consent_visitor_link(*, user, visitor_id: str) -> list[ConsentRecord]:
    """At login: the browser's cookie choices become the user's.

    For each cookie purpose whose visitor choice still counts and is newer than
    the user's current one, a new record for the user copies it (same version,
    same decision time, source ``login_link``); the log stays append-only.
    """
    if not visitor_id or not getattr(user, "is_authenticated", False):
        return []
    lists = selectors.cookie_lists()
    visitor_records = selectors.consent_current(visitor_id=visitor_id)
    user_records = selectors.consent_current(user=user)
    now = timezone.now()
    linked = []
    with transaction.atomic():
        for purpose, record in visitor_records.items():
            if Purpose.cookie_group_of(purpose) is None:
                continue
            if selectors.consent_record_effective(record, lists=lists, now=now) is None:
                continue
            mine = user_records.get(purpose)
            if mine is not None and mine.decided_at >= record.decided_at:
                continue
            linked.append(
                _write(
                    purpose=purpose,
                    granted=record.granted,
                    source=Source.LOGIN_LINK,
                    user=user,
                    visitor_id="",
                    version=record.version,
                    actor=user,
                    decided_at=record.decided_at,
                )
            )
    return linked


def marketing_suppress(*, emails) -> None:
    """Keep each address on the suppression list (idempotent)."""
    for email in {e for e in emails if e}:
        MarketingSuppression.objects.get_or_create(
            email_hash=selectors.marketing_suppression_hash(email)
        )
