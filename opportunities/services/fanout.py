"""Alert mail for a posted opportunity: who matches, and sending once.

What must never happen, and how it is prevented:
- One freelancer mailed twice about one opportunity (a retried task, two
  workers, a beat run racing a late task): every match is one
  ``OpportunityDelivery`` row, unique on (opportunity, user), inserted with
  ``ON CONFLICT DO NOTHING``; a row is sent only after its claim
  (``claimed_at``) committed, under ``SELECT ... FOR UPDATE SKIP LOCKED``
  (``core.batches.claim_and_send``), and a claimed row is never claimed
  again. Delivery is at most once: a worker killed after a claim committed
  loses that batch's mails, it never sends them twice.
- All recipients in memory: matching walks the alerts as a keyset (``user_id
  > last``, one page per statement, ``INSERT ... SELECT``), and sending
  works through claimed batches; neither reads the whole population.
- Mail to someone who may not get it now (no consent, withdrawn, restricted,
  objecting/suppressed, unverified address, closed or inactive account):
  ``consent.mail.mail_send_now`` asks ``mail_may_send`` as it builds each
  mail; such a row stays claimed and unsent.
- Alerts for an opportunity closed meanwhile: each batch re-reads it when
  it claims; a closed or expired one sends nothing more.
"""

from __future__ import annotations

import logging

from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from consent.mail import MailKind, mail_checks_read, mail_send_now
from core.batches import claim_and_send, send_each
from core.mail import absolute_url
from opportunities.models import (
    Opportunity,
    OpportunityAlert,
    OpportunityDelivery,
    WorkMode,
)
from profiles.models import FreelancerProfile, User

logger = logging.getLogger(__name__)

#: alerts matched per statement, and deliveries claimed per transaction.
MATCH_PAGE = 2000
SEND_BATCH = 200
#: users whose digests are claimed per transaction.
DIGEST_USERS = 200

#: the alert's column for each work mode (fixed names, not input).
MODE_COLUMN = {
    WorkMode.ONSITE: "onsite",
    WorkMode.REMOTE: "remote",
    WorkMode.HYBRID: "hybrid",
}


def _match_sql(*, work_mode: str) -> str:
    alert = OpportunityAlert._meta.db_table
    profile = FreelancerProfile._meta.db_table
    profile_skills = FreelancerProfile.skills.through._meta.db_table
    user = User._meta.db_table
    delivery = OpportunityDelivery._meta.db_table
    # Remote work is done from anywhere: the alert's city counts only for
    # on-site and hybrid work.
    city = (
        ""
        if work_mode == WorkMode.REMOTE
        else "AND (a.city = '' OR lower(a.city) = lower(%(city)s))"
    )
    return f"""
        WITH page AS (
            SELECT a.user_id, a.frequency = 'daily' AS digest
            FROM {alert} a
            JOIN {user} u ON u.id = a.user_id
            JOIN {profile} f ON f.user_id = a.user_id
            WHERE a.user_id > %(after)s
              AND a.{MODE_COLUMN[work_mode]}
              AND u.is_active AND u.closed_at IS NULL
              {city}
              AND EXISTS (
                  SELECT 1 FROM {profile_skills} fs
                  WHERE fs.freelancerprofile_id = f.id
                    AND fs.skill_id = ANY(%(skills)s)
              )
            ORDER BY a.user_id
            LIMIT %(size)s
        ), inserted AS (
            INSERT INTO {delivery} (opportunity_id, user_id, digest, created_at)
            SELECT %(opportunity)s, user_id, digest, %(now)s FROM page
            ON CONFLICT (opportunity_id, user_id) DO NOTHING
            RETURNING 1
        )
        SELECT (SELECT max(user_id) FROM page),
               (SELECT count(*) FROM page),
               (SELECT count(*) FROM inserted)
    """  # noqa: S608 - table and column names come from the models, not input


