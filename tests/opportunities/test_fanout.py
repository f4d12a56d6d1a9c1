"""Alert fan-out: who matches, one mail per (opportunity, freelancer) however
often the task runs, the skip rules at sending time, and the daily digest."""

import threading
from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from consent.models import MarketingSuppression, Purpose
from consent.selectors import marketing_suppression_hash
from consent.services import consent_record
from opportunities import services, tasks
from opportunities.models import Opportunity, OpportunityDelivery
from privacy.models import DataSubjectRequest
from tests.opportunities.support import post, skill, subscriber

pytestmark = pytest.mark.django_db


def _recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.fixture(params=["postgresql", "portable"])
def matcher(request, monkeypatch):
    """Matching as PostgreSQL runs it (one data-modifying statement a page),
    and as SQLite (``make run``) runs it (the ORM): the same rule."""
    if request.param == "portable":
        from opportunities.services import fanout

        monkeypatch.setattr(fanout, "connection", SimpleNamespace(vendor="sqlite"))
    return request.param


def test_matching_by_competence_work_mode_and_city(matcher):
    fits = subscriber()
    other_skill = subscriber(skills=("React",))
    no_hybrid = subscriber(hybrid=False)
    aarhus = subscriber(city="aarhus")
    odense = subscriber(city="Odense")
    opportunity = post(work_mode="hybrid", city="Aarhus")

    added = services.deliveries_match(opportunity=opportunity, page_size=2)

    matched = set(opportunity.deliveries.values_list("user_id", flat=True))
    assert matched == {fits.pk, aarhus.pk}
    assert added == 2
    assert other_skill.pk not in matched and no_hybrid.pk not in matched
    assert odense.pk not in matched


def test_remote_work_ignores_the_alerts_city(matcher):
    odense = subscriber(city="Odense")
    onsite_only = subscriber(remote=False, hybrid=False)
    opportunity = post(work_mode="remote", city="")
    services.deliveries_match(opportunity=opportunity)
    assert set(opportunity.deliveries.values_list("user_id", flat=True)) == {odense.pk}
    assert onsite_only
    # Again: nothing new, and the count says so.
    assert services.deliveries_match(opportunity=opportunity) == 0


def test_posting_mails_immediate_subscribers_once_in_their_language(
    django_capture_on_commit_callbacks, eager_tasks
):
    danish = subscriber(language="da")
    english = subscriber(language="en")
    digest = subscriber(frequency="daily")
    with django_capture_on_commit_callbacks(execute=True):
        opportunity = post(title="Booking API")

    assert _recipients() == sorted([danish.email, english.email])
    by_address = {m.to[0]: m for m in mail.outbox}
    # The new strings are translated after the merge; the service's footer
    # already is: each mail is rendered in its recipient's language.
    assert "Dataansvarlig" in by_address[danish.email].body
    assert "Data controller" in by_address[english.email].body
    assert "Booking API" in by_address[english.email].subject
    for message in mail.outbox:
        assert f"/opportunities/{opportunity.pk}/" in message.body
        assert "/privacy/email/" in message.body or "preferences" in message.body
        assert message.extra_headers["List-Unsubscribe-Post"] == (
            "List-Unsubscribe=One-Click"
        )
    assert OpportunityDelivery.objects.filter(sent_at__isnull=False).count() == 2
    pending = OpportunityDelivery.objects.get(user=digest)
    assert pending.digest and pending.claimed_at is None


def test_running_the_task_twice_mails_nobody_twice():
    users = [subscriber() for _ in range(5)]
    opportunity = post()
    first = tasks.opportunity_fanout.apply(args=[opportunity.pk]).get()
    second = tasks.opportunity_fanout.apply(args=[opportunity.pk]).get()
    assert first == {"matched": 5, "sent": 5}
    assert second == {"matched": 0, "sent": 0}
    assert _recipients() == sorted(u.email for u in users)


