"""The breach register's 48-hour reminder (GDPR Art. 33(1): 72 hours to notify).

What must never happen, and how it is prevented:
- A reminder sent twice: a breach is claimed with ``SELECT ... FOR UPDATE SKIP
  LOCKED`` and ``reminder_sent_at`` is set in the same transaction, so
  concurrent runs never claim the same breach and a later run finds it done.
  A send that raises clears the mark again, so the next hourly run retries.
- A reminder for a breach already notified, or before 48 hours: only rows with
  no ``authority_notified_at`` and ``discovered_at`` at least 48 hours ago are
  claimed.
- Personal data in the e-mail: it names the breach's reference and times and
  links to the admin; the description stays in the admin.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.models import Breach
from core.mail import absolute_url

logger = logging.getLogger(__name__)


def breach_staff_recipients() -> list[str]:
    """Addresses of active staff who may view breaches (superusers included)."""
    staff = (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__codename="view_breach")
            | Q(groups__permissions__codename="view_breach")
        )
        .distinct()
        .order_by("pk")
    )
    return [u.email for u in staff if u.email and u.has_perm("compliance.view_breach")]


def _claim(now: dt.datetime) -> list[Breach]:
    with transaction.atomic():
        due = list(
            Breach.objects.filter(
                authority_notified_at__isnull=True,
                reminder_sent_at__isnull=True,
                discovered_at__lte=now - Breach.REMIND_AFTER,
            )
            .order_by("discovered_at", "pk")
            .select_for_update(skip_locked=True)
        )
        if due:
            Breach.objects.filter(pk__in=[b.pk for b in due]).update(
                reminder_sent_at=now
            )
    return due


def _body(breach: Breach) -> str:
    url = absolute_url(reverse("admin:compliance_breach_change", args=[breach.pk]))
    deadline = timezone.localtime(breach.notification_deadline)
    return _(
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


def breach_reminders_send(*, now: dt.datetime | None = None) -> int:
    """E-mail staff once per breach 48 hours after discovery while the
    authority has not been notified. Returns the number of breaches reminded."""
    now = now or timezone.now()
    due = _claim(now)
    if not due:
        return 0
    recipients = breach_staff_recipients()
    if not recipients:
        # Nobody to tell: leave the breaches unmarked so a later run retries
        # once someone has the permission.
        logger.error("breach reminder: no active staff may view breaches")
        Breach.objects.filter(pk__in=[b.pk for b in due]).update(reminder_sent_at=None)
        return 0
    reminded = 0
    for breach in due:
        deadline = timezone.localtime(breach.notification_deadline)
        subject = _("[Worksome] Breach %(ref)s: notify the authority by %(when)s") % {
            "ref": breach.reference,
            "when": f"{deadline:%Y-%m-%d %H:%M}",
        }
        try:
            send_mail(subject, _body(breach), None, recipients)
        except Exception:
            # A later run retries this breach; the others are sent.
            logger.exception("breach reminder: sending failed")
            Breach.objects.filter(pk=breach.pk).update(reminder_sent_at=None)
        else:
            reminded += 1
    return reminded
