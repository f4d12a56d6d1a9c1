"""Writes of compliance: the registers' rows (audited), publishing a policy
version, members' acknowledgements and the e-mails that announce a version
or remind staff of a breach.

Invariants of the two e-mail jobs (``policy_change_notify``,
``breach_reminders_send``), both ``core.batches.claim_and_send``:
- Nobody is e-mailed twice about one version, and no breach is reminded of
  twice: rows are claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` and
  marked (``notified_at``, ``reminder_sent_at``) in the same transaction, so
  concurrent workers never claim the same row and a re-run finds nothing
  left. Each (member, version) pair has one ``PolicyAcknowledgement`` row
  (unique constraint).
- Mail goes out after the claim commits. A send that raises clears that
  row's mark again, so a later run retries it; a worker killed between the
  commit and the send loses that batch's mails (at most once, never twice).
- No personal data in a breach reminder: it names the breach's reference and
  times and links to the admin; the description stays in the admin.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from compliance.models import Breach, PolicyAcknowledgement, PolicyVersion, Processor
from compliance.selectors import (
    POLICY_LANGUAGES,
    breach_staff_recipients,
    policy_version_render,
)
from core.batches import claim_and_send
from core.mail import absolute_url
from privacy.services import audit_record, audited_delete, audited_save

logger = logging.getLogger(__name__)

NOTIFY_BATCH_SIZE = 200


# --- The registers ---------------------------------------------------------------


def processor_save(
    *, processor: Processor, actor, fields: Iterable[str], created: bool
) -> Processor:
    action = "processor.added" if created else "processor.changed"
    return audited_save(
        obj=processor, actor=actor, action=action, fields=fields, created=created
    )


def processor_delete(*, processor: Processor, actor) -> None:
    audited_delete(obj=processor, actor=actor, action="processor.deleted")


def breach_save(*, breach: Breach, actor, fields: Iterable[str], created: bool):
    if created:
        breach.created_by = actor
    action = "breach.recorded" if created else "breach.changed"
    return audited_save(
        obj=breach, actor=actor, action=action, fields=fields, created=created
    )


# --- Breach reminder (Art. 33(1): 72 hours to notify) ------------------------------


def breach_reminder_send(breach: Breach, *, recipients: list[str]) -> int:
    """The reminder of one breach to ``recipients``; returns the mails sent."""
    deadline = timezone.localtime(breach.notification_deadline)
    url = absolute_url(reverse("admin:compliance_breach_change", args=[breach.pk]))
    subject = _("[Worksome] Breach %(ref)s: notify the authority by %(when)s") % {
        "ref": breach.reference,
        "when": f"{deadline:%Y-%m-%d %H:%M}",
    }
    body = _(
        "The personal-data breach %(ref)s was discovered on %(discovered)s and "
        "the supervisory authority has not been notified.\n\n"
        "Deadline (72 hours, GDPR Art. 33(1)): %(deadline)s.\n\n"
        "Notify Datatilsynet, or record why not, here: %(url)s\n"
    ) % {
        "ref": breach.reference,
        "discovered": f"{timezone.localtime(breach.discovered_at):%Y-%m-%d %H:%M}",
        "deadline": f"{deadline:%Y-%m-%d %H:%M}",
        "url": url,
    }
    return send_mail(subject, body, None, recipients)


def breach_reminders_send(*, now: dt.datetime | None = None) -> int:
    """E-mail staff once per breach 48 hours after discovery while the
    authority has not been notified. Returns the number of breaches reminded.

    Only breaches with no ``authority_notified_at`` and discovered at least
    ``Breach.REMIND_AFTER`` ago are claimed.
    """
    now = now or timezone.now()
    due = Breach.objects.filter(
        authority_notified_at__isnull=True,
        reminder_sent_at__isnull=True,
        discovered_at__lte=now - Breach.REMIND_AFTER,
    ).order_by("discovered_at", "pk")
    if not due.exists():
        return 0
    recipients = breach_staff_recipients()
    if not recipients:
        # Nobody to tell: nothing is claimed, so a later run sends once
        # someone has the permission.
        logger.error("breach reminder: no active staff may view breaches")
        return 0
    return claim_and_send(
        due,
        claim={"reminder_sent_at": now},
        unclaim={"reminder_sent_at": None},
        send=lambda breach: breach_reminder_send(breach, recipients=recipients),
        label="breach reminder",
    )


# --- Policy versions ---------------------------------------------------------------


def policy_version_snapshot(*, version: PolicyVersion) -> None:
    """Store the complete rendered policy of ``version`` in every language."""
    for language in POLICY_LANGUAGES:
        setattr(
            version,
            f"rendered_{language}",
            policy_version_render(version=version, language=language),
        )


def policy_version_publish(*, version: PolicyVersion, actor, base_url: str = ""):
    """Publish a version now; a significant one is announced to members.

    Publishing twice is refused, so the e-mail task is queued once.
    """
    # Function-local on purpose: the task module imports this one (tasks call
    # services); lint-imports ignores exactly this import (pyproject.toml).
    from compliance.tasks import policy_change_notify_task

    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if locked.published_at is not None:
            raise ValidationError(
                _("Version %(v)s is already published."), params={"v": locked.version}
            )
        locked.published_at = timezone.now()
        # The complete text as published, generated sections included.
        policy_version_snapshot(version=locked)
        locked.save(
            update_fields=[
                "published_at",
                *(f"rendered_{language}" for language in POLICY_LANGUAGES),
            ]
        )
        audit_record(
            actor=actor,
            subject=None,
            action="policy.published",
            target=locked,
            details={"version": locked.version, "significant": locked.significant},
        )
        if locked.significant:
            transaction.on_commit(
                lambda: policy_change_notify_task.delay(
                    version_id=locked.pk, base_url=base_url
                )
            )
    version.published_at = locked.published_at
    return locked


def policy_acknowledge(*, user, version_id) -> PolicyAcknowledgement:
    """Record that the member saw the notice of a significant version."""
    try:
        version_id = int(version_id)
    except (TypeError, ValueError):
        raise ValidationError(_("Unknown policy version.")) from None
    version = (
        PolicyVersion.objects.filter(
            pk=version_id,
            significant=True,
            published_at__isnull=False,
            published_at__lte=timezone.now(),
        )
        .only("pk")
        .first()
    )
    if version is None:
        raise ValidationError(_("Unknown policy version."))
    with transaction.atomic():
        ack, _created = PolicyAcknowledgement.objects.get_or_create(
            user=user, version=version
        )
        if ack.acknowledged_at is None:
            ack.acknowledged_at = timezone.now()
            ack.save(update_fields=["acknowledged_at"])
    return ack


# --- The change notice ---------------------------------------------------------------


def _eligible_members(version: PolicyVersion) -> QuerySet:
    return get_user_model().objects.filter(
        is_active=True,
        closed_at__isnull=True,
        anonymised_at__isnull=True,
        date_joined__lt=version.published_at,
    )


def _create_missing_rows(version: PolicyVersion, batch_size: int) -> None:
    """One row per eligible member; existing rows (and their marks) stay."""
    members = _eligible_members(version).exclude(
        policy_acknowledgements__version=version
    )
    last_pk = None
    while True:
        page = members.order_by("pk")
        if last_pk is not None:
            page = page.filter(pk__gt=last_pk)
        ids = list(page.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return
        PolicyAcknowledgement.objects.bulk_create(
            [PolicyAcknowledgement(user_id=pk, version=version) for pk in ids],
            ignore_conflicts=True,
        )
        last_pk = ids[-1]


def policy_notice_message(
    version: PolicyVersion, *, to: str, language: str, base_url: str, connection
) -> EmailMessage:
    """The notice in the member's language (English when none is stored)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        url = f"{base_url.rstrip('/')}{reverse('compliance:policy')}"
        body = _(
            "We have changed our privacy policy (version %(version)s, in force from "
            "%(date)s).\n\nWhat changed:\n%(summary)s\n\nRead it here: %(url)s\n\n"
            "This is a service message: we send it to every member once, whatever "
            "your e-mail preferences.\n"
        ) % {
            "version": version.version,
            "date": formats.date_format(version.effective_date),
            "summary": version.summary or "-",
            "url": url,
        }
        subject = _("[Worksome] Our privacy policy has changed")
    return EmailMessage(subject, body, None, [to], connection=connection)


def policy_change_notify(
    *, version_id: int, base_url: str = "", batch_size: int = NOTIFY_BATCH_SIZE
) -> int:
    """E-mail every eligible member about a significant version, once. Returns
    the number of e-mails sent by this run."""
    version = PolicyVersion.objects.filter(
        pk=version_id, significant=True, published_at__isnull=False
    ).first()
    if version is None:
        return 0
    _create_missing_rows(version, batch_size)
    connection = get_connection()
    unsent = (
        PolicyAcknowledgement.objects.filter(
            version=version,
            notified_at__isnull=True,
            user__is_active=True,
            user__closed_at__isnull=True,
        )
        .select_related("user")
        .only("pk", "user", "user__email", "user__language")
        .order_by("pk")
    )

    def send(ack: PolicyAcknowledgement) -> int:
        return policy_notice_message(
            version,
            to=ack.user.email,
            language=ack.user.language,
            base_url=base_url,
            connection=connection,
        ).send()

    return claim_and_send(
        unsent,
        claim={"notified_at": timezone.now()},
        unclaim={"notified_at": None},
        send=send,
        batch_size=batch_size,
        label="policy notice",
    )