def test_a_claimed_batch_is_never_sent_again():
    """A worker killed after its claim committed: the retry skips the batch
    (at most once), and sends the rest."""
    users = [subscriber() for _ in range(4)]
    opportunity = post()
    services.deliveries_match(opportunity=opportunity)
    lost = OpportunityDelivery.objects.order_by("pk")[:2]
    OpportunityDelivery.objects.filter(pk__in=[d.pk for d in lost]).update(
        claimed_at=timezone.now()
    )
    tasks.opportunity_fanout.apply(args=[opportunity.pk]).get()
    assert _recipients() == sorted(u.email for u in users[2:])


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_mail_each_freelancer_once():
    users = [subscriber() for _ in range(40)]
    opportunity = post()
    errors = []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            services.opportunity_fanout_run(opportunity_id=opportunity.pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _recipients() == sorted(u.email for u in users)
    assert OpportunityDelivery.objects.filter(sent_at__isnull=False).count() == 40


@pytest.mark.parametrize(
    "state",
    ["restricted", "suppressed", "no_consent", "withdrawn", "closed", "unverified"],
)
def test_whoever_may_not_get_it_at_sending_time_is_skipped(state):
    member = subscriber(consent=state != "no_consent", verified=state != "unverified")
    if state == "withdrawn":  # the one-click unsubscribe records this
        consent_record(
            purpose=Purpose.OPPORTUNITY_EMAIL,
            granted=False,
            source="email_link",
            user=member,
        )
    elif state == "restricted":
        DataSubjectRequest.objects.create(
            kind=DataSubjectRequest.Kind.RESTRICTION,
            subject=member,
            email=member.email,
            due_at=timezone.now(),
            restriction_applied_at=timezone.now(),
        )
    elif state == "suppressed":
        MarketingSuppression.objects.create(
            email_hash=marketing_suppression_hash(member.email)
        )
    opportunity = post()
    services.deliveries_match(opportunity=opportunity)
    if state == "closed":  # closed after matching, before sending
        member.closed_at = timezone.now()
        member.save()
    sent = services.deliveries_send_immediate(opportunity=opportunity)
    assert sent == 0
    assert mail.outbox == []
    assert not OpportunityDelivery.objects.filter(sent_at__isnull=False).exists()


def test_an_opportunity_closed_before_sending_sends_nothing():
    subscriber()
    opportunity = post()
    services.deliveries_match(opportunity=opportunity)
    Opportunity.objects.filter(pk=opportunity.pk).update(status="closed")
    assert services.deliveries_send_immediate(opportunity=opportunity) == 0
    assert mail.outbox == []


def test_the_daily_digest_sends_each_subscriber_one_mail_once():
    first = subscriber(frequency="daily", language="en")
    second = subscriber(frequency="daily", skills=("Django", "React"))
    one = post(title="Django one")
    two = post(title="React two", skills=[skill("React")])
    closed = post(title="Django closed")
    for opportunity in (one, two, closed):
        services.deliveries_match(opportunity=opportunity)
    Opportunity.objects.filter(pk=closed.pk).update(status="closed")
    assert services.deliveries_send_immediate(opportunity=one) == 0  # digest only

    assert tasks.opportunity_digests_send.apply().get() == 2
    assert tasks.opportunity_digests_send.apply().get() == 0

    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {first.email, second.email}
    assert "Django one" in by_address[first.email].body
    assert "React two" not in by_address[first.email].body
    assert "Django closed" not in by_address[first.email].body
    assert "new opportunit" in by_address[first.email].subject
    assert "Django one" in by_address[second.email].body
    assert "React two" in by_address[second.email].body
    assert f"/opportunities/{one.pk}/" in by_address[second.email].body


def test_the_digest_skips_a_subscriber_without_consent():
    member = subscriber(frequency="daily", consent=False)
    services.deliveries_match(opportunity=post())
    assert services.digests_send() == 0
    assert mail.outbox == []
    assert OpportunityDelivery.objects.get(user=member).claimed_at is not None
