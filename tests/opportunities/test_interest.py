""" "I'm interested": a thread the freelancer starts with the company, once
per opportunity, honouring blocks, publication and rate limits."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from engagements import services as engagement_services
from engagements.models import Message, Party, Thread
from engagements.selectors import party_of
from opportunities import services
from opportunities.models import Opportunity, OpportunityInterest
from tests.factories import FreelancerProfileFactory, UserFactory
from tests.opportunities.support import post, poster

pytestmark = pytest.mark.django_db


def _freelancer(**kwargs):
    return FreelancerProfileFactory(skills=["Django"], **kwargs)


def test_interest_opens_a_thread_the_company_sees(
    client, django_capture_on_commit_callbacks, eager_tasks
):
    who = poster()
    opportunity = post(who)
    freelancer = _freelancer()
    client.force_login(freelancer.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/opportunities/{opportunity.pk}/interest/", {"body": "I know Django."}
        )
    assert response.status_code == 302
    interest = OpportunityInterest.objects.get()
    thread = interest.thread
    assert thread.company == who.company
    assert thread.freelancer == freelancer
    assert thread.created_by == freelancer.user
    assert thread.subject == opportunity.title
    (message,) = Message.objects.filter(thread=thread)
    assert message.party == Party.FREELANCER and message.body == "I know Django."
    assert (
        party_of(
            user=who.member,
            company_id=who.company.pk,
            freelancer_user_id=freelancer.user_id,
        )
        == Party.COMPANY
    )
    # The company's members are told.
    assert [m.to for m in mail.outbox] == [[who.member.email]]


def test_a_second_interest_is_refused_with_a_clear_message(client, settings):
    settings.LANGUAGE_CODE = "en"
    opportunity = post()
    freelancer = _freelancer()
    services.opportunity_interest_express(
        opportunity=opportunity, actor=freelancer.user, body="Hello"
    )
    with pytest.raises(ValidationError) as caught:
        services.opportunity_interest_express(
            opportunity=opportunity, actor=freelancer.user, body="Again"
        )
    assert caught.value.code == "duplicate"
    client.force_login(freelancer.user)
    response = client.post(
        f"/opportunities/{opportunity.pk}/interest/",
        {"body": "Again"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "already told the company" in response.content.decode()
    assert Thread.objects.count() == 1


def test_a_company_the_freelancer_blocked_is_not_contacted():
    who = poster()
    opportunity = post(who)
    freelancer = _freelancer()
    engagement_services.company_block(
        freelancer=freelancer, company=who.company, actor=freelancer.user
    )
    with pytest.raises(ValidationError) as caught:
        services.opportunity_interest_express(
            opportunity=opportunity, actor=freelancer.user, body="Hi"
        )
    assert caught.value.code == "blocked"
    assert not Thread.objects.exists() and not OpportunityInterest.objects.exists()


def test_an_unpublished_profile_cannot_express_interest():
    opportunity = post()
    for freelancer in (_freelancer(published=False),):
        with pytest.raises(ValidationError) as caught:
            services.opportunity_interest_express(
                opportunity=opportunity, actor=freelancer.user, body="Hi"
            )
        assert caught.value.code == "not_public"
    assert not Thread.objects.exists()


def test_a_closed_opportunity_takes_no_interest():
    who = poster()
    opportunity = post(who)
    services.opportunity_close(opportunity=opportunity, actor=who.member)
    with pytest.raises(ValidationError):
        services.opportunity_interest_express(
            opportunity=Opportunity.objects.get(), actor=_freelancer().user, body="x"
        )
    assert not Thread.objects.exists()


def test_interest_is_rate_limited(settings):
    settings.INQUIRY_RATE_LIMIT = (2, 3600)
    freelancer = _freelancer()
    who = poster()
    for n in range(2):
        services.opportunity_interest_express(
            opportunity=post(who, title=f"Job {n}"), actor=freelancer.user, body="Hi"
        )
    with pytest.raises(ValidationError) as caught:
        services.opportunity_interest_express(
            opportunity=post(who, title="Job 3"), actor=freelancer.user, body="Hi"
        )
    assert caught.value.code == "rate_limited"
    assert Thread.objects.count() == 2


def test_someone_without_a_freelancer_profile_is_refused(client):
    opportunity = post()
    client.force_login(UserFactory())
    response = client.post(f"/opportunities/{opportunity.pk}/interest/", {"body": "x"})
    assert response.status_code == 400
    assert not Thread.objects.exists()


def test_interest_express_refuses_someone_else_as_the_freelancer():
    who = poster()
    freelancer = _freelancer()
    with pytest.raises(ValidationError) as caught:
        engagement_services.interest_express(
            opportunity_title="Job",
            company=who.company,
            freelancer=freelancer,
            actor=UserFactory(),
            body="Hi",
        )
    assert caught.value.code == "not_owner"
    assert not Thread.objects.exists()


def test_a_restricted_freelancer_cannot_express_interest():
    from django.utils import timezone

    from privacy.models import DataSubjectRequest

    opportunity = post()
    freelancer = _freelancer()
    DataSubjectRequest.objects.create(
        kind=DataSubjectRequest.Kind.RESTRICTION,
        subject=freelancer.user,
        email=freelancer.user.email,
        due_at=timezone.now(),
        restriction_applied_at=timezone.now(),
    )
    with pytest.raises(ValidationError) as caught:
        services.opportunity_interest_express(
            opportunity=opportunity, actor=freelancer.user, body="Hi"
        )
    assert caught.value.code == "restricted"
    assert not Thread.objects.exists()
