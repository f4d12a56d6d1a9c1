"""Posting, editing and closing opportunities; the listing's rules; bad
input refused with field errors and nothing stored."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from opportunities import selectors, services
from opportunities.models import Opportunity
from tests.factories import CompanyFactory, UserFactory
from tests.opportunities.support import post, poster, skill

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def test_a_verified_company_member_posts_and_it_is_listed():
    opportunity = post(rate_min=Decimal("700"), rate_max=Decimal("900"))
    assert opportunity.status == Opportunity.Status.OPEN
    assert list(opportunity.skills.values_list("name", flat=True)) == ["Django"]
    assert opportunity.created_by is not None
    assert list(selectors.opportunity_list_public()) == [opportunity]


def test_posting_queues_the_fanout_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        post()
    queued = [c for c in callbacks if "opportunity_post" in c.__qualname__]
    assert len(queued) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"deadline": TODAY() - dt.timedelta(days=1)}, "deadline"),
        ({"rate_min": Decimal("900"), "rate_max": Decimal("700")}, "rate_max"),
        ({"rate_min": Decimal("-1")}, "rate_min"),
        ({"title": "   "}, "title"),
        ({"description": ""}, "description"),
        ({"skills": []}, "skills"),
        ({"work_mode": "moon"}, "work_mode"),
        (
            {
                "period_start": TODAY() + dt.timedelta(days=10),
                "period_end": TODAY(),
            },
            "period_end",
        ),
    ],
)
def test_bad_input_is_a_field_error_and_stores_nothing(overrides, field):
    with pytest.raises(ValidationError) as caught:
        post(**overrides)
    assert field in caught.value.message_dict
    assert not Opportunity.objects.exists()


def test_a_member_cannot_post_as_another_company():
    mine = poster()
    other = CompanyFactory(verified=True)
    with pytest.raises(ValidationError) as caught:
        services.opportunity_post(
            company=other,
            actor=mine.member,
            title="Not ours",
            description="x",
            skills=[skill("Django")],
            deadline=TODAY() + dt.timedelta(days=3),
        )
    assert "company" in caught.value.message_dict
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize("state", ["unverified", "closed"])
def test_an_unverified_or_closed_company_cannot_post(state):
    who = poster()
    if state == "unverified":
        who.company.verified_at = None
    else:
        who.company.closed_at = timezone.now()
    who.company.save()
    with pytest.raises(ValidationError):
        post(who)
    assert not Opportunity.objects.exists()


def test_editing_changes_it_and_a_non_member_cannot():
    who = poster()
    opportunity = post(who)
    services.opportunity_update(
        opportunity=opportunity,
        actor=who.member,
        title="Senior Django developer",
        description="Updated.",
        skills=[skill("Django"), skill("Python")],
        deadline=opportunity.deadline,
        work_mode="remote",
    )
    opportunity.refresh_from_db()
    assert opportunity.title == "Senior Django developer"
    assert opportunity.work_mode == "remote"
    assert opportunity.skills.count() == 2
    with pytest.raises(ValidationError):
        services.opportunity_update(
            opportunity=opportunity,
            actor=UserFactory(),
            title="Hijacked",
            description="x",
            skills=[skill("Django")],
            deadline=opportunity.deadline,
        )
    opportunity.refresh_from_db()
    assert opportunity.title == "Senior Django developer"


def test_closing_takes_it_off_the_listing_and_the_detail_says_so(client):
    who = poster()
    opportunity = post(who)
    services.opportunity_close(opportunity=opportunity, actor=who.member)
    opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.CLOSED
    assert opportunity.closed_at is not None
    assert not selectors.opportunity_list_public().exists()
    page = client.get(f"/opportunities/{opportunity.pk}/")
    assert page.status_code == 200
    assert "This opportunity is closed." in page.content.decode()


def test_a_past_deadline_leaves_the_listing_and_the_detail_says_so(client, settings):
    settings.LANGUAGE_CODE = "en"
    opportunity = post()
    Opportunity.objects.filter(pk=opportunity.pk).update(
        deadline=TODAY() - dt.timedelta(days=1)
    )
    assert not selectors.opportunity_list_public().exists()
    listing = client.get("/opportunities/", HTTP_ACCEPT_LANGUAGE="en")
    assert opportunity.title not in listing.content.decode()
    page = client.get(f"/opportunities/{opportunity.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "deadline for this opportunity has passed" in page.content.decode()


def test_the_listing_filters_by_competence_and_remote(client):
    django = post(title="Django job", work_mode="remote")
    react = post(title="React job", skills=[skill("React")], work_mode="onsite")
    assert list(selectors.opportunity_list_public(skill="Django")) == [django]
    assert list(selectors.opportunity_list_public(skill="django")) == [django]
    assert list(selectors.opportunity_list_public(skill=str(skill("React").pk))) == [
        react
    ]
    assert list(selectors.opportunity_list_public(skill="Cobol")) == []
    assert list(selectors.opportunity_list_public(remote=True)) == [django]
    assert list(selectors.opportunity_list_public(remote=False)) == [react]
    page = client.get("/opportunities/?skill=React&remote=0").content.decode()
    assert "React job" in page and "Django job" not in page


def test_the_listing_page_makes_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    who = poster()
    for n in range(25):
        post(who, title=f"Job {n}", skills=[skill("Django"), skill(f"Skill{n}")])
    with django_assert_max_num_queries(8):
        response = client.get("/opportunities/")
    assert response.status_code == 200
    assert "Job 24" in response.content.decode()


def test_odd_query_parameters_are_not_errors(client):
    post()
    for query in ("skill=" + "x" * 500, "remote=maybe", "page=zzz", "skill=%27"):
        assert client.get(f"/opportunities/?{query}").status_code == 200
    # A NUL is refused by the site's middleware before any query.
    assert client.get("/opportunities/?skill=%00").status_code == 400


def test_the_post_form_refuses_another_company_and_stores_nothing(client):
    mine = poster()
    other = CompanyFactory(verified=True)
    client.force_login(mine.member)
    response = client.post(
        "/opportunities/new/",
        {
            "company": other.pk,
            "title": "Ours?",
            "description": "x",
            "skills": [skill("Django").pk],
            "work_mode": "remote",
            "deadline": (TODAY() + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert not Opportunity.objects.exists()


def test_the_post_form_posts_and_shows_field_errors(client):
    who = poster()
    client.force_login(who.member)
    bad = client.post(
        "/opportunities/new/",
        {
            "company": who.company.pk,
            "title": "",
            "description": "x",
            "skills": [skill("Django").pk],
            "work_mode": "remote",
            "deadline": (TODAY() - dt.timedelta(days=3)).isoformat(),
        },
    )
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) >= {"title", "deadline"}
    assert not Opportunity.objects.exists()
    good = client.post(
        "/opportunities/new/",
        {
            "company": who.company.pk,
            "title": "Django",
            "description": "x",
            "skills": [skill("Django").pk],
            "work_mode": "remote",
            "deadline": (TODAY() + dt.timedelta(days=3)).isoformat(),
        },
    )
    opportunity = Opportunity.objects.get()
    assert good.status_code == 302
    assert good["Location"] == f"/opportunities/{opportunity.pk}/"


def test_edit_and_close_pages_are_for_members_only(client):
    who = poster()
    opportunity = post(who)
    client.force_login(UserFactory())
    assert client.get(f"/opportunities/{opportunity.pk}/edit/").status_code == 404
    assert client.post(f"/opportunities/{opportunity.pk}/close/").status_code == 404
    client.force_login(who.member)
    assert client.get(f"/opportunities/{opportunity.pk}/edit/").status_code == 200
    assert client.post(f"/opportunities/{opportunity.pk}/close/").status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.status == "closed"
