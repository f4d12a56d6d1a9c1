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
- Files go only after the batch commits, and never get lost: the batch's
  transaction writes them to the file-deletion outbox (``core.files``),
  which is worked through after commit, at the start and end of every run and
  by a beat task; a rolled back batch keeps its files and writes no outbox row.
- The run record holds counts and rule keys, never personal data. Each
  batch adds its counts to the run's rule row in the batch's own transaction,
  so a killed run's counts are exactly what it changed; a run whose process
  is gone (killed, worker lost) is marked failed by the next run.

One module on purpose (~440 lines): the claim, the one-statement batch, the
per-batch counts and the run records together keep the invariants above, and
each relies on the others (a batch's counts are its run's, the second pass
exists because of the claim's SKIP LOCKED); apart, no module would state them
whole. The rules themselves come from the registry
(``personal_data.retention_rules()``), their periods for people from
``privacy.selectors.retention_periods()``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.db.models.sql import UpdateQuery
from django.utils import timezone, translation

from core.files import file_deletions_process, file_deletions_schedule
from privacy.models import PurgeRun, PurgeRunRule, RetentionPolicy
from privacy.queries import pk_in
from privacy.registry import Action, RetentionRule, personal_data
from privacy.selectors import held_object_ids, held_subject_ids

logger = logging.getLogger(__name__)

# Rows per transaction: each commit costs a WAL flush, so larger batches get
# closer to one big UPDATE (measured in bench/purge.py) while each lock stays short.
BATCH_SIZE = 5000
#: a run without a heartbeat for this long has lost its process: the purge
#: task's hard time limit, after which no worker can still be running it.
ABANDONED_AFTER = dt.timedelta(hours=1)


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


def retention_policies_sync() -> dict[str, RetentionPolicy]:
    """Mirror every registry rule as a RetentionPolicy row (never deletes rows).

    Admin-tuned values (period, enabled) are kept; descriptive columns follow
    the code. Safe when several workers start a purge at the same moment.
    """
    rules = {rule.key: rule for rule in personal_data.retention_rules()}

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
    rule: RetentionRule,
    candidates,
    *,
    after_pk,
    batch_size: int,
    record: PurgeRunRule,
    now: dt.datetime,
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
            batch = model._default_manager.filter(pk_in(pks))
            if rule.retention.action == Action.ANONYMISE:
                done = batch.update(**rule.declaration.anonymise_updates())
            else:
                _total, per_model = batch.delete()
                done = per_model.get(model._meta.label, 0)
        if last_pk is None:
            return None, 0
        file_deletions_schedule(files)
        if done:
            personal_data.emit_purge_batch(model=model, now=now)
        anonymises = rule.retention.action == Action.ANONYMISE
        counted = "anonymised" if anonymises else "deleted"
        PurgeRunRule.objects.filter(pk=record.pk).update(
            **{counted: F(counted) + done, "matched": F("matched") + done}
        )
        PurgeRun.objects.filter(pk=record.run_id).update(heartbeat_at=Now())
        return last_pk, done


def _purge_rule(
    rule: RetentionRule,
    *,
    run: PurgeRun,
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
        _record_create(run, outcome)
        return outcome
    # Counts are committed with each batch (``_process_batch``), starting here.
    outcome.matched = outcome.skipped_hold
    record = _record_create(run, outcome)
    after_pk = None
    # A second pass from the start picks up rows the first skipped because
    # they were locked: by a live concurrent run (it skips them again) or by
    # the still-open transaction of a killed process, whose locks go only when
    # PostgreSQL notices (the redelivered task starts within a second).
    passes = 2
    while True:
        try:
            last_pk, done = _process_batch(
                rule,
                candidates,
                after_pk=after_pk,
                batch_size=batch_size,
                record=record,
                now=now,
            )
        except DatabaseError as exc:
            # The batch rolled back as a whole; stop this rule, report the type only.
            outcome.errors += 1
            outcome.error_message = type(exc).__name__
            logger.exception("retention: rule %s failed", rule.key)
            PurgeRunRule.objects.filter(pk=record.pk).update(
                errors=F("errors") + 1, error_message=outcome.error_message
            )
            break
        if last_pk is None:
            passes -= 1
            if passes == 0 or after_pk is None:
                break
            after_pk = None
            continue
        after_pk = last_pk
        if rule.retention.action == Action.ANONYMISE:
            outcome.anonymised += done
        else:
            outcome.deleted += done
    outcome.matched = outcome.anonymised + outcome.deleted + outcome.skipped_hold
    return outcome


def _record_create(run: PurgeRun, outcome: RuleOutcome) -> PurgeRunRule:
    return PurgeRunRule.objects.create(
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


def _this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_gone(worker: str) -> bool:
    """Whether ``worker`` ("host:pid") is a process of this host that has ended."""
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def purge_runs_fail_abandoned(*, now: dt.datetime | None = None) -> int:
    """Mark as failed the runs left "running" by a process that is gone.

    A run is abandoned when its process, on this host, no longer exists, or
    when it has shown no sign of life (heartbeat, else start) for longer than
    the purge task's time limit. Its counts stay as its batches committed
    them. Returns the number of runs marked.
    """
    now = now or timezone.now()
    marked = 0
    for run in PurgeRun.objects.filter(status=PurgeRun.Status.RUNNING):
        last_seen = run.heartbeat_at or run.started_at
        if _process_gone(run.worker):
            reason = "process gone (killed or worker lost)"
        elif last_seen < now - ABANDONED_AFTER:
            reason = "no heartbeat since the task's time limit"
        else:
            continue
        marked += PurgeRun.objects.filter(
            pk=run.pk, status=PurgeRun.Status.RUNNING
        ).update(status=PurgeRun.Status.FAILED, finished_at=now, failure_reason=reason)
    if marked:
        logger.warning("retention: %d abandoned purge run(s) marked failed", marked)
    return marked


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
    rules = personal_data.retention_rules()
    if rule_key is not None:
        rules = [r for r in rules if r.key == rule_key]
        if not rules:
            raise ValueError(f"No retention rule with the key {rule_key!r}.")
    purge_runs_fail_abandoned()
    if not dry_run:
        # Files whose deletion a killed run (or erasure) left pending.
        file_deletions_process()
    run = PurgeRun.objects.create(
        dry_run=dry_run,
        triggered_by=triggered_by,
        worker=_this_worker(),
        heartbeat_at=timezone.now(),
    )
    try:
        for rule in rules:
            policy = policies[rule.key]
            if not policy.enabled:
                continue
            _purge_rule(
                rule,
                run=run,
                after=dt.timedelta(days=policy.period_days),
                now=now,
                dry_run=dry_run,
                batch_size=batch_size,
            )
    except BaseException as exc:
        run.status = PurgeRun.Status.FAILED
        run.finished_at = timezone.now()
        run.failure_reason = type(exc).__name__
        run.save(update_fields=["status", "finished_at", "failure_reason"])
        raise
    if not dry_run:
        file_deletions_process()
    failed = run.rules.filter(errors__gt=0).exists()
    run.status = PurgeRun.Status.FAILED if failed else PurgeRun.Status.COMPLETED
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at"])
    return run
