"""Sending a mailing: who gets it in which language, once only whatever
happens to the task, at the configured rate, and the record it leaves."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from mailings import services
from mailings.models import Mailing, MailingDelivery
from mailings.tasks import mailing_send
from privacy.models import AuditEvent
from tests.mailings import support

pytestmark = pytest.mark.django_db

STATES = (
    "opted_in",
    "not_opted_in",
    "withdrawn",
    "restricted",
    "suppressed",
    "closed",
    "inactive",
)


def _world() -> dict[tuple[str, str], object]:
    """One member per (state, language)."""
    return {
        (state, language): support.member(state, language=language)
        for state in STATES
        for language in ("da", "en")
    }


def _received() -> dict[str, tuple[str, ...]]:
    """address -> subjects received."""
    got: dict[str, list[str]] = {}
    for message in mail.outbox:
        (address,) = message.to
        got.setdefault(address, []).append(message.subject)
    return {address: tuple(subjects) for address, subjects in got.items()}


def _send(mailing: Mailing, actor, capture) -> Mailing:
    with capture(execute=True):
        services.mailing_send_start(mailing=mailing, actor=actor)
    mailing.refresh_from_db()
    return mailing


def test_a_marketing_mailing_reaches_only_members_who_may_get_it_in_their_language(
    eager_tasks, django_capture_on_commit_callbacks
):
    world = _world()
    mailing = support.mailing(Mailing.Kind.MARKETING)
    mailing = _send(mailing, support.staff(), django_capture_on_commit_callbacks)

    expected = {
        world["opted_in", "da"].email: ("Planlagt nedetid",),
        world["opted_in", "en"].email: ("Planned downtime",),
    }
    assert _received() == expected
    for message in mail.outbox:
        assert message.extra_headers["List-Unsubscribe"].startswith(
            "<https://worksome.example/privacy/unsubscribe/"
        )
    assert mailing.status == Mailing.Status.SENT
    assert mailing.sent_at is not None
    deliveries = {
        (d.user.email, d.language, d.state)
        for d in MailingDelivery.objects.select_related("user")
    }
    assert deliveries == {
        (world["opted_in", "da"].email, "da", "sent"),
        (world["opted_in", "en"].email, "en", "sent"),
    }
    # Open accounts refused at sending time (8 members and the staff member,
    # who did not opt in) are counted, not recorded.
    assert mailing.skipped_count == 9


def test_a_service_mailing_reaches_every_open_account_whatever_its_choices(
    eager_tasks, django_capture_on_commit_callbacks
):
    world = _world()
    staff = support.staff()
    mailing = _send(
        support.mailing(Mailing.Kind.SERVICE), staff, django_capture_on_commit_callbacks
    )
    open_states = ("opted_in", "not_opted_in", "withdrawn", "restricted", "suppressed")
    subjects = {"da": ("Planlagt nedetid",), "en": ("Planned downtime",)}
    assert _received() == {
        staff.email: subjects["en"],  # a member too
        **{
            world[state, language].email: subjects[language]
            for state in open_states
            for language in ("da", "en")
        },
    }
    for message in mail.outbox:
        assert "List-Unsubscribe" not in message.extra_headers
    assert MailingDelivery.objects.filter(state="sent").count() == 11
    assert mailing.status == Mailing.Status.SENT
    assert mailing.skipped_count == 0


@pytest.mark.parametrize(
    ("audience", "roles"),
    [
        (Mailing.Audience.ALL, {"freelancer", "company", "none"}),
        (Mailing.Audience.FREELANCERS, {"freelancer"}),
        (Mailing.Audience.COMPANY_MEMBERS, {"company"}),
    ],
)
def test_the_audience_picks_freelancers_company_members_or_all(
    audience, roles, eager_tasks, django_capture_on_commit_callbacks
):
    members = {
        role: support.member("not_opted_in", role=role)
        for role in ("freelancer", "company", "none")
    }
    staff = support.staff()
    _send(support.mailing(audience=audience), staff, django_capture_on_commit_callbacks)
    got = set(_received())
    got.discard(staff.email)  # staff are members too when the audience is all
    assert got == {members[role].email for role in roles}


def test_sending_is_audited_and_makes_the_mailing_read_only(
    django_capture_on_commit_callbacks,
):
    staff = support.staff()
    mailing = support.mailing()
    with django_capture_on_commit_callbacks() as callbacks:
        services.mailing_send_start(mailing=mailing, actor=staff)
    assert len(callbacks) == 1  # the task is queued after commit
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENDING
    assert mailing.sent_by == staff
    assert not mailing.is_editable
    event = AuditEvent.objects.get(action="mailings.sending_started")
    assert event.actor == staff
    assert event.target_id == str(mailing.pk)
    with pytest.raises(ValidationError):
        services.mailing_send_start(mailing=mailing, actor=staff)


def test_staff_without_the_permission_cannot_send():
    mailing = support.mailing()
    with pytest.raises(PermissionDenied):
        services.mailing_send_start(
            mailing=mailing, actor=support.staff(may_send=False)
        )
    with pytest.raises(PermissionDenied):
        services.mailing_test_send(mailing=mailing, actor=support.staff(may_send=False))
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT
    assert mail.outbox == []


def test_a_test_goes_to_the_staff_member_only_in_both_languages_and_is_not_recorded():
    for state in ("opted_in", "not_opted_in"):
        support.member(state)
    staff = support.staff()
    mailing = support.mailing(Mailing.Kind.MARKETING)
    assert services.mailing_test_send(mailing=mailing, actor=staff) == 2
    assert [m.to for m in mail.outbox] == [[staff.email], [staff.email]]
    assert [m.subject for m in mail.outbox] == [
        "[Test] Planlagt nedetid",
        "[Test] Planned downtime",
    ]
    for message in mail.outbox:
        assert message.extra_headers["X-Mailing-Test"] == "yes"
        assert "List-Unsubscribe" in message.extra_headers
    assert 'lang="da"' in mail.outbox[0].alternatives[0][0]
    assert "Sitet er nede" in mail.outbox[0].body
    assert "The site is down" in mail.outbox[1].body
    assert not MailingDelivery.objects.exists()
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT
    event = AuditEvent.objects.get(action="mailings.test_sent")
    assert (event.actor, event.subject) == (staff, staff)


# --- Exactly once ------------------------------------------------------------------


def test_a_second_run_of_the_task_mails_nobody_again(
    eager_tasks, django_capture_on_commit_callbacks
):
    members = [support.member("not_opted_in") for _ in range(3)]
    mailing = support.mailing(audience=Mailing.Audience.FREELANCERS)
    with django_capture_on_commit_callbacks() as callbacks:
        services.mailing_send_start(mailing=mailing, actor=support.staff())
    mailing.refresh_from_db()
    token = mailing.run_token
    for callback in callbacks:
        callback()
    # A redelivered message of the same chain, and one of the first page.
    mailing_send.apply(args=(mailing.pk, token))
    services.mailing_send_page(mailing_id=mailing.pk, token=token)
    assert sorted(_received()) == sorted(m.email for m in members)
    assert all(len(s) == 1 for s in _received().values())
    assert MailingDelivery.objects.count() == 3


def test_two_chains_share_the_pages_without_mailing_anyone_twice(settings):
    """Two workers running pages of one mailing at once (simulated in turn):
    each page's rows are claimed by one of them."""
    settings.MAILING_PAGE_SIZE = 2
    members = [support.member("not_opted_in") for _ in range(5)]
    mailing = support.mailing(audience=Mailing.Audience.FREELANCERS)
    Mailing.objects.filter(pk=mailing.pk).update(
        status=Mailing.Status.SENDING, run_token="t"
    )
    steps = []
    while not steps or not steps[-1].done:
        steps.append(services.mailing_send_page(mailing_id=mailing.pk, token="t"))
    assert [s.sent for s in steps] == [2, 2, 1]
    assert sorted(_received()) == sorted(m.email for m in members)
    assert all(len(s) == 1 for s in _received().values())


