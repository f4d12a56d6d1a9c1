"""The retention purge: delete or anonymise personal data 12 months after its purpose.

Invariants, and how they hold:
- Never a live row: a row is touched only if its rule's purpose-end value is
  older than the policy period at the run's start (``RetentionRule.expired``),
  it is not held (legal hold on the row or its subject, open data-subject
  request of its subject), and a legal exception does not keep it.
- Never a half-anonymised row: each batch is one transaction, and one UPDATE
  sets every anonymised field of the batch (and ``anonymised_at``) at once;
  a crash rolls the whole batch back. On PostgreSQL the claim and the UPDATE
  are one statement (``WITH claimed AS (... SKIP LOCKED) UPDATE ...``).
- Each row exactly once, with any number of workers: a batch is claimed with
  ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL), so a concurrent run skips
  rows another holds; anonymised rows carry ``anonymised_at`` and deleted rows
  are gone, so no later batch or run picks them again (running twice changes
  nothing the second time).
- Files go only after the batch commits (``transaction.on_commit``); a rolled
  back batch keeps its files.
- The run record holds counts and rule keys, never personal data.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Lookup, Q
from django.db.models.sql import UpdateQuery
from django.utils import timezone, translation

from .models import PurgeRun, PurgeRunRule, RetentionPolicy
from .registry import Action, RetentionRule, personal_data
from .selectors import held_object_ids, held_subject_ids

logger = logging.getLogger(__name__)

# Rows per transaction: each commit costs a WAL flush, so larger batches get
# closer to one big UPDATE (measured in bench/purge.py) while each lock stays short.
BATCH_SIZE = 5000


@dataclass
class RuleOutcome:
    key: str
    model_label: str
    action: str
    matched: int = 0
    anonymised: int = 0
    deleted: int = 0
    skipped_hold: int = 0
    errors: int = 0
    error_message: str = ""


def _english(text) -> str:
    with translation.override("en"):
        return str(text)


def retention_rules() -> list[RetentionRule]:
    return [rule for d in personal_data.declarations() for rule in d.rules()]


def retention_policies_sync() -> dict[str, RetentionPolicy]:
    """Mirror every registry rule as a RetentionPolicy row (never deletes rows).

    Admin-tuned values (period, enabled) are kept; descriptive columns follow
    the code. Safe when several workers start a purge at the same moment.
    """
    rules = {rule.key: rule for rule in retention_rules()}

    def describe(rule: RetentionRule) -> dict:
        return {
            "model_label": rule.model._meta.label,
            "action": str(rule.retention.action),
            # Stored in English, whatever language the caller has active.
            "description": _english(rule.retention.description),
            "default_period_days": rule.retention.after.days,
        }

    existing = {p.key: p for p in RetentionPolicy.objects.filter(key__in=rules)}
    missing = [
        RetentionPolicy(
            key=key, period_days=rule.retention.after.days, **describe(rule)
        )
        for key, rule in rules.items()
        if key not in existing
    ]
    if missing:
        # A concurrent run may insert the same keys first; theirs are as good.
        RetentionPolicy.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {p.key: p for p in RetentionPolicy.objects.filter(key__in=rules)}
    for key, policy in existing.items():
        values = describe(rules[key])
        if any(getattr(policy, k) != v for k, v in values.items()):
            RetentionPolicy.objects.filter(pk=policy.pk).update(**values)
            for k, v in values.items():
                setattr(policy, k, v)
    return existing


def _held_q(rule: RetentionRule, now: dt.datetime) -> Q | None:
    """Rows of the rule's model that a hold keeps, or None when nothing is held."""
    q = Q()
    subjects = held_subject_ids(now=now)
    if subjects:
        path = rule.declaration.subject
        q |= Q(pk__in=subjects) if not path else Q(**{f"{path}__in": subjects})
    objects = held_object_ids(model=rule.model, now=now)
    if objects:
        q |= Q(pk__in=objects)
    return q or None


def _file_fields(rule: RetentionRule) -> list:
    """Model fields whose files go when the rule acts on a row."""
    model = rule.model
    if rule.retention.action == Action.DELETE:
        return [f for f in model._meta.concrete_fields if hasattr(f, "storage")]
    return [model._meta.get_field(name) for name in rule.declaration.file_fields()]


def _delete_files(files: list[tuple[object, str]]) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("retention: could not delete a file of a purged row")


