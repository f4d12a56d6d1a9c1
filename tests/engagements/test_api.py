"""The engagements API (/api/v1/): each operation for the right party, a 404
for everyone else, and bad input answered 400 with field errors, nothing stored.

A party asking for what only the other party may do (the company accepting a
contract or an inquiry, the freelancer approving hours or proposing a
contract) gets 400 with the reason, not 404: it can read the object (GET
answers 200), so a 404 would only pretend it is gone. Strangers and members
of another company get 404 on every object, read or write.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements import services
from engagements.models import (
    ContractVersion,
    Engagement,
    HoursReport,
    Message,
    Thread,
    ThreadReport,
)
from tests.engagements import support
from tests.factories import CompanyFactory, FreelancerProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/"


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def post(user, path: str, data: dict | None = None):
    return client_for(user).post(
        API + path, data or {}, content_type="application/json"
    )


def get(user, path: str):
    return client_for(user).get(API + path)


def stranger():
    return UserFactory()


def other_company_member():
    """A member of another verified company: a stranger to these objects."""
    user = UserFactory()
    CompanyFactory(verified=True).memberships.create(user=user, role="owner")
    return user


OUTSIDERS = {"stranger": stranger, "other_company": other_company_member}


def assert_field_errors(response, *fields: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"] == "Invalid input."
    for field in fields:
        assert body["errors"].get(field), (field, body)


def last_week() -> dt.date:
    return services.week_start(timezone.localdate()) - dt.timedelta(days=7)


# --- GET/POST threads/ ----------------------------------------------------------


def test_thread_list_shows_each_party_its_threads_only():
    flow = support.inquired()
    support.inquired()  # someone else's
    for user, party in (
        (flow.company_member, "company"),
        (flow.freelancer_user, "freelancer"),
    ):
        response = get(user, "threads/")
        assert response.status_code == 200
        rows = response.json()["results"]
        assert [row["id"] for row in rows] == [flow.thread.pk]
        assert rows[0]["party"] == party
    for make in OUTSIDERS.values():
        assert get(make(), "threads/").json()["results"] == []
    assert get(None, "threads/").status_code == 403


def test_thread_list_takes_the_same_queries_for_more_threads(
    django_assert_num_queries,
):
    flow = support.inquired()
    client = client_for(flow.company_member)
    client.get(API + "threads/")  # session and user loaded once
    with CaptureQueriesContext(connection) as one:
        client.get(API + "threads/")
    for _ in range(3):
        support.inquired(
            support.Flow(
                company_member=flow.company_member,
                company=flow.company,
                freelancer=FreelancerProfileFactory(),
            )
        )
    with django_assert_num_queries(len(one)):
        rows = client.get(API + "threads/").json()["results"]
    assert len(rows) == 4


def test_company_member_sends_an_inquiry_by_company_slug_or_id():
    flow = support.parties()
    response = post(
        flow.company_member,
        "threads/",
        {
            "company": flow.company.slug,
            "freelancer": flow.freelancer.slug,
            "subject": "A Django job",
            "body": "Can you help us in May?",
            "period_start": "2030-05-01",
            "period_end": "2030-05-31",
            "rate": "900.00",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    thread = Thread.objects.get(pk=body["id"])
    assert thread.company == flow.company and thread.freelancer == flow.freelancer
    assert thread.rate == Decimal("900.00")
    assert body["party"] == "company"
    assert body["contact"] is None  # not before the freelancer accepts
    assert [m["body"] for m in body["messages"]] == ["Can you help us in May?"]
    by_id = post(
        flow.company_member,
        "threads/",
        {
            "company": str(flow.company.pk),
            "freelancer": flow.freelancer.slug,
            "subject": "Another",
            "body": "Hello again.",
        },
    )
    assert by_id.status_code == 201, by_id.content


INQUIRY = {
    "subject": "A Django job",
    "body": "Can you help?",
}


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"subject": None, "body": None, "company": None, "freelancer": None}, None),
        ({"rate": "-1"}, ["rate"]),
        ({"rate": "0"}, ["rate"]),
        ({"rate": "abc"}, ["rate"]),
        ({"period_start": "2030-05-31", "period_end": "2030-05-01"}, ["period_end"]),
        ({"period_start": "not a date"}, ["period_start"]),
        ({"subject": "   "}, ["subject"]),
        ({"subject": "x" * 201}, ["subject"]),
        ({"body": "x" * 5001}, ["body"]),
        ({"subject": "line\nbreak"}, ["subject"]),
        ({"company": "999999"}, ["company"]),
        ({"company": "no-such-company"}, ["company"]),
        ({"freelancer": "no-such-freelancer"}, ["freelancer"]),
        ({"freelancer": "not a slug!"}, ["freelancer"]),
    ],
)
def test_bad_inquiries_are_refused_with_field_errors_and_store_nothing(change, fields):
    flow = support.parties()
    data = {
        "company": flow.company.slug,
        "freelancer": flow.freelancer.slug,
        **INQUIRY,
    }
    for key, value in change.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    response = post(flow.company_member, "threads/", data)
    assert_field_errors(response, *(fields or [k for k in change]))
    assert not Thread.objects.exists()
    assert not Message.objects.exists()


def test_inquiry_refusals_name_the_field_they_are_about():
    flow = support.parties()
    data = {"company": flow.company.slug, "freelancer": flow.freelancer.slug, **INQUIRY}
    # Another company's id: not the sender's.
    other = CompanyFactory(verified=True)
    assert_field_errors(
        post(flow.company_member, "threads/", {**data, "company": str(other.pk)}),
        "company",
    )
    # An unverified company of the sender's.
    unverified = CompanyFactory()
    unverified.memberships.create(user=flow.company_member, role="owner")
    assert_field_errors(
        post(flow.company_member, "threads/", {**data, "company": unverified.slug}),
        "company",
    )
    # An unpublished profile looks like none at all.
    hidden = FreelancerProfileFactory(published=False)
    assert_field_errors(
        post(flow.company_member, "threads/", {**data, "freelancer": hidden.slug}),
        "freelancer",
    )
    # A freelancer who blocked the company.
    services.company_block(
        freelancer=flow.freelancer, company=flow.company, actor=flow.freelancer_user
    )
    response = post(flow.company_member, "threads/", data)
    assert_field_errors(response, "freelancer")
    assert not Thread.objects.exists()


def test_inquiries_over_the_rate_limit_answer_429(settings):
    settings.INQUIRY_RATE_LIMIT = (1, 3600)
    flow = support.parties()
    data = {"company": flow.company.slug, "freelancer": flow.freelancer.slug, **INQUIRY}
    assert post(flow.company_member, "threads/", data).status_code == 201
    response = post(flow.company_member, "threads/", data)
    assert response.status_code == 429
    assert "Try again tomorrow" in response.json()["detail"]
    assert Thread.objects.count() == 1


def test_sending_an_inquiry_needs_a_login():
    assert post(None, "threads/", INQUIRY).status_code == 403


# --- GET threads/{id}/ ------------------------------------------------------------


def test_thread_detail_shows_contact_details_only_once_accepted():
    flow = support.inquired()
    path = f"threads/{flow.thread.pk}/"
    company_view = get(flow.company_member, path).json()
    assert company_view["contact"] is None
    assert company_view["messages"][0]["mine"] is True
    freelancer_view = get(flow.freelancer_user, path).json()
    assert freelancer_view["contact"]["email"] == flow.freelancer_user.email
    assert freelancer_view["messages"][0]["mine"] is False
    services.inquiry_accept(thread=flow.thread, actor=flow.freelancer_user)
    contact = get(flow.company_member, path).json()["contact"]
    assert contact == {"email": flow.freelancer_user.email, "phone": "+4512345678"}


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
def test_thread_detail_is_404_for_outsiders(who):
    flow = support.inquired()
    response = get(OUTSIDERS[who](), f"threads/{flow.thread.pk}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}


@pytest.mark.parametrize("pk", ["abc", "-1", "99999999999999999999999", "1.5"])
def test_malformed_or_unknown_ids_are_404(pk):
    flow = support.inquired()
    for path in (f"threads/{pk}/", f"contracts/{pk}/", f"invoices/{pk}/"):
        assert get(flow.company_member, path).status_code == 404, path
    response = post(flow.company_member, f"threads/{pk}/messages/", {"body": "x"})
    assert response.status_code == 404


# --- POST threads/{id}/messages/ ----------------------------------------------------


def test_either_party_writes_in_a_thread():
    flow = support.inquired()
    for user in (flow.freelancer_user, flow.company_member):
        response = post(user, f"threads/{flow.thread.pk}/messages/", {"body": "Hi"})
        assert response.status_code == 201, response.content
        assert response.json()["mine"] is True
    assert flow.thread.messages.count() == 3


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
def test_outsiders_cannot_write_in_a_thread(who):
    flow = support.inquired()
    response = post(
        OUTSIDERS[who](), f"threads/{flow.thread.pk}/messages/", {"body": "x"}
    )
    assert response.status_code == 404
    assert flow.thread.messages.count() == 1


@pytest.mark.parametrize(
    "data", [{}, {"body": ""}, {"body": "  "}, {"body": "x" * 5001}]
)
def test_empty_or_long_messages_are_refused(data):
    flow = support.inquired()
    response = post(flow.company_member, f"threads/{flow.thread.pk}/messages/", data)
    assert_field_errors(response, "body")
    assert flow.thread.messages.count() == 1


def test_no_messages_in_a_declined_thread():
    flow = support.inquired()
    services.inquiry_decline(thread=flow.thread, actor=flow.freelancer_user)
    response = post(
        flow.company_member, f"threads/{flow.thread.pk}/messages/", {"body": "x"}
    )
    assert_field_errors(response, "non_field_errors")


# --- POST threads/{id}/accept/ and decline/ ---------------------------------------


@pytest.mark.parametrize(
    ("action", "status"), [("accept", "accepted"), ("decline", "declined")]
)
def test_freelancer_answers_an_inquiry(action, status):
    flow = support.inquired()
    response = post(
        flow.freelancer_user, f"threads/{flow.thread.pk}/{action}/", {"body": "Thanks"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == status
    flow.thread.refresh_from_db()
    assert flow.thread.status == status
    # Answered once only.
    again = post(flow.freelancer_user, f"threads/{flow.thread.pk}/{action}/")
    assert_field_errors(again, "non_field_errors")


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_the_company_cannot_answer_its_own_inquiry(action):
    """400, not 404: the company reads this thread; it may not answer it."""
    flow = support.inquired()
    response = post(flow.company_member, f"threads/{flow.thread.pk}/{action}/")
    assert_field_errors(response, "non_field_errors")
    flow.thread.refresh_from_db()
    assert flow.thread.status == Thread.Status.OPEN
    assert flow.thread.contact_shared_at is None


@pytest.mark.parametrize("action", ["accept", "decline"])
@pytest.mark.parametrize("who", sorted(OUTSIDERS))
def test_outsiders_cannot_answer_an_inquiry(action, who):
    flow = support.inquired()
    response = post(OUTSIDERS[who](), f"threads/{flow.thread.pk}/{action}/")
    assert response.status_code == 404
    flow.thread.refresh_from_db()
    assert flow.thread.status == Thread.Status.OPEN


def test_an_answer_with_a_too_long_message_changes_nothing():
    flow = support.inquired()
    response = post(
        flow.freelancer_user, f"threads/{flow.thread.pk}/accept/", {"body": "x" * 5001}
    )
    assert_field_errors(response, "body")
    flow.thread.refresh_from_db()
    assert flow.thread.status == Thread.Status.OPEN


# --- POST threads/{id}/report/ ------------------------------------------------------


def test_a_party_reports_a_thread():
    flow = support.inquired()
    response = post(
        flow.freelancer_user, f"threads/{flow.thread.pk}/report/", {"reason": "Spam"}
    )
    assert response.status_code == 201, response.content
    assert ThreadReport.objects.get().reason == "Spam"


@pytest.mark.parametrize("data", [{}, {"reason": " "}, {"reason": "x" * 2001}])
def test_a_report_needs_a_reason(data):
    flow = support.inquired()
    response = post(flow.freelancer_user, f"threads/{flow.thread.pk}/report/", data)
    assert_field_errors(response, "reason")
    assert not ThreadReport.objects.exists()


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
def test_outsiders_cannot_report_a_thread(who):
    flow = support.inquired()
    response = post(
        OUTSIDERS[who](), f"threads/{flow.thread.pk}/report/", {"reason": "x"}
    )
    assert response.status_code == 404
    assert not ThreadReport.objects.exists()


# --- POST threads/{id}/contract/ ----------------------------------------------------


def contract_terms(**change) -> dict:
    today = timezone.localdate()
    return {
        "title": "Booking service",
        "scope": "Build the booking service.",
        "start_date": (today - dt.timedelta(days=60)).isoformat(),
        "end_date": (today + dt.timedelta(days=60)).isoformat(),
        "rate_kind": "hourly",
        "rate": "850.00",
        "payment_terms_days": 14,
        "billing_email": "billing@company.example",
        **change,
    }


def test_company_proposes_a_contract_from_an_accepted_inquiry():
    flow = support.accepted()
    response = post(
        flow.company_member, f"threads/{flow.thread.pk}/contract/", contract_terms()
    )
    assert response.status_code == 201, response.content
    body = response.json()
    version = ContractVersion.objects.get(pk=body["id"])
    assert version.status == ContractVersion.Status.PROPOSED
    assert body["text_sha256"] == version.text_sha256
    assert [a["party"] for a in body["acceptances"]] == ["company"]
    assert body["pdf_url"] is None


def test_the_freelancer_cannot_propose_a_contract():
    flow = support.accepted()
    response = post(
        flow.freelancer_user, f"threads/{flow.thread.pk}/contract/", contract_terms()
    )
    assert_field_errors(response, "non_field_errors")
    assert not Engagement.objects.exists()


def test_no_contract_before_the_inquiry_is_accepted():
    flow = support.inquired()
    response = post(
        flow.company_member, f"threads/{flow.thread.pk}/contract/", contract_terms()
    )
    assert_field_errors(response, "non_field_errors")
    assert not Engagement.objects.exists()


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
def test_outsiders_cannot_propose_a_contract(who):
    flow = support.accepted()
    response = post(
        OUTSIDERS[who](), f"threads/{flow.thread.pk}/contract/", contract_terms()
    )
    assert response.status_code == 404
    assert not Engagement.objects.exists()


BAD_TERMS = [
    ({"rate": "-1"}, ["rate"]),
    ({"rate": "0"}, ["rate"]),
    ({"rate": "abc"}, ["rate"]),
    ({"start_date": "2030-06-01", "end_date": "2030-05-01"}, ["end_date"]),
    ({"start_date": "yesterday"}, ["start_date"]),
    ({"rate_kind": "weekly"}, ["rate_kind"]),
    ({"payment_terms_days": 0}, ["payment_terms_days"]),
    ({"payment_terms_days": "abc"}, ["payment_terms_days"]),
    ({"billing_email": "not an address"}, ["billing_email"]),
    ({"title": ""}, ["title"]),
    ({"scope": "x" * 5001}, ["scope"]),
]


@pytest.mark.parametrize(("change", "fields"), BAD_TERMS)
def test_bad_contract_terms_are_refused_and_store_nothing(change, fields):
    flow = support.accepted()
    response = post(
        flow.company_member,
        f"threads/{flow.thread.pk}/contract/",
        contract_terms(**change),
    )
    assert_field_errors(response, *fields)
    assert not Engagement.objects.exists()
    assert not ContractVersion.objects.exists()


def test_missing_contract_terms_are_each_named():
    flow = support.accepted()
    response = post(flow.company_member, f"threads/{flow.thread.pk}/contract/", {})
    assert_field_errors(
        response,
        "title",
        "scope",
        "start_date",
        "end_date",
        "rate_kind",
        "rate",
        "billing_email",
    )
    assert not Engagement.objects.exists()


# --- GET engagements/, engagements/{id}/ --------------------------------------------


def test_engagement_list_and_detail_for_both_parties():
    flow = support.invoiced()
    support.contracted()  # someone else's
    for user, party in (
        (flow.company_member, "company"),
        (flow.freelancer_user, "freelancer"),
    ):
        rows = get(user, "engagements/").json()["results"]
        assert [row["id"] for row in rows] == [flow.engagement.pk]
        detail = get(user, f"engagements/{flow.engagement.pk}/")
        assert detail.status_code == 200
        body = detail.json()
        assert body["party"] == party
        assert body["current_contract"]["id"] == flow.contract.pk
        assert body["pending_contract"] is None
        assert {h["id"] for h in body["hours"]} == {h.pk for h in flow.hours}
        assert [i["id"] for i in body["invoices"]] == [flow.invoice.pk]


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
def test_engagements_are_404_for_outsiders(who):
    flow = support.contracted()
    user = OUTSIDERS[who]()
    assert get(user, "engagements/").json()["results"] == []
    assert get(user, f"engagements/{flow.engagement.pk}/").status_code == 404


# --- POST engagements/{id}/contract/ (a new version) --------------------------------


def test_company_proposes_a_new_version_the_freelancer_accepts():
    flow = support.contracted()
    response = post(
        flow.company_member,
        f"engagements/{flow.engagement.pk}/contract/",
        contract_terms(rate="900.00"),
    )
    assert response.status_code == 201, response.content
    proposal = response.json()
    assert proposal["number"] == 2 and proposal["status"] == "proposed"
    detail = get(flow.freelancer_user, f"engagements/{flow.engagement.pk}/").json()
    assert detail["pending_contract"]["id"] == proposal["id"]
    assert detail["current_contract"]["id"] == flow.contract.pk
    accepted = post(
        flow.freelancer_user,
        f"contracts/{proposal['id']}/accept/",
        {"text_sha256": proposal["text_sha256"]},
    )
    assert accepted.status_code == 200, accepted.content
    flow.contract.refresh_from_db()
    assert flow.contract.status == ContractVersion.Status.SUPERSEDED


def test_the_freelancer_cannot_propose_a_new_version():
    flow = support.contracted()
    response = post(
        flow.freelancer_user,
        f"engagements/{flow.engagement.pk}/contract/",
        contract_terms(),
    )
    assert_field_errors(response, "non_field_errors")
    assert flow.engagement.versions.count() == 1


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
def test_outsiders_cannot_propose_a_new_version(who):
    flow = support.contracted()
    response = post(
        OUTSIDERS[who](),
        f"engagements/{flow.engagement.pk}/contract/",
        contract_terms(),
    )
    assert response.status_code == 404
    assert flow.engagement.versions.count() == 1


@pytest.mark.parametrize(("change", "fields"), BAD_TERMS[:5])
def test_bad_terms_of_a_new_version_store_nothing(change, fields):
    flow = support.contracted()
    response = post(
        flow.company_member,
        f"engagements/{flow.engagement.pk}/contract/",
        contract_terms(**change),
    )
    assert_field_errors(response, *fields)
    assert flow.engagement.versions.count() == 1


# --- GET contracts/{id}/, POST accept/ and decline/ ---------------------------------


def proposed():
    flow = support.accepted()
    flow.contract = services.contract_propose(
        actor=flow.company_member, thread=flow.thread, **_service_terms()
    )
    return flow


def _service_terms() -> dict:
    today = timezone.localdate()
    return {
        "title": "Booking service",
        "scope": "Build it.",
        "start_date": today - dt.timedelta(days=60),
        "end_date": today + dt.timedelta(days=60),
        "rate_kind": "hourly",
        "rate": Decimal("850"),
        "billing_email": "billing@company.example",
    }


def test_both_parties_read_a_contract():
    flow = proposed()
    for user in (flow.company_member, flow.freelancer_user):
        response = get(user, f"contracts/{flow.contract.pk}/")
        assert response.status_code == 200
        assert response.json()["text"] == flow.contract.text


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
def test_contracts_are_404_for_outsiders(who):
    flow = proposed()
    user = OUTSIDERS[who]()
    path = f"contracts/{flow.contract.pk}/"
    assert get(user, path).status_code == 404
    sha = {"text_sha256": flow.contract.text_sha256}
    assert post(user, path + "accept/", sha).status_code == 404
    assert post(user, path + "decline/").status_code == 404
    flow.contract.refresh_from_db()
    assert flow.contract.status == ContractVersion.Status.PROPOSED


def test_the_freelancer_accepts_the_text_read():
    flow = proposed()
    response = post(
        flow.freelancer_user,
        f"contracts/{flow.contract.pk}/accept/",
        {"text_sha256": flow.contract.text_sha256},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted"
    assert sorted(a["party"] for a in body["acceptances"]) == ["company", "freelancer"]
    assert Engagement.objects.get().status == Engagement.Status.ACTIVE


def test_the_company_cannot_accept_its_own_proposal():
    """400, not 404: the company reads the contract (GET is 200)."""
    flow = proposed()
    response = post(
        flow.company_member,
        f"contracts/{flow.contract.pk}/accept/",
        {"text_sha256": flow.contract.text_sha256},
    )
    assert_field_errors(response, "non_field_errors")
    flow.contract.refresh_from_db()
    assert flow.contract.status == ContractVersion.Status.PROPOSED


@pytest.mark.parametrize(
    "data",
    [{}, {"text_sha256": "abc"}, {"text_sha256": "0" * 64}, {"text_sha256": None}],
)
def test_accepting_needs_the_fingerprint_of_the_text(data):
    flow = proposed()
    response = post(flow.freelancer_user, f"contracts/{flow.contract.pk}/accept/", data)
    assert_field_errors(response, "text_sha256")
    flow.contract.refresh_from_db()
    assert flow.contract.status == ContractVersion.Status.PROPOSED
    assert flow.contract.acceptances.count() == 1


def test_the_freelancer_declines_a_contract_the_company_cannot():
    flow = proposed()
    path = f"contracts/{flow.contract.pk}/decline/"
    assert_field_errors(post(flow.company_member, path), "non_field_errors")
    response = post(flow.freelancer_user, path)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "declined"
    # A declined version is no longer open.
    assert_field_errors(post(flow.freelancer_user, path), "non_field_errors")


# --- POST engagements/{id}/hours/, hours/{id}/approve/, dispute/ --------------------


def test_the_freelancer_reports_hours():
    flow = support.contracted()
    response = post(
        flow.freelancer_user,
        f"engagements/{flow.engagement.pk}/hours/",
        {"week": last_week().isoformat(), "hours": "12.5", "note": "API work"},
    )
    assert response.status_code == 201, response.content
    report = HoursReport.objects.get(pk=response.json()["id"])
    assert report.hours == Decimal("12.5") and report.status == "submitted"
    # The same week again corrects it, until approved.
    corrected = post(
        flow.freelancer_user,
        f"engagements/{flow.engagement.pk}/hours/",
        {"week": last_week().isoformat(), "hours": "10"},
    )
    assert corrected.status_code == 200, corrected.content
    assert corrected.json()["id"] == report.pk
    report.refresh_from_db()
    assert report.hours == Decimal("10")
    services.hours_approve(report=report, actor=flow.company_member)
    refused = post(
        flow.freelancer_user,
        f"engagements/{flow.engagement.pk}/hours/",
        {"week": last_week().isoformat(), "hours": "20"},
    )
    assert_field_errors(refused, "non_field_errors")
    report.refresh_from_db()
    assert report.hours == Decimal("10")


def test_the_company_cannot_report_hours():
    flow = support.contracted()
    response = post(
        flow.company_member,
        f"engagements/{flow.engagement.pk}/hours/",
        {"week": last_week().isoformat(), "hours": "8"},
    )
    assert_field_errors(response, "non_field_errors")
    assert not HoursReport.objects.exists()


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
def test_outsiders_cannot_report_hours(who):
    flow = support.contracted()
    response = post(
        OUTSIDERS[who](),
        f"engagements/{flow.engagement.pk}/hours/",
        {"week": last_week().isoformat(), "hours": "8"},
    )
    assert response.status_code == 404
    assert not HoursReport.objects.exists()


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"hours": "abc"}, ["hours"]),
        ({"hours": "-1"}, ["hours"]),
        ({"hours": "0"}, ["hours"]),
        ({"hours": "169"}, ["hours"]),
        ({"hours": "1.005"}, ["hours"]),
        ({"hours": "NaN"}, ["hours"]),
        ({"hours": None}, ["hours"]),
        ({"week": "next tuesday"}, ["week"]),
        ({"week": None}, ["week"]),
        ({"week": "2100-01-04"}, ["week"]),  # not begun
        ({"week": "2000-01-03"}, ["week"]),  # outside the contract
        ({"note": "x" * 2001}, ["note"]),
    ],
)
def test_bad_hours_are_refused_and_store_nothing(data, fields):
    flow = support.contracted()
    payload = {"week": last_week().isoformat(), "hours": "8", **data}
    payload = {k: v for k, v in payload.items() if v is not None}
    response = post(
        flow.freelancer_user, f"engagements/{flow.engagement.pk}/hours/", payload
    )
    assert_field_errors(response, *fields)
    assert not HoursReport.objects.exists()


def submitted():
    flow = support.contracted()
    flow.hours = [
        services.hours_report(
            engagement=flow.engagement,
            actor=flow.freelancer_user,
            week=last_week(),
            hours=Decimal("10"),
        )
    ]
    return flow


def test_the_company_approves_hours_the_freelancer_cannot():
    flow = submitted()
    path = f"hours/{flow.hours[0].pk}/approve/"
    assert_field_errors(post(flow.freelancer_user, path), "non_field_errors")
    response = post(flow.company_member, path)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    assert_field_errors(post(flow.company_member, path), "non_field_errors")


def test_the_company_disputes_hours_with_a_reason():
    flow = submitted()
    path = f"hours/{flow.hours[0].pk}/dispute/"
    assert_field_errors(post(flow.company_member, path, {}), "reason")
    assert_field_errors(post(flow.company_member, path, {"reason": "  "}), "reason")
    assert_field_errors(
        post(flow.freelancer_user, path, {"reason": "Mine"}), "non_field_errors"
    )
    flow.hours[0].refresh_from_db()
    assert flow.hours[0].status == HoursReport.Status.SUBMITTED
    response = post(flow.company_member, path, {"reason": "We agreed on 8."})
    assert response.status_code == 200, response.content
    assert response.json()["dispute_reason"] == "We agreed on 8."


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
def test_outsiders_cannot_approve_or_dispute_hours(who):
    flow = submitted()
    user = OUTSIDERS[who]()
    pk = flow.hours[0].pk
    assert post(user, f"hours/{pk}/approve/").status_code == 404
    assert post(user, f"hours/{pk}/dispute/", {"reason": "x"}).status_code == 404
    flow.hours[0].refresh_from_db()
    assert flow.hours[0].status == HoursReport.Status.SUBMITTED


# --- GET invoices/, invoices/{id}/ --------------------------------------------------


def test_both_parties_read_their_invoices():
    flow = support.invoiced()
    support.invoiced()  # someone else's
    for user in (flow.company_member, flow.freelancer_user):
        rows = get(user, "invoices/").json()["results"]
        assert [row["number"] for row in rows] == [flow.invoice.number]
        detail = get(user, f"invoices/{flow.invoice.pk}/")
        assert detail.status_code == 200
        body = detail.json()
        assert body["total"] == str(flow.invoice.total)
        assert body["vat_rate"] == "25.00"
        assert len(body["lines"]) == flow.invoice.lines.count()
        assert body["is_overdue"] is False


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
def test_invoices_are_404_for_outsiders(who):
    flow = support.invoiced()
    user = OUTSIDERS[who]()
    assert get(user, "invoices/").json()["results"] == []
    assert get(user, f"invoices/{flow.invoice.pk}/").status_code == 404


def test_invoice_list_takes_the_same_queries_for_more_invoices(
    django_assert_num_queries,
):
    flow = support.invoiced()
    client = client_for(flow.company_member)
    client.get(API + "invoices/")
    with CaptureQueriesContext(connection) as one:
        client.get(API + "invoices/")
    services.invoice_credit(invoice=flow.invoice, actor=None, reason="Wrong hours")
    with django_assert_num_queries(len(one)):
        rows = client.get(API + "invoices/").json()["results"]
    assert len(rows) == 2


def test_the_api_works_with_a_token_too():
    from profiles.services import api_token_create

    flow = support.inquired()
    _token, key = api_token_create(user=flow.freelancer_user)
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post(
        f"{API}threads/{flow.thread.pk}/accept/", {}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    stranger_key = api_token_create(user=stranger())[1]
    other = Client(HTTP_AUTHORIZATION=f"Token {stranger_key}")
    assert other.get(f"{API}threads/{flow.thread.pk}/").status_code == 404


# --- Responses match the published schema -----------------------------------------


def _schema_response(response, path: str):
    """A Django test response as schemathesis reads one."""
    import requests
    from schemathesis.core.transport import Response

    return Response(
        status_code=response.status_code,
        headers={key.lower(): [value] for key, value in response.items()},
        content=response.content,
        request=requests.Request("GET", f"http://testserver{path}").prepare(),
        elapsed=0.0,
        verify=True,
    )


def test_every_read_answers_as_the_schema_says(client):
    """The fuzz test (tests/security/test_api_fuzz.py) meets these objects
    only as a stranger; here a party reads each, with every optional part
    present: contact details, a pending proposal, hours, lines, PDFs."""
    import schemathesis

    spec = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    schema = schemathesis.openapi.from_dict(spec)
    flow = support.invoiced()
    for obj in (flow.contract, flow.invoice):
        obj.pdf.save("x.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        type(obj).objects.filter(pk=obj.pk).update(pdf=obj.pdf.name)
    pending = services.contract_propose(
        actor=flow.company_member, engagement=flow.engagement, **_service_terms()
    )
    services.thread_report(thread=flow.thread, actor=flow.company_member, reason="x")
    reads = [
        ("/api/v1/threads/", {}),
        ("/api/v1/threads/{id}/", {"id": flow.thread.pk}),
        ("/api/v1/engagements/", {}),
        ("/api/v1/engagements/{id}/", {"id": flow.engagement.pk}),
        ("/api/v1/contracts/{id}/", {"id": flow.contract.pk}),
        ("/api/v1/contracts/{id}/", {"id": pending.pk}),
        ("/api/v1/invoices/", {}),
        ("/api/v1/invoices/{id}/", {"id": flow.invoice.pk}),
        ("/api/v1/threads/{id}/", {"id": 999999}),  # 404
    ]
    for user in (flow.company_member, flow.freelancer_user):
        reader = client_for(user)
        for template, params in reads:
            path = template.format(**params)
            response = reader.get(path)
            assert response.status_code in (200, 404), path
            schema[template]["GET"].validate_response(_schema_response(response, path))
