"""A mailing sent on a real prefork worker (PostgreSQL, Redis): the page task
queues itself, on its own queue, until every member of the audience has one
delivery; a second delivery of the first task mails nobody again."""

import pytest
from celery import states

from mailings.models import Mailing, MailingDelivery
from mailings.tasks import mailing_send
from tests.integration.conftest import wait_for
from tests.mailings import support

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_mailing_is_sent_in_pages_by_a_real_worker(start_workers, monkeypatch):
    # The worker process reads these from its environment at start.
    monkeypatch.setenv("EMAIL_URL", "memorymail://")
    monkeypatch.setenv("MAILING_PAGE_SIZE", "2")
    monkeypatch.setenv("MAILING_RATE_PER_SECOND", "50")
    members = [support.member("not_opted_in", language="en") for _ in range(5)]
    support.member("closed")  # not in the audience
    mailing = support.mailing(audience=Mailing.Audience.FREELANCERS)
    Mailing.objects.filter(pk=mailing.pk).update(
        status=Mailing.Status.SENDING, run_token="chain"
    )
    queue = start_workers(1, pool="prefork")

    result = mailing_send.apply_async((mailing.pk, "chain"), queue=queue)
    assert result.get(timeout=120) == 2  # the first page; the rest follow
    assert result.state == states.SUCCESS

    def sent() -> bool:
        return Mailing.objects.filter(pk=mailing.pk, status="sent").exists()

    assert wait_for(sent, timeout=60), MailingDelivery.objects.values_list(
        "state", flat=True
    )
    deliveries = MailingDelivery.objects.filter(mailing=mailing)
    assert sorted(deliveries.values_list("user_id", flat=True)) == sorted(
        m.pk for m in members
    )
    assert set(deliveries.values_list("state", "language")) == {("sent", "en")}

    # The first task delivered again (a broker redelivery): nothing more.
    again = mailing_send.apply_async((mailing.pk, "chain"), queue=queue)
    assert again.get(timeout=60) == 0
    assert deliveries.count() == 5