class _AnyOf(Lookup):
    """``pk = ANY(%s)``: one array parameter instead of thousands (PostgreSQL)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]


def _pk_in(pks: list):
    if connection.vendor == "postgresql":
        return _AnyOf(F("pk"), pks)
    return Q(pk__in=pks)


def _claimed_update(rule: RetentionRule, claim, file_fields) -> tuple:
    """Claim a batch and anonymise it in one statement (PostgreSQL).

    ``WITH claimed AS (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n), updated AS
    (UPDATE ... FROM claimed RETURNING ...) SELECT count, max pk, files``: one
    round trip per batch instead of a SELECT and an UPDATE, and one row back
    instead of one per row. The file names are the ones the rows had before
    the update (the files to delete after commit). The SET clause is compiled
    by Django from the registry's SQL anonymisers, as ``QuerySet.update()``
    would compile it.

    Returns (rows updated, the batch's last primary key or None, one list of
    non-empty file names per file field).
    """
    model = rule.model
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    claim_sql, claim_params = claim.query.sql_with_params()
    update = UpdateQuery(model)
    update.add_update_values(rule.declaration.anonymise_updates())
    set_sql, set_params = update.get_compiler(connection=connection).as_sql()
    files = [f"f{i}" for i in range(len(file_fields))]
    columns = ["pk", *files]
    # Identifiers are quoted and values are parameters; the rest is SQL that
    # Django compiled.
    sql = (
        f"WITH claimed ({', '.join(columns)}) AS ({claim_sql}), "  # noqa: S608
        f"updated AS ({set_sql} FROM claimed WHERE {table}.{pk} = claimed.pk "
        # Without this the planner hash-joins the batch to a scan of the
        # whole table; with it, the batch's rows come through the pk index.
        f"AND {table}.{pk} = ANY(ARRAY(SELECT pk FROM claimed)) "
        f"RETURNING {', '.join('claimed.' + c for c in columns)}) "
        f"SELECT count(*), max(pk)"
        + "".join(f", array_agg({f}) FILTER (WHERE {f} <> '')" for f in files)
        + " FROM updated"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*claim_params, *set_params))
        done, last_pk, *names = cursor.fetchone()
    return done, last_pk, [n or [] for n in names]


def _process_batch(
    rule: RetentionRule, candidates, *, after_pk, batch_size: int
) -> tuple[object, int]:
    """Claim and process one batch in its own transaction.

    Returns the batch's last primary key (None when no rows are left) and the
    number of rows changed. Batches walk forward by primary key (keyset), so
    each claim starts where the last ended instead of rescanning processed
    rows.
    """
    model = rule.model
    file_fields = _file_fields(rule)
    with transaction.atomic():
        claim = candidates.order_by("pk")
        if after_pk is not None:
            claim = claim.filter(pk__gt=after_pk)
        claim = claim.select_for_update(skip_locked=True, of=("self",)).values_list(
            "pk", *(f.attname for f in file_fields)
        )[:batch_size]
        if (
            connection.vendor == "postgresql"
            and rule.retention.action == Action.ANONYMISE
            and not model._meta.parents
        ):
            done, last_pk, names = _claimed_update(rule, claim, file_fields)
            files = [
                (f.storage, name)
                for f, field_names in zip(file_fields, names, strict=True)
                for name in field_names
            ]
        else:
            rows = list(claim)
            if not rows:
                return None, 0
            pks = [row[0] for row in rows]
            last_pk = pks[-1]
            files = [
                (f.storage, name)
                for row in rows
                for f, name in zip(file_fields, row[1:], strict=True)
                if name
            ]
            batch = model._default_manager.filter(_pk_in(pks))
            if rule.retention.action == Action.ANONYMISE:
                done = batch.update(**rule.declaration.anonymise_updates())
            else:
                _total, per_model = batch.delete()
                done = per_model.get(model._meta.label, 0)
        if files:
            transaction.on_commit(lambda: _delete_files(files))
        return last_pk, done


def _purge_rule(
    rule: RetentionRule,
    *,
    after: dt.timedelta,
    now: dt.datetime,
    dry_run: bool,
    batch_size: int,
) -> RuleOutcome:
    outcome = RuleOutcome(
        key=rule.key,
        model_label=rule.model._meta.label,
        action=str(rule.retention.action),
    )
    expired = rule.expired(now=now, after=after)
    held = _held_q(rule, now)
    candidates = expired if held is None else expired.exclude(held)
    if held is not None:
        outcome.skipped_hold = expired.filter(held).count()
    if dry_run:
        would = candidates.count()
        outcome.matched = would + outcome.skipped_hold
        if rule.retention.action == Action.ANONYMISE:
            outcome.anonymised = would
        else:
            outcome.deleted = would
        return outcome
    after_pk = None
    while True:
        try:
            last_pk, done = _process_batch(
                rule, candidates, after_pk=after_pk, batch_size=batch_size
            )
        except DatabaseError as exc:
            # The batch rolled back as a whole; stop this rule, report the type only.
            outcome.errors += 1
            outcome.error_message = type(exc).__name__
            logger.exception("retention: rule %s failed", rule.key)
            break
        if last_pk is None:
            break
        after_pk = last_pk
        if rule.retention.action == Action.ANONYMISE:
            outcome.anonymised += done
        else:
            outcome.deleted += done
    outcome.matched = outcome.anonymised + outcome.deleted + outcome.skipped_hold
    return outcome


def retention_purge(
    *,
    dry_run: bool = False,
    rule_key: str | None = None,
    now: dt.datetime | None = None,
    batch_size: int = BATCH_SIZE,
    triggered_by: str = "command",
) -> PurgeRun:
    """Apply every enabled retention rule (or one, by key) and record the run."""
    now = now or timezone.now()
    policies = retention_policies_sync()
    rules = retention_rules()
    if rule_key is not None:
        rules = [r for r in rules if r.key == rule_key]
        if not rules:
            raise ValueError(f"No retention rule with the key {rule_key!r}.")
    run = PurgeRun.objects.create(dry_run=dry_run, triggered_by=triggered_by)
    try:
        for rule in rules:
            policy = policies[rule.key]
            if not policy.enabled:
                continue
            outcome = _purge_rule(
                rule,
                after=dt.timedelta(days=policy.period_days),
                now=now,
                dry_run=dry_run,
                batch_size=batch_size,
            )
            PurgeRunRule.objects.create(
                run=run,
                rule_key=outcome.key,
                model_label=outcome.model_label,
                action=outcome.action,
                matched=outcome.matched,
                anonymised=outcome.anonymised,
                deleted=outcome.deleted,
                skipped_hold=outcome.skipped_hold,
                errors=outcome.errors,
                error_message=outcome.error_message,
            )
    except BaseException:
        run.status = PurgeRun.Status.FAILED
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
        raise
    failed = run.rules.filter(errors__gt=0).exists()
    run.status = PurgeRun.Status.FAILED if failed else PurgeRun.Status.COMPLETED
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at"])
    return run
