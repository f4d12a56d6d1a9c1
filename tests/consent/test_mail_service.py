"""The one mail service: each kind of mail, its headers, its language, who
may get it, after commit, and retries on a transient SMTP failure."""

import smtplib

import pytest
from django.core import mail
from django.utils import timezone

from consent import mail as mail_service
from consent.mail import (
    MailKind,
    mail_build,
    mail_checks_read,
    mail_may_send,
    mail_send,
    mail_send_now,
)
from consent.models import MarketingSuppression, Purpose
from consent.selectors import marketing_suppression_hash
from consent.services import consent_record
from privacy.models import DataSubjectRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://worksome.example"
CONTENT = {
    "subject": {"da": "Nyt emne", "en": "New subject"},
    "body": {"da": "Hej med dig.", "en": "Hello there."},
}


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _grant(user, purpose):
    consent_record(purpose=purpose, granted=True, source="settings", user=user)


def _html(message) -> str:
    return next(c for c, mime in message.alternatives if mime == "text/html")


def _member(language="da", **grants):
    user = UserFactory(language=language)
    for purpose in grants.get("purposes", ()):
        _grant(user, purpose)
    return user


@pytest.mark.parametrize(
    ("kind", "purpose"),
    [
        (MailKind.SERVICE, None),
        (MailKind.MARKETING, Purpose.MARKETING_EMAIL),
        (MailKind.OPPORTUNITY, Purpose.OPPORTUNITY_EMAIL),
    ],
)
@pytest.mark.parametrize("language", ["da", "en"])
def test_each_kind_has_its_headers_language_and_footer(kind, purpose, language):
    member = _member(language, purposes=[purpose] if purpose else [])

    assert mail_send_now(kind=kind, user=member, **CONTENT)

    (message,) = mail.outbox
    assert message.to == [member.email]
    assert message.extra_headers["X-Mail-Kind"] == kind
    expected = CONTENT["subject"][language]
    assert message.subject == expected
    assert CONTENT["body"][language] in message.body
    # The controller, in the recipient's language.
    controller = "Dataansvarlig" if language == "da" else "Data controller"
    assert controller in message.body
    assert f'lang="{language}"' in _html(message)
    if purpose is None:
        assert "List-Unsubscribe" not in message.extra_headers
        assert "/privacy/unsubscribe/" not in message.body
    else:
        header = message.extra_headers["List-Unsubscribe"]
        assert header.startswith(f"<{SITE}/privacy/unsubscribe/")
        assert message.extra_headers["List-Unsubscribe-Post"] == (
            "List-Unsubscribe=One-Click"
        )
        # The link withdraws this kind's own purpose.
        token = header.strip("<>").rstrip("/").rsplit("/", 1)[1]
        _user, token_purpose = mail_service.unsubscribe_token_read(token=token)
        assert token_purpose == purpose
        assert header.strip("<>") in message.body


def test_a_template_renders_in_the_recipients_language(settings):
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {
                            "consent/email/test_message_subject.txt": (
                                "{% load i18n %}{% translate 'Save' %} {{ name }}"
                            ),
                            "consent/email/test_message.txt": "{{ name }}",
                        },
                    )
                ]
            },
        }
    ]
    member = _member("da")
    message = mail_build(
        kind=MailKind.SERVICE,
        user=member,
        template="consent/email/test_message",
        context={"name": "Ada"},
    )
    assert message.subject == "Gem Ada"  # "Save" in Danish
    assert "Dataansvarlig" in message.body


def test_a_visitor_gets_service_mail_in_the_language_given_and_nothing_optional():
    assert mail_send_now(
        kind=MailKind.SERVICE, to="visitor@example.com", language="en", **CONTENT
    )
    (message,) = mail.outbox
    assert message.to == ["visitor@example.com"]
    assert message.subject == "New subject"
    for kind in (MailKind.MARKETING, MailKind.OPPORTUNITY):
        assert not mail_may_send(kind=kind, to="visitor@example.com")


@pytest.mark.parametrize(
    "state",
    [
        "no_consent",
        "withdrawn",
        "restricted",
        "suppressed",
        "closed",
        "inactive",
        "unverified",
        "erased_address",
        "other_purpose",
    ],
)
@pytest.mark.parametrize("kind", [MailKind.MARKETING, MailKind.OPPORTUNITY])
def test_optional_mail_skips_whoever_may_not_get_it(kind, state):
    purpose = mail_service.KIND_PURPOSES[kind]
    member = UserFactory(verified=state != "unverified")
    if state not in ("no_consent", "other_purpose"):
        _grant(member, purpose)
    if state == "other_purpose":
        other = (set(mail_service.KIND_PURPOSES.values()) - {purpose}).pop()
        _grant(member, other)
    if state == "withdrawn":
        consent_record(purpose=purpose, granted=False, source="settings", user=member)
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
    elif state == "closed":
        member.closed_at = timezone.now()
        member.save()
    elif state == "inactive":
        member.is_active = False
        member.save()
    elif state == "erased_address":
        member.email = f"deleted-{member.pk}@invalid.example"
        member.save()

    assert not mail_may_send(kind=kind, user=member)
    assert mail_send_now(kind=kind, user=member, **CONTENT) is False
    # A batch sender's checks, read at once, refuse the same member.
    checks = mail_checks_read(users=[member])
    assert mail_send_now(kind=kind, user=member, checks=checks, **CONTENT) is False
    assert mail.outbox == []


