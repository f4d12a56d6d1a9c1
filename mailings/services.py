"""Writes of mailings: start, resume and cancel sending, a test to oneself, and
the sender's page step.

What must never happen, and how it is prevented:
- A member mailed twice for one mailing (a retried task, two workers, a
  re-queue after a crash, a resume): a mail goes out only for a
  ``MailingDelivery`` row this worker claimed (``pending`` -> ``sending``
  under ``SELECT ... FOR UPDATE SKIP LOCKED``, committed before the send,
  ``core.batches.claim_and_send``), and there is one row per (mailing, user)
  ever (a unique constraint; rows are inserted with ON CONFLICT DO NOTHING).
  A worker killed after its claim committed loses those sends (at most once):
  a ``sending`` row is never claimed again.
- All recipients in memory: the audience is walked in keyset pages
  (``Mailing.cursor``, the last user id reached), one page per task run; the
  task queues itself for the next page.
- Sending faster than ``MAILING_RATE_PER_SECOND``: the next page is queued
  with a countdown of (mails sent in this page / rate) seconds.
- A marketing mail to someone who may not get it: the mail service asks
  ``mail_may_send`` as it builds each mail, at the moment of sending; a member
  it refuses is skipped and their row deleted (only a count stays), so the
  record says who got the mail, not who was refused it.
- Two chains of page tasks for one mailing (a resume while the old chain is
  still alive): each start or resume draws a new ``run_token``; a page task
  carrying another token does nothing and stops.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consent.mail import mail_checks_read, mail_language, mail_send_now
from consent.mail.service import TRANSIENT_ERRORS
from core.batches import claim_and_send
from mailings.models import Mailing, MailingDelivery
from mailings.selectors import LANGUAGES, mailing_audience, mailing_preview
from privacy.services import audit_record

logger = logging.getLogger(__name__)

SEND_PERMISSION = "mailings.send_mailing"


@dataclass(frozen=True)
class PageStep:
    """What one page of sending did, and when the next should run."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0
    #: True when the mailing needs no further page (sent, cancelled, or this
    #: chain was replaced by a resume).
    done: bool = True
    #: seconds to wait before the next page, so the rate holds.
    countdown: float = 0.0


def _require_sender(actor) -> None:
    if not actor.has_perm(SEND_PERMISSION):
        raise PermissionDenied(_("You may not send messages to members."))


def mailing_test_send(*, mailing: Mailing, actor) -> int:
    """Send the mailing to ``actor``'s own address, once in each language,
    marked as a test; no delivery is recorded. Returns the mails sent."""
    _require_sender(actor)
    mailing.full_clean()
    with transaction.atomic():
        audit_record(
            actor=actor,
            subject=actor,
            action="mailings.test_sent",
            target=mailing,
            details={"languages": list(LANGUAGES)},
        )
    sent = 0
    for language in LANGUAGES:
        message = mailing_preview(mailing=mailing, user=actor, language=language)
        message.subject = f"[{_('Test')}] {message.subject}"
        message.extra_headers["X-Mailing-Test"] = "yes"
        message.to = [actor.email]
        sent += message.send()
    return sent


def _queue(mailing: Mailing) -> None:
    from mailings.tasks import mailing_send

    pk, token = mailing.pk, mailing.run_token
    transaction.on_commit(lambda: mailing_send.delay(pk, token), robust=True)


def mailing_send_start(*, mailing: Mailing, actor) -> Mailing:
    """Start sending a draft: it becomes read-only and the sender task is
    queued after commit."""
    _require_sender(actor)
    mailing.full_clean()
    with transaction.atomic():
        locked = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if locked.status != Mailing.Status.DRAFT:
            raise ValidationError(_("Only a draft can be sent."), code="not_draft")
        locked.status = Mailing.Status.SENDING
        locked.sending_started_at = timezone.now()
        locked.sent_by = actor
        locked.run_token = secrets.token_hex(16)
        locked.save(
            update_fields=["status", "sending_started_at", "sent_by", "run_token"]
        )
        audit_record(
            actor=actor,
            subject=None,
            action="mailings.sending_started",
            target=locked,
            details={"kind": locked.kind, "audience": locked.audience},
        )
        _queue(locked)
    return locked


def mailing_resume(*, mailing: Mailing, actor) -> Mailing:
    """Queue the sender again for a mailing still sending (its task died or
    was revoked), or a sent one some of whose mail the server refused: it goes
    on from the rows not yet claimed, and the refused ones are tried once
    more. A claimed row (perhaps mailed) is never tried again."""
    _require_sender(actor)
    with transaction.atomic():
        locked = Mailing.objects.select_for_update().get(pk=mailing.pk)
        failed = MailingDelivery.objects.filter(
            mailing=locked, state=MailingDelivery.State.FAILED
        )
        resumable = locked.status == Mailing.Status.SENDING or (
            locked.status == Mailing.Status.SENT and failed.exists()
        )
        if not resumable:
            raise ValidationError(
                _(
                    "Only a message that is being sent, or one with failed "
                    "deliveries, can be resumed."
                ),
                code="not_sending",
            )
        locked.status = Mailing.Status.SENDING
        locked.sent_at = None
        locked.run_token = secrets.token_hex(16)
        locked.save(update_fields=["status", "sent_at", "run_token"])
        retried = failed.update(state=MailingDelivery.State.PENDING, claimed_at=None)
        audit_record(
            actor=actor,
            subject=None,
            action="mailings.sending_resumed",
            target=locked,
            details={"retried": retried},
        )
        _queue(locked)
    return locked


