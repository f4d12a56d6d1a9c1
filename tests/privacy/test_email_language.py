"""E-mails go out in the recipient's language: a member's stored language
(set at sign-up and when they switch), a request's form language (issue 16
item 12); dates follow the locale."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation

from compliance.models import PolicyVersion
from compliance.services import policy_change_notify
from consent.mail import marketing_message_build
from privacy.models import DataSubjectRequest
from privacy.requests import services as dsr
from profiles.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _significant_version() -> PolicyVersion:
    return PolicyVersion.objects.create(
        version="2",
        effective_date=dt.date(2026, 12, 2),
        significant=True,
        published_at=timezone.now(),
        summary_en="We now use an SMS gateway.",
        summary_da="Vi bruger nu en sms-gateway.",
    )


def test_the_policy_notice_reads_in_each_members_language():
    earlier = timezone.now() - dt.timedelta(days=30)
    dane = UserFactory(date_joined=earlier, language="da")
    english = UserFactory(date_joined=earlier, language="en")
    unset = UserFactory(date_joined=earlier, language="")
    version = _significant_version()

    assert policy_change_notify(version_id=version.pk) == 3
    by_address = {m.to[0]: m for m in mail.outbox}
    danish = by_address[dane.email]
    assert "Vores privatlivspolitik er ændret" in danish.subject
    assert "Vi bruger nu en sms-gateway." in danish.body
    assert "2. december 2026" in danish.body
    assert "We now use an SMS gateway." not in danish.body
    for member in (english, unset):
        message = by_address[member.email]
        assert "Our privacy policy has changed" in message.subject
        assert "We now use an SMS gateway." in message.body


def test_a_request_by_e_mail_is_answered_in_the_language_of_its_form(
    client, django_capture_on_commit_callbacks
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/privacy/requests/new/",
            {"email": "anna@example.com", "kind": "access", "details": ""},
        )
    assert response.status_code == 200
    request = DataSubjectRequest.objects.get(email="anna@example.com")
    assert request.language == "da"
    assert mail.outbox[-1].subject == (
        "[Worksome] Bekræft din anmodning om dine personoplysninger"
    )


def test_staff_actions_reply_in_the_requesters_language(
    admin_user, django_capture_on_commit_callbacks
):
    member = UserFactory(language="da")
    # Sent from the Danish form.
    with translation.override("da"), django_capture_on_commit_callbacks(execute=True):
        request = dsr.dsr_submit(user=member, kind="objection")
    # Staff (working in English) close it: the member still reads Danish.
    with django_capture_on_commit_callbacks(execute=True):
        dsr.dsr_reject(request=request, actor=admin_user, reason="Not applicable.")
    assert mail.outbox
    last = mail.outbox[-1]
    assert last.to == [member.email]
    assert "Dataansvarlig" in last.body and "Data controller" not in last.body


def test_marketing_footer_is_in_the_members_language():
    member = UserFactory(language="da")
    message = marketing_message_build(user=member, subject="Nyt", body="Hej.")
    assert "Afmeld med ét klik" in message.body


def test_switching_language_is_remembered_for_a_members_e_mails(client):
    member = UserFactory(language="en")
    client.force_login(member)
    response = client.post("/i18n/setlang/", {"language": "da", "next": "/"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == "da"
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    member.refresh_from_db()
    assert member.language == "da"


def test_signing_up_in_danish_stores_danish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    response = client.post(
        "/accounts/signup/",
        {
            "email": "ny@example.com",
            "role": "freelancer",
            "name": "Ny Medlem",
            "password1": "a-long-Passphrase-2026",
            "password2": "a-long-Passphrase-2026",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="ny@example.com").language == "da"
