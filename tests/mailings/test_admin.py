"""The mailing admin: composing, previews, confirmation pages, and who may do
what (staff without the send permission, non-staff)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consent.models import EmailOpen
from mailings import services
from mailings.models import Mailing, MailingDelivery
from tests.mailings import support

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def _change(mailing) -> str:
    return reverse("admin:mailings_mailing_change", args=[mailing.pk])


def _step(mailing, step) -> str:
    return reverse("admin:mailings_mailing_step", args=[mailing.pk, step])


def _preview(mailing) -> str:
    return reverse("admin:mailings_mailing_preview", args=[mailing.pk])


def _sent_mailing(capture) -> Mailing:
    staff = support.staff()
    recipient = support.member("not_opted_in")
    mailing = support.mailing(audience=Mailing.Audience.FREELANCERS)
    Mailing.objects.filter(pk=mailing.pk).update(
        status=Mailing.Status.SENDING, run_token="t"
    )
    services.mailing_send_page(mailing_id=mailing.pk, token="t")
    EmailOpen.objects.create(user=recipient, tag=mailing.tag)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    del staff
    return mailing


COMPOSE = {
    "kind": "marketing",
    "audience": "all",
    "subject_da": "Nyhed",
    "body_da": "Noget nyt.",
    "subject_en": "News",
    "body_en": "Something new.",
}


def test_staff_compose_a_draft_with_both_languages(client):
    staff = support.staff()
    response = _login(client, staff).post(
        reverse("admin:mailings_mailing_add"), COMPOSE
    )
    assert response.status_code == 302
    mailing = Mailing.objects.get()
    assert (mailing.status, mailing.created_by) == ("draft", staff)


@pytest.mark.parametrize("missing", ["subject_da", "body_da", "subject_en", "body_en"])
def test_a_missing_language_is_a_form_error_and_stores_nothing(client, missing):
    response = _login(client, support.staff()).post(
        reverse("admin:mailings_mailing_add"), {**COMPOSE, missing: "  "}
    )
    assert response.status_code == 200
    assert missing in response.context["adminform"].form.errors
    assert not Mailing.objects.exists()


def test_a_bad_kind_or_audience_is_a_form_error(client):
    client = _login(client, support.staff())
    response = client.post(
        reverse("admin:mailings_mailing_add"),
        {**COMPOSE, "kind": "spam", "audience": "everyone"},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "kind" in errors and "audience" in errors
    # A NUL byte is refused before it reaches PostgreSQL (a 4xx, never a 500).
    response = client.post(
        reverse("admin:mailings_mailing_add"), {**COMPOSE, "body_en": "a\x00b"}
    )
    assert 400 <= response.status_code < 500 or (
        response.status_code == 200 and response.context["adminform"].form.errors
    )
    assert not Mailing.objects.exists()


@pytest.mark.parametrize("kind", ["service", "marketing"])
def test_the_preview_shows_the_members_mail_in_each_language(client, kind):
    mailing = support.mailing(kind)
    response = _login(client, support.staff()).get(_preview(mailing))
    assert response.status_code == 200
    da, en = response.context["previews"]
    assert (da["language"], en["language"]) == ("da", "en")
    assert da["headers"]["Subject"] == "Planlagt nedetid"
    assert en["headers"]["Subject"] == "Planned downtime"
    assert "Sitet er nede" in da["text"] and "Dataansvarlig" in da["text"]
    assert "The site is down" in en["text"] and "Data controller" in en["text"]
    assert 'lang="da"' in da["html"] and 'lang="en"' in en["html"]
    for part in (da, en):
        assert part["headers"]["X-Mail-Kind"] == kind
        assert ("List-Unsubscribe" in part["headers"]) == (kind == "marketing")
    assert mail.outbox == []


def test_the_pages_of_a_draft_render(client, django_assert_max_num_queries):
    mailing = support.mailing()
    client = _login(client, support.staff())
    for url in (
        reverse("admin:mailings_mailing_changelist"),
        _change(mailing),
        _preview(mailing),
        _step(mailing, "test"),
        _step(mailing, "send"),
        _step(mailing, "cancel"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(_change(mailing)).content.decode()
    assert 'id="mailing-send"' in page and 'id="mailing-test"' in page


def test_the_pages_of_a_sent_mailing_render_read_only_with_counts(
    client, django_capture_on_commit_callbacks
):
    mailing = _sent_mailing(django_capture_on_commit_callbacks)
    client = _login(client, support.staff())
    response = client.get(reverse("admin:mailings_mailing_changelist"))
    assert response.status_code == 200
    row = response.context["cl"].result_list[0]
    assert (row.delivered_count, row.opened_count) == (1, 1)
    response = client.get(_change(mailing))
    assert response.status_code == 200
    assert response.context["delivery_counts"]["sent"] == 1
    assert response.context["opened_count"] == 1
    page = response.content.decode()
    assert 'id="mailing-send"' not in page
    assert 'name="subject_en"' not in page  # read-only: no inputs
    assert client.get(_preview(mailing)).status_code == 200
    assert client.get(_step(mailing, "test")).status_code == 200
    # A change posted to a sent mailing is refused.
    response = client.post(_change(mailing), {**COMPOSE, "subject_en": "Changed"})
    assert response.status_code == 403
    mailing.refresh_from_db()
    assert mailing.subject_en == "Planned downtime"
    # Nor deleted: its deliveries are the record of who got it.
    delete = reverse("admin:mailings_mailing_delete", args=[mailing.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Mailing.objects.filter(pk=mailing.pk).exists()
    # Sending it again only explains why not.
    response = client.post(_step(mailing, "send"))
    assert response.status_code == 302
    assert MailingDelivery.objects.count() == 1


def test_the_changelist_counts_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """The delivered and opened counts are subqueries: ten more mailings cost
    no query more."""
    client = _login(client, support.staff())
    _sent_mailing(django_capture_on_commit_callbacks)
    url = reverse("admin:mailings_mailing_changelist")
    client.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(10):
        support.mailing()
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 11


def test_the_send_confirmation_sends_and_the_test_goes_to_oneself(
    client, eager_tasks, django_capture_on_commit_callbacks
):
    member = support.member("not_opted_in")
    staff = support.staff()
    mailing = support.mailing(audience=Mailing.Audience.FREELANCERS)
    client = _login(client, staff)
    response = client.get(_step(mailing, "send"))
    assert response.context["audience_size"] == 1
    assert client.post(_step(mailing, "test")).status_code == 302
    assert [m.to for m in mail.outbox] == [[staff.email]] * 2
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_step(mailing, "send"))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[member.email]]
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT


def test_staff_without_the_send_permission_may_look_but_not_send(client):
    mailing = support.mailing()
    client = _login(client, support.staff(may_send=False))
    assert client.get(_preview(mailing)).status_code == 200
    page = client.get(_change(mailing)).content.decode()
    assert 'id="mailing-send"' not in page and 'id="mailing-test"' not in page
    for step in ("test", "send", "resume", "cancel"):
        assert client.get(_step(mailing, step)).status_code == 403
        assert client.post(_step(mailing, step)).status_code == 403
    assert mail.outbox == []
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT


def test_an_unknown_step_is_refused(client):
    mailing = support.mailing()
    client = _login(client, support.staff())
    assert client.get(_step(mailing, "explode")).status_code == 403
    response = client.get(
        reverse("admin:mailings_mailing_step", args=[mailing.pk + 999, "send"])
    )
    assert response.status_code == 404


def test_members_and_visitors_never_reach_the_mailing_admin(client, member):
    mailing = support.mailing()
    urls = [
        reverse("admin:mailings_mailing_changelist"),
        _change(mailing),
        _preview(mailing),
        _step(mailing, "send"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url  # to the login page
    client.force_login(member)
    for url in urls:
        response = client.post(url)
        assert response.status_code == 302, url
        assert "/login" in response["Location"]
    assert Mailing.objects.get().status == Mailing.Status.DRAFT
