"""The CI gate of issue 16 item 13: a Danish visitor reads no English sentence
of ours. Every public page, the policy (and an earlier version), the member
pages and every e-mail are rendered in Danish, and none may contain the English
text of a catalogue entry whose Danish differs, nor the English form of content
held in the database (policy text, processors, processing activities)."""

import datetime as dt
import html as html_module
import re

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation

from compliance.models import PolicyVersion, ProcessingActivity, Processor
from compliance.records import policy_records_apply, policy_records_read
from compliance.seed import compliance_seed
from compliance.services import policy_change_notify, policy_version_publish
from consent.mail import marketing_message_build
from privacy.requests import services as dsr
from tests.factories import CompanyFactory, FreelancerProfileFactory, UserFactory
from tests.test_i18n import _own_entries

pytestmark = pytest.mark.django_db


SPLIT = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}|\{%.*?%\}|<[^>]+>|\n", flags=re.S)


def _fragments(text: str) -> list[str]:
    """The English sentences of a msgid: the runs between placeholders and
    tags that are long enough to be unmistakably English prose."""
    parts = (" ".join(p.split()) for p in SPLIT.split(text))
    return [p for p in parts if len(p) >= 16 and len(p.split()) >= 3]


def _english_sentences() -> dict[str, str]:
    """fragment -> the msgid it comes from, for entries whose Danish differs."""
    found = {}
    for entry in _own_entries():
        danish = " ".join(entry["msgstr"].values())
        if "msgid_plural" in entry:
            sources = [entry["msgid"], entry["msgid_plural"]]
        else:
            sources = [entry["msgid"]]
        for source in sources:
            if source.strip() == danish.strip():
                continue
            for fragment in _fragments(source):
                if fragment not in " ".join(danish.split()):
                    found[fragment] = source
    return found


def _db_english() -> dict[str, str]:
    """English forms of translated database content whose Danish differs."""
    found = {}
    for model, fields in (
        (Processor, ("data_categories", "joint_arrangement")),
        (
            ProcessingActivity,
            (
                "purpose",
                "description",
                "legal_basis_note",
                "data_subjects",
                "data_categories",
                "requirement_consequence",
                "source",
                "profiling",
            ),
        ),
        (PolicyVersion, ("summary", "intro", "security", "contact")),
    ):
        for obj in model.objects.all():
            for name in fields:
                en = getattr(obj, f"{name}_en") or ""
                da = getattr(obj, f"{name}_da") or ""
                for line in en.splitlines():
                    line = " ".join(line.split())
                    if da and line not in da and len(line.split()) >= 3:
                        found[line] = f"{model.__name__}.{name}"
    return found


def _text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = html_module.unescape(re.sub(r"<[^>]+>", " ", html))
    return " ".join(text.split())


def _english_in(text: str, sentences: dict[str, str]) -> list[str]:
    return sorted(
        {source for fragment, source in sentences.items() if fragment in text}
    )


@pytest.fixture
def seeded(db, admin_user):
    compliance_seed()
    policy_records_apply(
        processor_model=Processor,
        activity_model=ProcessingActivity,
        version_model=PolicyVersion,
        data=policy_records_read(),
    )
    draft = PolicyVersion.objects.create(
        version="2",
        effective_date=timezone.localdate(),
        significant=True,
        summary_en="We now name our data protection contact.",
        summary_da="Vi oplyser nu vores kontakt om databeskyttelse.",
        intro_en="This policy explains how Worksome handles personal data.",
        intro_da="Politikken forklarer, hvordan Worksome behandler personoplysninger.",
    )
    policy_version_publish(version=draft, actor=admin_user)


PUBLIC_PAGES = [
    "/",
    "/freelancers/",
    "/companies/",
    "/privacy/",
    "/privacy/versions/",
    "/privacy/versions/?from=1&to=2",
    "/privacy/versions/1/",
    "/privacy/versions/2/",
    "/privacy/requests/new/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
]
MEMBER_PAGES = ["/dashboard/", "/privacy/requests/", "/privacy/email/"]


def _danish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    return client


def test_public_and_member_pages_have_no_english_sentence_of_ours(client, seeded):
    freelancer = FreelancerProfileFactory(full_name="Freja Dansk", skills=["Django"])
    company = CompanyFactory()
    sentences = {**_english_sentences(), **_db_english()}
    assert len(sentences) > 300  # the catalogue really was read
    client = _danish(client)
    pages = [
        *PUBLIC_PAGES,
        freelancer.get_absolute_url(),
        company.get_absolute_url(),
    ]
    english = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="da"' in response.content.decode(), url
        found = _english_in(_text(response.content.decode()), sentences)
        if found:
            english[url] = found
    # A member from before version 2: every page carries its change notice.
    member = UserFactory(
        language="da", date_joined=timezone.now() - dt.timedelta(days=30)
    )
    client.force_login(member)
    for url in MEMBER_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "data-policy-notice=" in response.content.decode(), url
        found = _english_in(_text(response.content.decode()), sentences)
        if found:
            english[url] = found
    assert english == {}


def test_every_e_mail_to_a_danish_member_is_danish(
    client, seeded, admin_user, django_capture_on_commit_callbacks
):
    sentences = {**_english_sentences(), **_db_english()}
    member = UserFactory(
        language="da", date_joined=timezone.now() - dt.timedelta(days=30)
    )
    mail.outbox.clear()
    version = PolicyVersion.objects.get(version="2")
    policy_change_notify(version_id=version.pk)
    client = _danish(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/privacy/requests/new/",
            {"email": "anna@example.com", "kind": "access", "details": ""},
        )
    link = re.search(r"/privacy/requests/verify/[^/\s]+/", mail.outbox[-1].body)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link.group(0))
    with translation.override("da"), django_capture_on_commit_callbacks(execute=True):
        request = dsr.dsr_submit(user=member, kind="rectification", details="x")
    with django_capture_on_commit_callbacks(execute=True):
        dsr.dsr_extend(
            request=request, actor=admin_user, months=1, reason="Mange sager."
        )
    with django_capture_on_commit_callbacks(execute=True):
        dsr.dsr_complete(request=request, actor=admin_user)
    with translation.override("da"), django_capture_on_commit_callbacks(execute=True):
        other = dsr.dsr_submit(user=member, kind="objection")
    with django_capture_on_commit_callbacks(execute=True):
        dsr.dsr_reject(request=other, actor=admin_user, reason="Ikke relevant.")
    danish_readers = {member.email, "anna@example.com"}
    messages = [
        *(m for m in mail.outbox if set(m.to) <= danish_readers),
        marketing_message_build(user=member, subject="Nyt", body="Hej."),
    ]
    assert len(messages) >= 7
    english = {}
    for message in messages:
        found = _english_in(
            " ".join(f"{message.subject} {message.body}".split()), sentences
        )
        if found:
            english[message.subject] = found
    assert english == {}
