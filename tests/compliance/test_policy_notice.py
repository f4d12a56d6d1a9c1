"""Significant policy changes: a notice on every page until acknowledged, and
one e-mail to every active member (issue 7)."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from compliance import services as compliance_services
from compliance.models import PolicyAcknowledgement, PolicyVersion
from compliance.seed import compliance_seed
from compliance.services import policy_change_notify, policy_version_publish
from privacy.registry import personal_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTICE = "data-policy-notice="


@pytest.fixture(autouse=True)
def _seeded(db):
    compliance_seed()


def _joined_earlier(**kwargs):
    return UserFactory(date_joined=timezone.now() - dt.timedelta(days=30), **kwargs)


@pytest.fixture
def members(db):
    return [_joined_earlier() for _ in range(5)]


def _draft(version="2", *, significant=True) -> PolicyVersion:
    return PolicyVersion.objects.create(
        version=version,
        effective_date=timezone.localdate(),
        significant=significant,
        summary="We now use an SMS gateway for log-in codes.",
    )


@pytest.fixture
def eager_tasks():
    from worksome.celery import app

    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


@pytest.fixture
def published(admin_user, django_capture_on_commit_callbacks, members, eager_tasks):
    """A significant version published through the service; the e-mail task
    runs (eagerly here) when the transaction commits."""
    with django_capture_on_commit_callbacks(execute=True):
        version = policy_version_publish(
            version=_draft(), actor=admin_user, base_url="https://worksome.example/"
        )
    return version


def test_publishing_a_significant_version_mails_every_active_member_once(
    published, members, admin_user
):
    everyone = [*members, admin_user]
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(m.email for m in everyone)
    message = mail.outbox[0]
    assert "privacy policy has changed" in message.subject
    assert "We now use an SMS gateway" in message.body
    assert "https://worksome.example/privacy/" in message.body
    # Running again (a retry, a second worker) sends nothing.
    assert policy_change_notify(version_id=published.pk) == 0
    assert len(mail.outbox) == len(everyone)
    assert PolicyAcknowledgement.objects.filter(
        version=published, notified_at__isnull=False
    ).count() == len(everyone)


def test_batches_reach_everyone_and_skip_inactive_closed_and_new_members(members):
    version = _draft()
    version.published_at = timezone.now()
    version.save()
    inactive = _joined_earlier(is_active=False)
    closed = _joined_earlier(closed_at=timezone.now())
    newcomer = UserFactory()  # joined after publication: saw it at sign-up
    sent = policy_change_notify(version_id=version.pk, batch_size=2)
    assert sent == len(members)
    got = {m.to[0] for m in mail.outbox}
    assert got == {m.email for m in members}
    assert not got & {inactive.email, closed.email, newcomer.email}


def test_a_failed_send_is_retried_by_the_next_run_and_nobody_gets_two(
    members, monkeypatch
):
    version = _draft()
    version.published_at = timezone.now()
    version.save()
    unlucky = members[2].email
    real = compliance_services.policy_notice_message

    def flaky(version, **kwargs):
        message = real(version, **kwargs)
        to = kwargs["to"]
        if to == unlucky:
            message.send = lambda *a, **k: (_ for _ in ()).throw(OSError("down"))
        return message

    monkeypatch.setattr(compliance_services, "policy_notice_message", flaky)
    assert policy_change_notify(version_id=version.pk, batch_size=2) == 4
    monkeypatch.setattr(compliance_services, "policy_notice_message", real)
    assert policy_change_notify(version_id=version.pk, batch_size=2) == 1
    recipients = [m.to[0] for m in mail.outbox]
    assert sorted(recipients) == sorted(m.email for m in members)


def test_a_non_significant_version_sends_nothing_and_shows_no_notice(
    admin_user, members, django_capture_on_commit_callbacks, client, eager_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        version = policy_version_publish(
            version=_draft(significant=False), actor=admin_user
        )
    assert policy_change_notify(version_id=version.pk) == 0
    assert mail.outbox == []
    client.force_login(members[0])
    assert NOTICE not in client.get("/").content.decode()


def test_the_notice_shows_on_every_page_until_acknowledged(published, members, client):
    member = members[0]
    client.force_login(member)
    for url in ("/", "/privacy/", "/freelancers/"):
        html = client.get(url).content.decode()
        assert f'{NOTICE}"2"' in html, url
    response = client.post(
        "/privacy/acknowledge/", {"version": published.pk, "next": "/freelancers/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/freelancers/"
    ack = PolicyAcknowledgement.objects.get(user=member, version=published)
    assert ack.acknowledged_at is not None
    for url in ("/", "/privacy/"):
        assert NOTICE not in client.get(url).content.decode()
    # Others still see it.
    client.force_login(members[1])
    assert NOTICE in client.get("/").content.decode()


def test_the_notice_is_a_plain_form_without_inline_script(published, members, client):
    client.force_login(members[0])
    html = client.get("/").content.decode()
    start = html.index(NOTICE)
    notice = html[start : html.index("</aside>", start)]
    assert 'method="post" action="/privacy/acknowledge/"' in notice
    assert 'name="csrfmiddlewaretoken"' in notice
    assert "<script" not in notice and "style=" not in notice


def test_visitors_and_new_members_see_no_notice(published, client):
    assert NOTICE not in client.get("/").content.decode()
    client.force_login(UserFactory())
    assert NOTICE not in client.get("/").content.decode()


@pytest.mark.parametrize("version", ["", "abc", "999999", "1"])
def test_acknowledging_an_unknown_or_non_significant_version_is_a_400(
    published, members, client, version
):
    client.force_login(members[0])
    response = client.post("/privacy/acknowledge/", {"version": version})
    assert response.status_code == 400
    assert not PolicyAcknowledgement.objects.filter(
        user=members[0], acknowledged_at__isnull=False
    ).exists()


def test_acknowledging_needs_login_and_post(published, client):
    response = client.post("/privacy/acknowledge/", {"version": published.pk})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/privacy/acknowledge/").status_code == 405
    assert not PolicyAcknowledgement.objects.filter(
        acknowledged_at__isnull=False
    ).exists()


def test_acknowledging_redirects_only_to_this_site(published, members, client):
    client.force_login(members[0])
    response = client.post(
        "/privacy/acknowledge/",
        {"version": published.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_acknowledging_twice_keeps_the_first_time(published, members, client):
    client.force_login(members[0])
    client.post("/privacy/acknowledge/", {"version": published.pk})
    first = PolicyAcknowledgement.objects.get(user=members[0]).acknowledged_at
    client.post("/privacy/acknowledge/", {"version": published.pk})
    assert PolicyAcknowledgement.objects.get(user=members[0]).acknowledged_at == first


def test_acknowledgements_are_declared_personal_data(members):
    declaration = personal_data.get(PolicyAcknowledgement)
    assert declaration is not None
    assert declaration.retention.key == "privacy.policyack.closed"
