"""Deliveries and opens in the registry: in the member's access export,
deleted by the purge 12 months after, and at once on erasure."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.utils import timezone

from consent.models import EmailOpen
from core.storage import export_storage
from mailings import services
from mailings.models import Mailing, MailingDelivery
from privacy.requests import services as dsr
from privacy.retention import retention_purge
from tests.mailings import support

pytestmark = pytest.mark.django_db

YEAR = dt.timedelta(days=365)


def _sent_to(*members) -> Mailing:
    mailing = support.mailing(audience=Mailing.Audience.FREELANCERS)
    Mailing.objects.filter(pk=mailing.pk).update(
        status=Mailing.Status.SENDING, run_token="t"
    )
    services.mailing_send_page(mailing_id=mailing.pk, token="t")
    assert MailingDelivery.objects.filter(mailing=mailing).count() == len(members)
    return mailing


def _export(user, capture) -> dict:
    request = dsr.dsr_submit(user=user, kind="access")
    with capture(execute=True):
        dsr.dsr_export_request(request=request, actor=None, base_url="http://t/")
    request.refresh_from_db()
    with export_storage.open_plain(request.export.file.name) as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    return json.loads(archive.read("data.json"))


def test_the_access_export_holds_the_members_deliveries_and_opens(
    django_capture_on_commit_callbacks, eager_tasks
):
    member = support.member("not_opted_in", language="en")
    other = support.member("not_opted_in")
    mailing = _sent_to(member, other)
    EmailOpen.objects.create(user=member, tag=mailing.tag)
    EmailOpen.objects.create(user=other, tag=mailing.tag)

    payload = _export(member, django_capture_on_commit_callbacks)
    data = payload["data"]
    (delivery,) = data["mailings.MailingDelivery"]
    assert delivery["mailing"] == {
        "id": mailing.pk,
        "kind": "service",
        "subject": {"da": "Planlagt nedetid", "en": "Planned downtime"},
    }
    assert (delivery["state"], delivery["language"]) == ("sent", "en")
    assert delivery["sent_at"]
    (opened,) = data["consent.EmailOpen"]
    assert opened["tag"] == mailing.tag and opened["opened_at"]
    assert other.email not in json.dumps(payload)


def test_the_purge_deletes_deliveries_and_opens_12_months_after(
    django_capture_on_commit_callbacks,
):
    member = support.member("not_opted_in")
    old = _sent_to(member)
    fresh = _sent_to(member)
    MailingDelivery.objects.filter(mailing=old).update(
        sent_at=timezone.now() - YEAR - dt.timedelta(minutes=1)
    )
    MailingDelivery.objects.filter(mailing=fresh).update(
        sent_at=timezone.now() - YEAR + dt.timedelta(minutes=1)
    )
    EmailOpen.objects.create(
        user=member,
        tag=old.tag,
        opened_at=timezone.now() - YEAR - dt.timedelta(minutes=1),
    )
    EmailOpen.objects.create(user=member, tag=fresh.tag)
    with django_capture_on_commit_callbacks(execute=True):
        run = retention_purge()
    assert run.status == "completed"
    assert list(MailingDelivery.objects.values_list("mailing", flat=True)) == [fresh.pk]
    assert list(EmailOpen.objects.values_list("tag", flat=True)) == [fresh.tag]
    assert run.rules.get(rule_key="mailings.delivery.sent").deleted == 1
    assert run.rules.get(rule_key="consent.email_open.recorded").deleted == 1


def test_erasure_deletes_the_members_deliveries_and_opens(
    django_capture_on_commit_callbacks,
):
    from privacy.erasure import erasure_execute

    member = support.member("not_opted_in")
    other = support.member("not_opted_in")
    mailing = _sent_to(member, other)
    EmailOpen.objects.create(user=member, tag=mailing.tag)
    with django_capture_on_commit_callbacks(execute=True):
        erasure_execute(user=member, actor=None)
    assert list(MailingDelivery.objects.values_list("user", flat=True)) == [other.pk]
    assert not EmailOpen.objects.exists()
