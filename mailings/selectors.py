"""Reads of mailings: the audience a mailing goes to, its preview, its counts."""

from __future__ import annotations

import copy

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count, Exists, OuterRef, Subquery

from consent.mail import mail_build
from consent.models import EmailOpen
from mailings.models import TAG_PREFIX, Mailing, MailingDelivery
from profiles.models import CompanyMembership

LANGUAGES = ("da", "en")


def mailing_audience(*, mailing: Mailing) -> models.QuerySet:
    """The members a mailing is for, in user id order (the keyset the sender
    walks). Accounts that are closed, erased or deactivated are nobody's
    audience; whether a member may get a marketing mail at all is asked per
    member at sending time (``consent.mail.mail_may_send``)."""
    users = get_user_model().objects.filter(
        is_active=True, closed_at__isnull=True, anonymised_at__isnull=True
    )
    if mailing.audience == Mailing.Audience.FREELANCERS:
        users = users.filter(
            freelancer_profile__isnull=False,
            freelancer_profile__anonymised_at__isnull=True,
        )
    elif mailing.audience == Mailing.Audience.COMPANY_MEMBERS:
        memberships = CompanyMembership.objects.filter(
            user=OuterRef("pk"),
            company__closed_at__isnull=True,
            company__anonymised_at__isnull=True,
        )
        users = users.filter(Exists(memberships))
    return users.order_by("pk")


def mailing_preview(*, mailing: Mailing, user, language: str):
    """The mail ``user`` would get in ``language``, built by the mail service
    as for a member (headers, footer, unsubscribe link of a marketing mail),
    whatever ``user``'s own choices are. Without the open pixel: staff looking
    at a preview are not an open."""
    reader = copy.copy(user)
    reader.language = language
    return mail_build(
        kind=mailing.kind,
        user=reader,
        subject=mailing.subject,
        body=mailing.body,
        preview=True,
    )


def mailing_list_with_counts(queryset: models.QuerySet) -> models.QuerySet:
    """``queryset`` with ``delivered_count`` and ``opened_count`` (members who
    opened it, counted only for those who allowed tracking), one query."""
    delivered = (
        MailingDelivery.objects.filter(
            mailing=OuterRef("pk"), state=MailingDelivery.State.SENT
        )
        .order_by()
        .values("mailing")
        .annotate(n=Count("pk"))
        .values("n")
    )
    tag = models.functions.Concat(
        models.Value(TAG_PREFIX),
        models.functions.Cast(OuterRef("pk"), models.CharField()),
    )
    opened = (
        EmailOpen.objects.filter(tag=tag)
        .order_by()
        .values("tag")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        delivered_count=models.functions.Coalesce(
            Subquery(delivered, output_field=models.IntegerField()), 0
        ),
        opened_count=models.functions.Coalesce(
            Subquery(opened, output_field=models.IntegerField()), 0
        ),
    )


def mailing_delivery_counts(*, mailing: Mailing) -> dict[str, int]:
    """Deliveries of ``mailing`` by state (a key for every state)."""
    counts = dict.fromkeys(MailingDelivery.State.values, 0)
    rows = (
        MailingDelivery.objects.filter(mailing=mailing)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    counts.update(dict(rows))
    return counts