def test_a_resume_after_a_crash_mails_the_rest_once_and_never_the_claimed_row(
    settings, eager_tasks, django_capture_on_commit_callbacks
):
    """The task died after claiming A's row (A may or may not have been
    mailed: never again) and after queuing B's (not yet claimed: mailed on
    resume); C was not reached yet."""
    settings.MAILING_PAGE_SIZE = 2
    a, b, c = (support.member("not_opted_in") for _ in range(3))
    staff = support.staff()
    mailing = support.mailing(audience=Mailing.Audience.FREELANCERS)
    with django_capture_on_commit_callbacks():  # queued, but the worker died
        services.mailing_send_start(mailing=mailing, actor=staff)
    MailingDelivery.objects.create(mailing=mailing, user=a, state="sending")
    MailingDelivery.objects.create(mailing=mailing, user=b, state="pending")
    Mailing.objects.filter(pk=mailing.pk).update(cursor=b.pk)
    mailing.refresh_from_db()
    old_token = mailing.run_token

    with django_capture_on_commit_callbacks(execute=True):
        services.mailing_resume(mailing=mailing, actor=staff)

    assert _received() == {
        b.email: ("Planlagt nedetid",),
        c.email: ("Planlagt nedetid",),
    }
    states = dict(MailingDelivery.objects.values_list("user_id", "state"))
    assert states == {a.pk: "sending", b.pk: "sent", c.pk: "sent"}
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    # The dead chain's token no longer sends anything.
    step = services.mailing_send_page(mailing_id=mailing.pk, token=old_token)
    assert step.done and step.sent == 0
    assert AuditEvent.objects.filter(action="mailings.sending_resumed").count() == 1