def deliveries_match(*, opportunity: Opportunity, page_size: int = MATCH_PAGE) -> int:
    """Record a delivery row for every freelancer the opportunity matches:
    their alert allows its work mode (and city, unless remote) and their
    profile shares at least one of its competences. Returns the rows added
    (rows an earlier run added are left alone)."""
    skills = list(opportunity.skills.values_list("pk", flat=True))
    if not skills:
        return 0
    if connection.vendor != "postgresql":
        return _deliveries_match_orm(
            opportunity=opportunity, skills=skills, page_size=page_size
        )
    sql = _match_sql(work_mode=opportunity.work_mode)
    after, added = 0, 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                sql,
                {
                    "after": after,
                    "skills": skills,
                    "city": opportunity.city,
                    "size": page_size,
                    "opportunity": opportunity.pk,
                    "now": timezone.now(),
                },
            )
            last, seen, inserted = cursor.fetchone()
        added += inserted
        if not seen or seen < page_size:
            return added
        after = last


def _deliveries_match_orm(
    *, opportunity: Opportunity, skills: list[int], page_size: int
) -> int:
    """``deliveries_match`` without PostgreSQL (SQLite, ``make run``: no
    data-modifying CTE, no array parameter): the same rule and keyset pages,
    two statements a page. Returns the rows added."""
    mode = MODE_COLUMN[opportunity.work_mode]
    alerts = OpportunityAlert.objects.filter(
        **{mode: True},
        user__is_active=True,
        user__closed_at__isnull=True,
    ).filter(
        Exists(
            FreelancerProfile.skills.through.objects.filter(
                freelancerprofile__user_id=OuterRef("user_id"), skill_id__in=skills
            )
        )
    )
    if opportunity.work_mode != WorkMode.REMOTE:
        alerts = alerts.filter(Q(city="") | Q(city__iexact=opportunity.city))
    after, added = 0, 0
    while True:
        page = list(
            alerts.filter(user_id__gt=after)
            .order_by("user_id")
            .values_list("user_id", "frequency")[:page_size]
        )
        if not page:
            return added
        with transaction.atomic():
            existing = set(
                OpportunityDelivery.objects.filter(
                    opportunity=opportunity, user_id__in=[u for u, _f in page]
                ).values_list("user_id", flat=True)
            )
            now = timezone.now()
            OpportunityDelivery.objects.bulk_create(
                [
                    OpportunityDelivery(
                        opportunity=opportunity,
                        user_id=user_id,
                        digest=frequency == OpportunityAlert.Frequency.DAILY,
                        created_at=now,
                    )
                    for user_id, frequency in page
                    if user_id not in existing
                ],
                ignore_conflicts=True,
            )
        added += len(page) - len(existing)
        if len(page) < page_size:
            return added
        after = page[-1][0]


def _opportunity_context(opportunity: Opportunity) -> dict:
    return {
        "opportunity": opportunity,
        "url": absolute_url(opportunity.get_absolute_url()),
        "alerts_url": absolute_url(reverse("opportunities:alerts")),
    }


def deliveries_send_immediate(
    *, opportunity: Opportunity, batch_size: int = SEND_BATCH
) -> int:
    """Mail the immediate subscribers their one mail for ``opportunity``;
    returns the mails sent."""
    state = {"listed": opportunity.is_listed, "checks": None}
    context = _opportunity_context(opportunity)
    sent_rows: list[int] = []

    def sent_record() -> None:
        """Stamp the rows mailed so far (one UPDATE per batch, not per mail)."""
        if sent_rows:
            OpportunityDelivery.objects.filter(pk__in=sent_rows).update(
                sent_at=timezone.now()
            )
            sent_rows.clear()

    def recheck(rows) -> None:  # in each claim's transaction
        sent_record()
        current = Opportunity.objects.filter(pk=opportunity.pk).first()
        state["listed"] = current is not None and current.is_listed
        # Consent, address, restriction and suppression of the whole batch,
        # as of now: the moment this batch is sent.
        state["checks"] = mail_checks_read(users=[row.user for row in rows])

    mail = get_connection()

    def send(row: OpportunityDelivery) -> int:
        if not state["listed"]:
            return 0
        sent = mail_send_now(
            kind=MailKind.OPPORTUNITY,
            user=row.user,
            template="opportunities/email/alert",
            context=context,
            tag=f"opportunity:{opportunity.pk}",
            connection=mail,
            checks=state["checks"],
        )
        if not sent:
            return 0
        sent_rows.append(row.pk)
        return 1

    pending = (
        OpportunityDelivery.objects.filter(
            opportunity=opportunity, digest=False, claimed_at__isnull=True
        )
        .select_related("user")
        .order_by("pk")
    )
    try:
        return claim_and_send(
            pending,
            claim={"claimed_at": timezone.now()},
            unclaim={"claimed_at": None},
            send=send,
            batch_size=batch_size,
            label="opportunities.alert",
            on_claim=recheck,
        )
    finally:
        sent_record()


