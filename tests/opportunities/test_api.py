"""The opportunities API: public listing and detail, posting and closing for
company members (token auth), bad input as 400 with field errors."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from opportunities.models import Opportunity
from profiles.services import api_token_create
from tests.factories import CompanyFactory, UserFactory
from tests.opportunities.support import post, poster, skill

pytestmark = pytest.mark.django_db


def _token_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)[1]}")


def _body(company, **overrides):
    body = {
        "company": company.slug,
        "title": "Django API",
        "description": "Build it.",
        "skills": ["Django"],
        "work_mode": "remote",
        "deadline": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
    }
    body.update(overrides)
    return body


def test_the_list_is_public_and_filters(client):
    django = post(work_mode="remote")
    post(title="React", skills=[skill("React")], work_mode="onsite")
    data = client.get("/api/v1/opportunities/?skill=Django").json()
    assert [row["id"] for row in data["results"]] == [django.pk]
    data = client.get("/api/v1/opportunities/?remote=false").json()
    assert [row["title"] for row in data["results"]] == ["React"]
    detail = client.get(f"/api/v1/opportunities/{django.pk}/").json()
    assert detail["skills"] == ["Django"] and detail["listed"] is True
    assert client.get("/api/v1/opportunities/999999/").status_code == 404


def test_a_member_posts_with_a_token_and_closes():
    who = poster()
    skill("Django")
    api = _token_client(who.member)
    response = api.post(
        "/api/v1/opportunities/", _body(who.company), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    closed = api.post(f"/api/v1/opportunities/{pk}/close/")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"deadline": "2000-01-01"}, "deadline"),
        ({"rate_min": "900", "rate_max": "100"}, "rate_max"),
        ({"title": ""}, "title"),
        ({"skills": []}, "skills"),
        ({"skills": ["Cobol"]}, "skills"),
        ({"work_mode": "moon"}, "work_mode"),
        ({"deadline": "soon"}, "deadline"),
    ],
)
def test_bad_input_is_a_400_with_field_errors(overrides, field):
    who = poster()
    skill("Django")
    response = _token_client(who.member).post(
        "/api/v1/opportunities/",
        _body(who.company, **overrides),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Opportunity.objects.exists()


def test_posting_as_another_company_is_refused():
    who = poster()
    other = CompanyFactory(verified=True)
    skill("Django")
    response = _token_client(who.member).post(
        "/api/v1/opportunities/", _body(other), content_type="application/json"
    )
    assert response.status_code == 400
    assert "company" in response.json()["errors"]
    assert not Opportunity.objects.exists()


def test_anonymous_cannot_post_and_others_cannot_close(client):
    opportunity = post()
    assert client.post("/api/v1/opportunities/", {}).status_code == 403
    other = _token_client(UserFactory())
    assert (
        other.post(f"/api/v1/opportunities/{opportunity.pk}/close/").status_code == 404
    )
    opportunity.refresh_from_db()
    assert opportunity.status == "open"


def test_the_schema_documents_the_operations(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content
    for path in (
        b"/api/v1/opportunities/",
        b"/api/v1/opportunities/{id}/",
        b"/api/v1/opportunities/{id}/close/",
    ):
        assert path in schema