def test_a_cancelled_mailing_stops_at_the_next_page(settings):
    settings.MAILING_PAGE_SIZE = 1
    for _ in range(3):
        support.member("not_opted_in")
    staff = support.staff()
    mailing = support.mailing(audience=Mailing.Audience.FREELANCERS)
    Mailing.objects.filter(pk=mailing.pk).update(
        status=Mailing.Status.SENDING, run_token="t"
    )
    first = services.mailing_send_page(mailing_id=mailing.pk, token="t")
    assert first.sent == 1 and not first.done
    services.mailing_cancel(mailing=mailing, actor=staff)
    step = services.mailing_send_page(mailing_id=mailing.pk, token="t")
    assert step.done and step.sent == 0
    assert len(mail.outbox) == 1


def test_a_refused_mail_is_marked_failed_and_retried_on_resume(
    settings, monkeypatch, eager_tasks, django_capture_on_commit_callbacks
):
    from consent.mail import service as mail_service

    monkeypatch.setattr(mail_service, "INLINE_RETRY_PAUSES", ())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens
    member = support.member("not_opted_in")
    staff = support.staff()
    mailing = support.mailing(audience=Mailing.Audience.FREELANCERS)
    Mailing.objects.filter(pk=mailing.pk).update(
        status=Mailing.Status.SENDING, run_token="t"
    )
    step = services.mailing_send_page(mailing_id=mailing.pk, token="t")
    assert (step.sent, step.failed) == (0, 1)
    delivery = MailingDelivery.objects.get(user=member)
    assert delivery.state == "failed"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mailing.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.mailing_resume(mailing=mailing, actor=staff)
    delivery.refresh_from_db()
    assert delivery.state == "sent"
    assert _received() == {member.email: ("Planlagt nedetid",)}


# --- Throttle ------------------------------------------------------------------------


def test_the_next_page_waits_as_long_as_the_rate_asks(settings, monkeypatch):
    """Pages of 2 at 4 mails a second: each page that sent 2 queues the next
    half a second later, on the queue it came from; the last queues none."""
    settings.MAILING_PAGE_SIZE = 2
    settings.MAILING_RATE_PER_SECOND = 4
    for _ in range(5):
        support.member("not_opted_in")
    mailing = support.mailing(audience=Mailing.Audience.FREELANCERS)
    Mailing.objects.filter(pk=mailing.pk).update(
        status=Mailing.Status.SENDING, run_token="t"
    )
    queued = []
    monkeypatch.setattr(
        mailing_send,
        "apply_async",
        lambda args, **options: queued.append((args, options)),
    )
    results = [mailing_send.apply(args=(mailing.pk, "t")).get()]
    while len(queued) == len(results):
        args, _options = queued[-1]
        results.append(mailing_send.apply(args=args).get())
    assert results == [2, 2, 1]
    assert [options["countdown"] for _args, options in queued] == [0.5, 0.5]
    assert len(mail.outbox) == 5
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT


def test_the_audience_is_walked_in_pages_not_all_at_once(settings):
    settings.MAILING_PAGE_SIZE = 3
    members = [support.member("not_opted_in") for _ in range(7)]
    mailing = support.mailing(audience=Mailing.Audience.FREELANCERS)
    Mailing.objects.filter(pk=mailing.pk).update(
        status=Mailing.Status.SENDING, run_token="t"
    )
    services.mailing_send_page(mailing_id=mailing.pk, token="t")
    mailing.refresh_from_db()
    assert mailing.cursor == members[2].pk
    assert MailingDelivery.objects.count() == 3