def opportunity_fanout_run(*, opportunity_id: int) -> dict[str, int]:
    """Match, then send the immediate alerts (the task's body; idempotent)."""
    opportunity = Opportunity.objects.filter(pk=opportunity_id).first()
    if opportunity is None or not opportunity.is_listed:
        return {"matched": 0, "sent": 0}
    matched = deliveries_match(opportunity=opportunity)
    sent = deliveries_send_immediate(opportunity=opportunity)
    return {"matched": matched, "sent": sent}


def digests_send(*, users_per_batch: int = DIGEST_USERS) -> int:
    """Daily: each digest subscriber's pending deliveries in one mail.

    Users are walked as a keyset; a page's pending rows are claimed under
    SKIP LOCKED, committed, then mailed, one mail per user with every
    opportunity still listed. Returns the mails sent.
    """
    mail = get_connection()
    after, sent = 0, 0
    while True:
        user_ids = list(
            OpportunityDelivery.objects.filter(
                digest=True, claimed_at__isnull=True, user_id__gt=after
            )
            .order_by("user_id")
            .values_list("user_id", flat=True)
            .distinct()[:users_per_batch]
        )
        if not user_ids:
            return sent
        after = user_ids[-1]
        with transaction.atomic():
            rows = list(
                OpportunityDelivery.objects.filter(
                    user_id__in=user_ids, digest=True, claimed_at__isnull=True
                )
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("user_id", "pk")
                .values_list("pk", "user_id", "opportunity_id")
            )
            OpportunityDelivery.objects.filter(pk__in=[r[0] for r in rows]).update(
                claimed_at=timezone.now()
            )
        by_user: dict[int, list[tuple[int, int]]] = {}
        for pk, user_id, opportunity_id in rows:
            by_user.setdefault(user_id, []).append((pk, opportunity_id))
        listed = {
            o.pk: o
            for o in Opportunity.objects.filter(
                pk__in={r[2] for r in rows},
                status=Opportunity.Status.OPEN,
                deadline__gte=timezone.localdate(),
                company__closed_at__isnull=True,
            ).select_related("company")
        }
        users = User.objects.in_bulk(list(by_user))
        checks = mail_checks_read(users=users.values())

        def send(item, users=users, listed=listed, checks=checks) -> int:
            user_id, entries = item
            items = [
                _opportunity_context(listed[o]) for _pk, o in entries if o in listed
            ]
            if not items or user_id not in users:
                return 0
            ok = mail_send_now(
                kind=MailKind.OPPORTUNITY,
                user=users[user_id],
                template="opportunities/email/digest",
                context={
                    "items": items,
                    "alerts_url": absolute_url(reverse("opportunities:alerts")),
                },
                tag="opportunity:digest",
                connection=mail,
                checks=checks,
            )
            if not ok:
                return 0
            OpportunityDelivery.objects.filter(
                pk__in=[pk for pk, _o in entries]
            ).update(sent_at=timezone.now())
            return 1

        done, failed = send_each(by_user.items(), send, label="opportunities.digest")
        sent += done
        if failed:  # a send that raised is retried by a later run
            OpportunityDelivery.objects.filter(
                pk__in=[pk for _u, entries in failed for pk, _o in entries]
            ).update(claimed_at=None)
