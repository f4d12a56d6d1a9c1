"""The alert fan-out of a posted opportunity, and the "Opportunity digest"
beat entry, applied as posting and beat apply them, on a real prefork worker
(PostgreSQL, Redis): each matching freelancer's delivery row is sent once,
and applying each task a second time sends nothing more.

The worker's mail backend discards (``EMAIL_URL=dummymail://``): what is
checked is the delivery rows the worker wrote, not an outbox.
"""

import datetime as dt

import pytest
from celery import states
from django.utils import timezone

from opportunities.models import Opportunity, OpportunityDelivery
from opportunities.tasks import opportunity_fanout
from tests.opportunities.support import poster, skill, subscriber
from worksome.celery import app

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ENTRY = "Opportunity digest"


def test_fanout_and_digest_send_each_delivery_once_on_a_real_worker(
    start_workers, settings, monkeypatch
):
    monkeypatch.setenv("EMAIL_URL", "dummymail://")
    immediate = [subscriber(frequency="immediate") for _ in range(3)]
    daily = [subscriber(frequency="daily") for _ in range(2)]
    subscriber(skills=("React",))  # no match
    who = poster()
    # Rows as the post service stores them; the task is applied below, to
    # the worker's queue, as the post's on_commit applies it.
    opportunity = Opportunity.objects.create(
        company=who.company,
        created_by=who.member,
        title="Django developer",
        description="Build it.",
        work_mode="remote",
        deadline=timezone.localdate() + dt.timedelta(days=7),
    )
    opportunity.skills.set([skill("Django")])
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queue = start_workers(1, pool="prefork")
    app.loader.import_default_modules()

    def apply(task, args=(), kwargs=None, **options):
        result = task.apply_async(args, kwargs or {}, queue=queue, **options)
        answer = result.get(timeout=120)
        assert result.state == states.SUCCESS
        return answer

    assert apply(opportunity_fanout, [opportunity.pk]) == {"matched": 5, "sent": 3}
    assert apply(opportunity_fanout, [opportunity.pk]) == {"matched": 0, "sent": 0}
    sent = OpportunityDelivery.objects.filter(sent_at__isnull=False)
    assert set(sent.values_list("user_id", flat=True)) == {u.pk for u in immediate}

    entry = settings.CELERY_BEAT_SCHEDULE[ENTRY]
    digest = app.tasks[entry["task"]]
    options = entry.get("options", {})
    assert apply(digest, entry.get("args", ()), entry.get("kwargs"), **options) == 2
    assert apply(digest, entry.get("args", ()), entry.get("kwargs"), **options) == 0
    assert set(sent.values_list("user_id", flat=True)) == {
        u.pk for u in immediate + daily
    }
    assert OpportunityDelivery.objects.count() == 5