def mailing_cancel(*, mailing: Mailing, actor) -> Mailing:
    """Stop a draft or a sending mailing; mail already sent stays sent."""
    _require_sender(actor)
    with transaction.atomic():
        locked = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if locked.status not in (Mailing.Status.DRAFT, Mailing.Status.SENDING):
            raise ValidationError(
                _("A sent or cancelled message cannot be cancelled."),
                code="not_cancellable",
            )
        locked.status = Mailing.Status.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.run_token = ""
        locked.save(update_fields=["status", "cancelled_at", "run_token"])
        MailingDelivery.objects.filter(
            mailing=locked, state=MailingDelivery.State.PENDING
        ).delete()
        audit_record(
            actor=actor,
            subject=None,
            action="mailings.cancelled",
            target=locked,
            details={},
        )
    return locked


def _page_enqueue(*, mailing_id: int, token: str, size: int) -> Mailing | None:
    """Insert the next page of the audience as pending rows and move the
    cursor past it, under the mailing's row lock; None when this chain is not
    (any longer) the one sending."""
    with transaction.atomic():
        mailing = (
            Mailing.objects.select_for_update()
            .filter(pk=mailing_id, status=Mailing.Status.SENDING, run_token=token)
            .first()
        )
        if mailing is None or not token:
            return None
        ids = list(
            mailing_audience(mailing=mailing)
            .filter(pk__gt=mailing.cursor)
            .values_list("pk", flat=True)[:size]
        )
        if ids:
            MailingDelivery.objects.bulk_create(
                [MailingDelivery(mailing=mailing, user_id=pk) for pk in ids],
                ignore_conflicts=True,
            )
            mailing.cursor = ids[-1]
            Mailing.objects.filter(pk=mailing.pk).update(cursor=ids[-1])
        mailing.walked = len(ids) < size
    return mailing


def mailing_send_page(*, mailing_id: int, token: str) -> PageStep:
    """One page of sending: walk the next ``MAILING_PAGE_SIZE`` members of the
    audience, mail every pending row this worker claims, and say whether (and
    after how long) the next page should run."""
    size = max(1, int(settings.MAILING_PAGE_SIZE))
    rate = float(settings.MAILING_RATE_PER_SECOND)
    mailing = _page_enqueue(mailing_id=mailing_id, token=token, size=size)
    if mailing is None:
        return PageStep()
    sent_languages: dict[int, str] = {}
    skipped: list[int] = []
    state: dict = {"checks": None}

    def checks_read(rows) -> None:  # in each claim's transaction
        state["checks"] = mail_checks_read(users=[row.user for row in rows])

    connection = _connection_open()
    try:

        def send(delivery: MailingDelivery) -> int:
            user = delivery.user
            ok = mail_send_now(
                connection=connection,
                kind=mailing.kind,
                user=user,
                subject=mailing.subject,
                body=mailing.body,
                tag=mailing.tag,
                checks=state["checks"],
            )
            if ok:
                sent_languages[delivery.pk] = mail_language(user=user)
            else:
                skipped.append(delivery.pk)
            return int(ok)

        pending = (
            MailingDelivery.objects.filter(
                mailing_id=mailing.pk, state=MailingDelivery.State.PENDING
            )
            .select_related("user")
            .order_by("pk")
        )
        claim_and_send(
            pending,
            claim={
                "state": MailingDelivery.State.SENDING,
                "claimed_at": timezone.now(),
            },
            unclaim={"state": MailingDelivery.State.FAILED},
            send=send,
            batch_size=size,
            label=f"mailing {mailing.pk}",
            on_claim=checks_read,
        )
    finally:
        connection.close()
    now = timezone.now()
    for language in set(sent_languages.values()):
        keys = [pk for pk, lang in sent_languages.items() if lang == language]
        MailingDelivery.objects.filter(pk__in=keys).update(
            state=MailingDelivery.State.SENT, sent_at=now, language=language
        )
    if skipped:
        MailingDelivery.objects.filter(pk__in=skipped).delete()
        Mailing.objects.filter(pk=mailing.pk).update(
            skipped_count=models.F("skipped_count") + len(skipped)
        )
    done = mailing.walked and _mailing_finish(mailing_id=mailing.pk)
    failed = MailingDelivery.objects.filter(
        mailing_id=mailing.pk, state=MailingDelivery.State.FAILED
    ).count()
    sent = len(sent_languages)
    return PageStep(
        sent=sent,
        skipped=len(skipped),
        failed=failed,
        done=done,
        countdown=_countdown(sent=sent, rate=rate),
    )


def _countdown(*, sent: int, rate: float) -> float:
    """Seconds before the next page: what ``sent`` mails take at ``rate``; a
    page that sent nothing (rows another worker holds) waits a second rather
    than spinning."""
    if sent == 0:
        return 1.0
    return sent / rate if rate > 0 else 0.0


def _connection_open():
    """One connection to the mail server for a page; when it cannot be opened
    now, each send tries on its own (and a refused send marks its row failed)."""
    connection = get_connection()
    try:
        connection.open()
    except TRANSIENT_ERRORS:
        logger.warning("mailings: the mail server did not answer; sending anyway")
    return connection


def _mailing_finish(*, mailing_id: int) -> bool:
    """Mark the mailing sent once its audience is walked and no row is left
    to claim; False while some are (another worker's page)."""
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().get(pk=mailing_id)
        if mailing.status != Mailing.Status.SENDING:
            return True
        if MailingDelivery.objects.filter(
            mailing=mailing, state=MailingDelivery.State.PENDING
        ).exists():
            return False
        mailing.status = Mailing.Status.SENT
        mailing.sent_at = timezone.now()
        mailing.run_token = ""
        mailing.save(update_fields=["status", "sent_at", "run_token"])
    return True