@pytest.mark.parametrize("kind", [MailKind.MARKETING, MailKind.OPPORTUNITY])
def test_a_batchs_checks_are_read_once_not_per_mail(
    kind, django_assert_max_num_queries
):
    purpose = mail_service.KIND_PURPOSES[kind]
    members = [_member(purposes=[purpose, Purpose.EMAIL_TRACKING]) for _ in range(8)]
    refused = _member(purposes=[])
    batch = [*members, refused]
    with django_assert_max_num_queries(
        4
    ):  # consents, addresses, restrictions, suppression
        checks = mail_checks_read(users=batch)
        sent = [
            mail_send_now(kind=kind, user=u, checks=checks, tag="t:1", **CONTENT)
            for u in batch
        ]
    assert sent == [True] * 8 + [False]
    assert [m.to for m in mail.outbox] == [[u.email] for u in members]
    assert all("<img" in _html(m) for m in mail.outbox)  # tracking read from checks


def test_checks_that_do_not_cover_a_member_are_not_used_for_them():
    granted = _member(purposes=[Purpose.MARKETING_EMAIL])
    checks = mail_checks_read(users=[_member()])
    assert mail_send_now(
        kind=MailKind.MARKETING, user=granted, checks=checks, **CONTENT
    )


def test_service_mail_ignores_preferences_but_not_an_erased_address():
    member = UserFactory()
    MarketingSuppression.objects.create(
        email_hash=marketing_suppression_hash(member.email)
    )
    assert mail_may_send(kind=MailKind.SERVICE, user=member)
    member.email = f"deleted-{member.pk}@invalid.example"
    assert not mail_may_send(kind=MailKind.SERVICE, user=member)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        mail_may_send(kind="spam", to="a@example.com")


def test_the_open_pixel_only_with_tracking_consent_and_a_tag():
    member = _member(purposes=[Purpose.MARKETING_EMAIL])
    message = mail_build(
        kind=MailKind.MARKETING, user=member, tag="mailing:7", **CONTENT
    )
    assert "/privacy/email/open/" not in _html(message)
    _grant(member, Purpose.EMAIL_TRACKING)
    untagged = mail_build(kind=MailKind.MARKETING, user=member, **CONTENT)
    assert "<img" not in _html(untagged)
    message = mail_build(
        kind=MailKind.MARKETING, user=member, tag="mailing:7", **CONTENT
    )
    src = _html(message).split('<img src="', 1)[1].split('"', 1)[0]
    token = src.rstrip("/").rsplit("/", 1)[1]
    assert mail_service.open_token_read(token=token) == (member.pk, "mailing:7")
    assert mail_service.open_token_read(token=token + "x") is None


def test_mail_send_waits_for_commit_and_reads_choices_at_sending_time(
    django_capture_on_commit_callbacks, eager_tasks
):
    member = _member(purposes=[Purpose.MARKETING_EMAIL])
    with django_capture_on_commit_callbacks() as callbacks:
        mail_send(kind=MailKind.MARKETING, user=member, **CONTENT)
        assert mail.outbox == []
        # Withdrawn before the worker builds it: nothing goes out.
        consent_record(
            purpose=Purpose.MARKETING_EMAIL,
            granted=False,
            source="settings",
            user=member,
        )
    for callback in callbacks:
        callback()
    assert mail.outbox == []

    _grant(member, Purpose.MARKETING_EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        mail_send(kind=MailKind.MARKETING, user=member, **CONTENT)
    assert [m.subject for m in mail.outbox] == [CONTENT["subject"]["da"]]


def test_a_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    member = _member()
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            from django.db import transaction

            with transaction.atomic():
                mail_send(kind=MailKind.SERVICE, user=member, **CONTENT)
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert callbacks == []


class _FlakyBackend:
    """Fails ``failures`` times with a transient SMTP error, then delivers."""

    failures = 0
    calls = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise smtplib.SMTPServerDisconnected("gone")
        mail.outbox.extend(messages)
        return len(messages)


def test_send_now_retries_a_transient_failure_then_raises(settings, monkeypatch):
    monkeypatch.setattr(mail_service.service, "INLINE_RETRY_PAUSES", (0, 0))
    settings.EMAIL_BACKEND = f"{__name__}._FlakyBackend"
    member = _member()
    _FlakyBackend.failures, _FlakyBackend.calls = 2, 0
    assert mail_send_now(kind=MailKind.SERVICE, user=member, **CONTENT)
    assert _FlakyBackend.calls == 3 and len(mail.outbox) == 1

    _FlakyBackend.failures, _FlakyBackend.calls = 5, 0
    with pytest.raises(smtplib.SMTPException):
        mail_send_now(kind=MailKind.SERVICE, user=member, **CONTENT)
    assert _FlakyBackend.calls == 3


def test_the_task_retries_on_a_transient_failure():
    from consent.tasks import mail_deliver

    assert smtplib.SMTPException in mail_deliver.autoretry_for
    assert mail_deliver.max_retries >= 5
