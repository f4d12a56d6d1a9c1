"""The request pages: intake, verification link, list, status, rate limits."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from privacy.models import DataSubjectRequest
from privacy.requests import services as dsr
from tests.factories import UserFactory

NEW = "/privacy/requests/new/"


def _anon_post(client, email, *, kind="access", ip="10.0.0.1", **extra):
    return client.post(
        NEW,
        {"email": email, "kind": kind, "details": ""},
        REMOTE_ADDR=ip,
        **extra,
    )


def _verify_link(message) -> str:
    return re.search(r"(/privacy/requests/verify/[^/\s]+/)", message.body).group(1)


def test_anonymous_intake_answers_the_same_for_known_and_unknown_addresses(
    client, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = _anon_post(client, member.email)
        unknown = _anon_post(client, "nobody-here@example.com", ip="10.0.0.2")
    assert known.status_code == unknown.status_code == 200

    def body(response):
        html = response.content.decode()
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    assert body(known) == body(unknown)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [member.email, "nobody-here@example.com"]
    )
    assert DataSubjectRequest.objects.filter(subject__isnull=True).count() == 2


def test_the_link_verifies_on_post_only_and_only_once(
    client, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _anon_post(client, member.email, kind="erasure")
    link = _verify_link(mail.outbox[0])
    request = DataSubjectRequest.objects.get()
    page = client.get(link)
    assert page.status_code == 200 and b"Confirm" in page.content
    request.refresh_from_db()
    assert request.status == "received"  # a GET (a link scanner) changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(link).status_code == 200
    request.refresh_from_db()
    assert request.status == "verified" and request.subject == member
    reused = client.post(link)
    assert reused.status_code == 400
    assert b"not valid or was already used" in reused.content
    assert client.get(link).status_code == 400


def test_an_expired_link_is_refused(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _anon_post(client, "late@example.com")
    link = _verify_link(mail.outbox[0])
    DataSubjectRequest.objects.update(
        token_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client.post(link)
    assert response.status_code == 400 and b"expired" in response.content
    assert DataSubjectRequest.objects.get().status == "received"
    assert client.post("/privacy/requests/verify/made-up/").status_code == 400


def test_intake_is_rate_limited_per_address(client, db, settings):
    settings.DSR_RATE_LIMIT_PER_EMAIL = (2, 3600)
    for i in range(2):
        assert _anon_post(client, "a@example.com", ip=f"10.0.1.{i}").status_code == 200
    refused = _anon_post(client, "A@example.com", ip="10.0.1.9")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert DataSubjectRequest.objects.count() == 2
    assert _anon_post(client, "b@example.com", ip="10.0.1.9").status_code == 200


def test_intake_is_rate_limited_per_ip(client, db, settings):
    settings.DSR_RATE_LIMIT_PER_IP = (3, 600)
    for i in range(3):
        assert _anon_post(client, f"p{i}@example.com").status_code == 200
    refused = _anon_post(client, "p9@example.com")
    assert refused.status_code == 429 and int(refused["Retry-After"]) <= 600
    assert DataSubjectRequest.objects.count() == 3
    assert _anon_post(client, "p9@example.com", ip="10.9.9.9").status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"email": "not-an-address", "kind": "access"},
        {"email": "x@example.com", "kind": "everything"},
        {"email": "x@example.com"},
        {"email": "x@example.com", "kind": "access", "details": "x" * 5001},
    ],
)
def test_bad_anonymous_input_is_a_form_error_and_stores_nothing(client, db, data):
    response = client.post(NEW, data)
    assert response.status_code == 400
    assert b'role="alert"' in response.content
    assert not DataSubjectRequest.objects.exists()
    assert mail.outbox == []


def test_member_files_a_request_verified_by_session(member_client, member):
    response = member_client.post(NEW, {"kind": "portability", "details": "JSON pls"})
    request = DataSubjectRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == (
        f"/privacy/requests/{request.pk}/"
    )
    # Verified by the session, and its export queued without staff.
    assert request.subject == member and request.status == "in_progress"
    assert request.verification_method == "session"
    page = member_client.get(response["Location"]).content.decode()
    assert "In progress" in page and "JSON pls" in page
    assert "queued" in page


def test_member_with_an_unknown_kind_gets_a_form_error(member_client):
    response = member_client.post(NEW, {"kind": "delete-everyone"})
    assert response.status_code == 400
    assert not DataSubjectRequest.objects.exists()


def test_new_request_form_preselects_a_kind(member_client):
    html = member_client.get(NEW + "?kind=access").content.decode()
    assert re.search(r'value="access"[^>]*checked', html)


def test_list_shows_only_own_requests_with_status_and_due_date(member_client, member):
    mine = dsr.dsr_submit(user=member, kind="erasure")
    other = dsr.dsr_submit(user=UserFactory(), kind="erasure")
    html = member_client.get("/privacy/requests/").content.decode()
    assert f"/privacy/requests/{mine.pk}/" in html
    assert f"/privacy/requests/{other.pk}/" not in html
    assert "Verified" in html


def test_someone_elses_request_is_a_404(member_client):
    other = dsr.dsr_submit(user=UserFactory(), kind="erasure")
    assert member_client.get(f"/privacy/requests/{other.pk}/").status_code == 404
    assert member_client.get("/privacy/requests/999999/").status_code == 404
    response = member_client.get(f"/privacy/requests/{other.pk}/download/")
    assert response.status_code == 404


def test_request_pages_need_login(client, db):
    for url in ("/privacy/requests/", "/privacy/requests/1/"):
        response = client.get(url)
        assert (
            response.status_code == 302 and "/accounts/login/" in response["Location"]
        )


def test_anonymous_visitor_sees_the_email_form(client, db):
    html = client.get(NEW).content.decode()
    assert 'name="email"' in html


def test_rejected_request_page_says_how_to_complain(member_client, member):
    request = dsr.dsr_submit(user=member, kind="erasure")
    dsr.dsr_reject(request=request, actor=None, reason="Outstanding invoice")
    html = member_client.get(f"/privacy/requests/{request.pk}/").content.decode()
    assert "Outstanding invoice" in html
    assert "Datatilsynet, Carl Jacobsens Vej 35, 2500 Valby" in html


def test_dashboard_links_to_the_requests(member_client):
    html = member_client.get("/dashboard/").content.decode()
    assert 'href="/privacy/requests/"' in html
    assert 'href="/privacy/requests/new/?kind=access"' in html
