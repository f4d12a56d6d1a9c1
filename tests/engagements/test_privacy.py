"""Engagements and the privacy machinery (issue 18, "Privacy rules"): erasure
keeps the bookkeeping records restricted and erases the rest, the access
export holds the engagements of either party, the retention purge deletes
conversations and anonymises bookkeeping records in their time, the client
company is a recipient, and a restriction freezes the freelancer's side."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation

from core.files import file_deletions_process
from core.models import FileDeletion
from core.storage import export_storage
from engagements import services
from engagements.models import (
    ContractAcceptance,
    ContractVersion,
    Engagement,
    HoursReport,
    Invoice,
    Message,
    Thread,
    ThreadParticipant,
    ThreadReport,
    financial_year_end,
)
from engagements.selectors import thread_get_for_user
from engagements.storage import DocumentStorage, document_storage
from privacy.models import DataSubjectRequest
from privacy.registry import personal_data
from privacy.requests import services as dsr
from privacy.retention import retention_purge
from profiles.models import Company, User
from profiles.selectors import freelancer_is_public
from tests.engagements import support
from tests.factories import CompanyFactory, UserFactory
from tests.privacy import traces

pytestmark = pytest.mark.django_db

# What each party wrote, unique in the whole database.
FREELANCER_WROTE = "Zyxwolde freelancer 7Q3X"
COMPANY_WROTE = "Quorvane company 4K8B"

BOOKKEEPING_KEYS = {
    "engagements.engagement.bookkeeping",
    "engagements.contract.bookkeeping",
    "engagements.acceptance.bookkeeping",
    "engagements.hours.bookkeeping",
    "engagements.invoice.bookkeeping",
}
YEAR = dt.timedelta(days=365)


@pytest.fixture
def eager_celery():
    """Tasks (the PDFs, the export) run in-process."""
    from worksome.celery import app

    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


def _english(*users) -> None:
    User.objects.filter(pk__in=[u.pk for u in users]).update(language="en")
    for user in users:
        user.refresh_from_db()


def _propose(flow, actor, *, scope: str, rate: str = "850.00") -> ContractVersion:
    current = flow.contract
    return services.contract_propose(
        actor=actor,
        engagement=flow.engagement,
        title="Django build",
        scope=scope,
        start_date=current.start_date,
        end_date=current.end_date,
        rate_kind="hourly",
        rate=Decimal(rate),
        payment_terms_days=14,
        billing_email="billing@company.example",
    )


def _other_weeks() -> tuple[dt.date, dt.date]:
    """Two Mondays of the month before last: inside the contract, outside the
    weeks ``support.hours_approved`` approves."""
    start, _end = services.previous_month(timezone.localdate())
    return (
        services.week_start(start - dt.timedelta(days=14)),
        services.week_start(start - dt.timedelta(days=21)),
    )


@dataclass
class Busy:
    """A freelancer who used every engagement feature with one company."""

    flow: support.Flow
    second: ContractVersion  # v2, accepted: v1 is superseded
    pending: ContractVersion  # v3, proposed, never answered
    unanswered: Engagement  # another company's proposal, never answered
    disputed: HoursReport
    submitted: HoursReport
    invoices: list[Invoice]  # invoice, its credit note, the invoice again

    @property
    def pdfs(self) -> list[str]:
        names = [
            v.pdf.name
            for v in ContractVersion.objects.filter(accepted_at__isnull=False)
        ]
        names += [i.pdf.name for i in Invoice.objects.all()]
        return names


def _busy(capture) -> Busy:
    # Each step commits (and its PDF is made) before the next, as on the site.
    with capture(execute=True):
        flow = support.contracted()
    with capture(execute=True):
        freelancer, member = flow.freelancer_user, flow.company_member
        _english(freelancer, member)
        thread = flow.thread
        services.message_send(thread=thread, actor=member, body=COMPANY_WROTE)
        services.message_send(thread=thread, actor=freelancer, body=FREELANCER_WROTE)
        services.thread_report(
            thread=thread, actor=freelancer, reason=f"Reported: {FREELANCER_WROTE}"
        )
        services.company_block(
            freelancer=flow.freelancer,
            company=CompanyFactory(verified=True),
            actor=freelancer,
        )
        second = _propose(flow, member, scope="Build and run it.", rate="900.00")
        second = services.contract_accept(
            version=second, actor=freelancer, text_sha256=second.text_sha256
        )
        flow.contract = second
        support.hours_approved(flow)
        start, end = services.previous_month(timezone.localdate())
        first = services.invoice_issue(
            engagement=flow.engagement, period_start=start, period_end=end
        )
        credit = services.invoice_credit(
            invoice=first, actor=UserFactory(is_staff=True), reason="Wrong rate"
        )
        again = services.invoice_issue(
            engagement=flow.engagement, period_start=start, period_end=end
        )
        week_disputed, week_submitted = _other_weeks()
        disputed = services.hours_report(
            engagement=flow.engagement,
            actor=freelancer,
            week=week_disputed,
            hours=Decimal("8"),
            note=f"Disputed: {FREELANCER_WROTE}",
        )
        disputed = services.hours_dispute(
            report=disputed, actor=member, reason="Not agreed"
        )
        submitted = services.hours_report(
            engagement=flow.engagement,
            actor=freelancer,
            week=week_submitted,
            hours=Decimal("4"),
            note=f"Unapproved: {FREELANCER_WROTE}",
        )
        pending = _propose(flow, member, scope="Phase three.")
        # Another company: an inquiry accepted and a proposal never answered.
        other = support.Flow(
            company_member=UserFactory(),
            company=CompanyFactory(verified=True, contact_email="hr@other.example"),
            freelancer=flow.freelancer,
        )
        other.company.memberships.create(user=other.company_member, role="owner")
        support.accepted(other)
        proposal = services.contract_propose(
            actor=other.company_member,
            thread=other.thread,
            title="Other work",
            scope="Something else.",
            start_date=timezone.localdate(),
            end_date=timezone.localdate() + dt.timedelta(days=30),
            rate_kind="fixed",
            rate=Decimal("10000"),
            billing_email="hr@other.example",
        )
    return Busy(
        flow=flow,
        second=second,
        pending=pending,
        unanswered=proposal.engagement,
        disputed=disputed,
        submitted=submitted,
        invoices=[first, credit, again],
    )


def _erase(user, capture) -> DataSubjectRequest:
    with translation.override(user.language or "en"):
        request = dsr.dsr_submit(user=user, kind=DataSubjectRequest.Kind.ERASURE)
    mail.outbox.clear()
    with capture(execute=True):
        dsr.dsr_erasure_execute(request=request, actor=None, base_url="http://t")
    request.refresh_from_db()
    return request


def _reply(address: str) -> str:
    [reply] = [m for m in mail.outbox if m.to == [address] and "Kept because" in m.body]
    return reply.body


def _until(moment: dt.datetime) -> dt.date:
    """The last day a record that may go at ``moment`` is kept."""
    return timezone.localdate(moment - dt.timedelta(microseconds=1))


# --- Erasure -----------------------------------------------------------------------


def test_erasing_a_busy_freelancer_keeps_the_books_restricted_and_erases_the_rest(
    eager_celery, django_capture_on_commit_callbacks
):
    busy = _busy(django_capture_on_commit_callbacks)
    flow = busy.flow
    freelancer, member = flow.freelancer_user, flow.company_member
    address = freelancer.email
    pdfs = busy.pdfs
    assert len(pdfs) == 5 and all(pdfs)  # contracts v1, v2; three invoices
    assert all(document_storage.exists(name) for name in pdfs)
    wrote = {"freelancer": FREELANCER_WROTE}
    before = traces.everywhere(wrote, user_id=freelancer.pk)
    # The search works: message, report and both hours notes hold the string.
    assert {
        "db:engagements_message.body",
        "db:engagements_threadreport.reason",
        "db:engagements_hoursreport.note",
    } <= {where for where, _key in before}

    request = _erase(freelancer, django_capture_on_commit_callbacks)

    assert request.status == DataSubjectRequest.Status.COMPLETED
    # Nothing the freelancer wrote is left anywhere: tables, files, sessions, caches.
    assert traces.everywhere(wrote, user_id=freelancer.pk) == set()
    # The company keeps the thread, with its own messages.
    thread, party = thread_get_for_user(user=member, pk=flow.thread.pk)
    assert party == "company"
    assert not Message.objects.filter(sender=freelancer).exists()
    assert Message.objects.filter(thread=thread, body=COMPANY_WROTE).exists()
    assert ("db:engagements_message.body", "company") in traces.db_hits(
        {"company": COMPANY_WROTE}
    )
    assert not ThreadParticipant.objects.filter(user=freelancer).exists()
    assert not ThreadReport.objects.filter(reporter=freelancer).exists()
    assert not flow.freelancer.company_blocks.exists()
    # What the Bookkeeping Act keeps survives, restricted.
    engagement = Engagement.objects.get(pk=flow.engagement.pk)
    assert engagement.restricted_at is not None
    assert engagement.status == Engagement.Status.ENDED
    kept_versions = ContractVersion.objects.filter(engagement=engagement)
    assert {(v.number, v.status) for v in kept_versions} == {
        (1, ContractVersion.Status.SUPERSEDED),
        (2, ContractVersion.Status.ACCEPTED),
    }
    assert all(v.restricted_at for v in kept_versions)
    # The superseded version priced weeks too: kept as long as the invoices.
    last = max(i.retain_until for i in busy.invoices)
    assert all(v.retain_until >= last for v in kept_versions)
    assert ContractAcceptance.objects.filter(version__in=kept_versions).count() == 4
    hours = HoursReport.objects.filter(engagement=engagement)
    assert {h.pk for h in hours} == {h.pk for h in flow.hours}
    assert all(h.restricted_at and h.status == "approved" for h in hours)
    invoices = Invoice.objects.filter(engagement=engagement)
    assert {i.pk for i in invoices} == {i.pk for i in busy.invoices}
    assert all(i.restricted_at for i in invoices)
    assert all(document_storage.exists(name) for name in pdfs)
    # ...and the rest goes: unapproved hours and proposals never accepted.
    assert not HoursReport.objects.filter(
        pk__in=[busy.disputed.pk, busy.submitted.pk]
    ).exists()
    assert not ContractVersion.objects.filter(pk=busy.pending.pk).exists()
    assert not Engagement.objects.filter(pk=busy.unanswered.pk).exists()

    # The request records each kept type, why and until when...
    kept = {k["key"]: k for k in request.legal_exceptions}
    assert BOOKKEEPING_KEYS <= set(kept)
    assert kept["engagements.invoice.bookkeeping"]["rows"] == 3
    assert kept["engagements.contract.bookkeeping"]["rows"] == 2
    assert kept["engagements.acceptance.bookkeeping"]["rows"] == 4
    assert kept["engagements.hours.bookkeeping"]["rows"] == len(flow.hours)
    last_invoice = max(i.retain_until for i in invoices)
    until = _until(last_invoice)
    # 5 years from the end of the financial year the invoices belong to.
    year_end = financial_year_end(busy.invoices[-1].issue_date)
    assert until == year_end.replace(year=year_end.year + 5)
    assert kept["engagements.invoice.bookkeeping"]["until"] == until.isoformat()
    # ...and the reply tells the person, line by line.
    reply = _reply(address)
    with translation.override("en"):
        for key, name, rows, moment in (
            ("engagements.invoice.bookkeeping", "invoices", 3, last_invoice),
            (
                "engagements.engagement.bookkeeping",
                "engagements",
                1,
                engagement.retain_until,
            ),
            ("engagements.hours.bookkeeping", "hours", len(flow.hours), None),
        ):
            line = next(x for x in reply.splitlines() if x.startswith(f"- {name} "))
            assert line.startswith(f"- {name} ({rows}): The Danish Bookkeeping Act")
            assert "5 years from the end of the financial year" in line
            day = dt.date.fromisoformat(kept[key]["until"])
            if moment is not None:
                assert day == _until(moment)
            assert line.endswith(
                f"Kept until {formats.date_format(day, 'DATE_FORMAT')}."
            )


def test_erasing_a_companys_only_member_closes_it_and_keeps_its_books_restricted(
    eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        flow = support.invoiced()
    freelancer, member = flow.freelancer_user, flow.company_member
    _english(freelancer, member)
    services.message_send(thread=flow.thread, actor=member, body=COMPANY_WROTE)
    services.message_send(thread=flow.thread, actor=freelancer, body=FREELANCER_WROTE)
    buyer, address = flow.invoice.buyer_name, member.email

    request = _erase(member, django_capture_on_commit_callbacks)

    company = Company.objects.get(pk=flow.company.pk)
    assert company.closed_at is not None and company.name == "Closed company"
    engagement = Engagement.objects.get(pk=flow.engagement.pk)
    assert engagement.restricted_at is not None
    assert engagement.status == Engagement.Status.ENDED
    assert ContractVersion.objects.get(pk=flow.contract.pk).restricted_at
    assert all(
        h.restricted_at
        for h in HoursReport.objects.filter(pk__in=[h.pk for h in flow.hours])
    )
    invoice = Invoice.objects.get(pk=flow.invoice.pk)
    assert invoice.restricted_at and invoice.buyer_name == buyer  # as issued
    kept = {k["key"] for k in request.legal_exceptions}
    assert {
        "engagements.engagement.bookkeeping",
        "engagements.invoice.bookkeeping",
    } <= kept
    assert "- invoices (1): The Danish Bookkeeping Act" in _reply(address)
    # The freelancer keeps the thread: their messages, and the company's gone.
    thread, party = thread_get_for_user(user=freelancer, pk=flow.thread.pk)
    assert party == "freelancer"
    assert traces.db_hits({"company": COMPANY_WROTE}) == set()
    assert Message.objects.filter(thread=thread, body=FREELANCER_WROTE).exists()
    assert ThreadParticipant.objects.filter(thread=thread, user=freelancer).exists()
    assert not ThreadParticipant.objects.filter(user=member).exists()


def test_erasing_the_sender_of_an_inquiry_clears_its_subject_in_the_kept_thread(
    eager_celery, django_capture_on_commit_callbacks
):
    """The subject is the sender's words, like their messages: the freelancer
    keeps the thread, without it."""
    flow = support.parties()
    subject = "Vrelmquist asks about chairs 9T2C"
    thread = services.inquiry_send(
        company=flow.company,
        freelancer=flow.freelancer,
        actor=flow.company_member,
        subject=subject,
        body=COMPANY_WROTE,
    )
    services.message_send(thread=thread, actor=flow.freelancer_user, body="Tell me")
    assert traces.db_hits({"subject": subject}) == {
        ("db:engagements_thread.subject", "subject")
    }

    _erase(flow.company_member, django_capture_on_commit_callbacks)

    kept, party = thread_get_for_user(user=flow.freelancer_user, pk=thread.pk)
    assert party == "freelancer"
    assert kept.subject == ""
    assert traces.db_hits({"subject": subject, "body": COMPANY_WROTE}) == set()
    assert kept.messages.filter(sender=flow.freelancer_user).exists()


def test_erasing_one_of_two_members_restricts_nothing_and_keeps_the_thread(
    eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        flow = support.invoiced()
    colleague = UserFactory(language="en")
    flow.company.memberships.create(user=colleague, role="member")
    services.message_send(thread=flow.thread, actor=colleague, body=COMPANY_WROTE)
    # A proposal they made carries their acceptance on the company's behalf.
    pending = _propose(flow, colleague, scope="A second phase.")

    request = _erase(colleague, django_capture_on_commit_callbacks)

    assert Company.objects.get(pk=flow.company.pk).closed_at is None
    engagement = Engagement.objects.get(pk=flow.engagement.pk)
    assert engagement.is_active and engagement.restricted_at is None
    for model in (Engagement, ContractVersion, HoursReport, Invoice):
        assert not model.objects.filter(restricted_at__isnull=False).exists(), model
    assert not {k["key"] for k in request.legal_exceptions} & BOOKKEEPING_KEYS
    pending.refresh_from_db()
    assert pending.status == ContractVersion.Status.WITHDRAWN
    assert not ContractAcceptance.objects.filter(version=pending).exists()
    # Their own messages go; the thread and the others' messages stay.
    assert traces.db_hits({"colleague": COMPANY_WROTE}) == set()
    thread, _party = thread_get_for_user(user=flow.company_member, pk=flow.thread.pk)
    assert thread.messages.filter(sender=flow.company_member).exists()
    assert thread.messages.filter(sender=flow.freelancer_user).exists()
    # The engagement goes on: the freelancer reports hours, the company approves.
    report = services.hours_report(
        engagement=engagement,
        actor=flow.freelancer_user,
        week=_other_weeks()[0],
        hours="2",
    )
    services.hours_approve(report=report, actor=flow.company_member)


# --- Access export -----------------------------------------------------------------


def _export(user, capture) -> tuple[dict, zipfile.ZipFile]:
    request = dsr.dsr_submit(user=user, kind="access")
    with capture(execute=True):
        dsr.dsr_export_request(request=request, actor=None, base_url="http://t/")
    request.refresh_from_db()
    with export_storage.open_plain(request.export.file.name) as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    return json.loads(archive.read("data.json")), archive


def _flow_with_messages(capture) -> support.Flow:
    with capture(execute=True):
        flow = support.invoiced()
    services.message_send(
        thread=flow.thread, actor=flow.company_member, body=COMPANY_WROTE
    )
    services.message_send(
        thread=flow.thread, actor=flow.freelancer_user, body=FREELANCER_WROTE
    )
    return flow


def _assert_engagement_export(payload: dict, archive, flow, *, own: str, other: str):
    data = payload["data"]
    assert [row["id"] for row in data["engagements.Thread"]] == [flow.thread.pk]
    bodies = {row["body"] for row in data["engagements.Message"]}
    assert own in bodies and other not in bodies  # their own messages only
    assert [row["id"] for row in data["engagements.Engagement"]] == [flow.engagement.pk]
    assert data["engagements.Engagement"][0]["billing_email"]
    [contract] = data["engagements.ContractVersion"]
    assert contract["id"] == flow.contract.pk and contract["text"]
    assert {row["party"] for row in data["engagements.ContractAcceptance"]} == {
        "company",
        "freelancer",
    }
    assert {row["id"] for row in data["engagements.HoursReport"]} == {
        h.pk for h in flow.hours
    }
    [invoice] = data["engagements.Invoice"]
    assert invoice["number"] == flow.invoice.number
    assert invoice["total"] == str(flow.invoice.total)
    assert invoice["buyer_name"] == flow.company.name
    files = {(f["data"], f["field"]): f["path"] for f in payload["files"]}
    contract_pdf = ContractVersion.objects.get(pk=flow.contract.pk).pdf
    invoice_pdf = Invoice.objects.get(pk=flow.invoice.pk).pdf
    with contract_pdf.open("rb") as handle:
        assert archive.read(files["engagements.ContractVersion", "pdf"]) == (
            handle.read()
        )
    with invoice_pdf.open("rb") as handle:
        assert archive.read(files["engagements.Invoice", "pdf"]) == handle.read()


def test_a_freelancers_access_export_holds_their_engagements_and_pdfs(
    eager_celery, django_capture_on_commit_callbacks
):
    flow = _flow_with_messages(django_capture_on_commit_callbacks)
    payload, archive = _export(flow.freelancer_user, django_capture_on_commit_callbacks)
    _assert_engagement_export(
        payload, archive, flow, own=FREELANCER_WROTE, other=COMPANY_WROTE
    )
    # The company is named among the recipients of the freelancer's data.
    recipients = payload["about_this_processing"]["recipients"]
    names = [r["name"] for r in recipients["companies_that_received_your_data"]]
    assert flow.company.name in names


def test_a_company_members_access_export_holds_the_companys_engagements_and_pdfs(
    eager_celery, django_capture_on_commit_callbacks
):
    flow = _flow_with_messages(django_capture_on_commit_callbacks)
    payload, archive = _export(flow.company_member, django_capture_on_commit_callbacks)
    _assert_engagement_export(
        payload, archive, flow, own=COMPANY_WROTE, other=FREELANCER_WROTE
    )


def test_a_member_who_never_wrote_gets_the_books_but_no_conversation(
    eager_celery, django_capture_on_commit_callbacks
):
    flow = _flow_with_messages(django_capture_on_commit_callbacks)
    colleague = UserFactory()
    flow.company.memberships.create(user=colleague, role="member")
    outsider = UserFactory()
    payload, _archive = _export(colleague, django_capture_on_commit_callbacks)
    data = payload["data"]
    assert "engagements.Thread" not in data and "engagements.Message" not in data
    assert [row["id"] for row in data["engagements.Invoice"]] == [flow.invoice.pk]
    # Someone outside the company gets none of it.
    payload, _archive = _export(outsider, django_capture_on_commit_callbacks)
    assert not [label for label in payload["data"] if label.startswith("engagements")]


# --- The retention purge -------------------------------------------------------


def test_a_conversation_goes_12_months_after_its_last_activity_and_not_before(
    django_capture_on_commit_callbacks,
):
    old = support.accepted()
    fresh = support.accepted()
    services.message_send(thread=old.thread, actor=old.company_member, body="Hello")
    Thread.objects.filter(pk=old.thread.pk).update(
        last_activity_at=timezone.now() - YEAR - dt.timedelta(minutes=1)
    )
    Thread.objects.filter(pk=fresh.thread.pk).update(
        last_activity_at=timezone.now() - YEAR + dt.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = retention_purge()
    assert run.status == "completed"
    assert not Thread.objects.filter(pk=old.thread.pk).exists()
    assert not Message.objects.filter(thread_id=old.thread.pk).exists()
    assert not ThreadParticipant.objects.filter(thread_id=old.thread.pk).exists()
    assert Thread.objects.filter(pk=fresh.thread.pk).exists()
    assert Message.objects.filter(thread_id=fresh.thread.pk).count() == 2
    assert ThreadParticipant.objects.filter(thread_id=fresh.thread.pk).count() == 2
    deleted = run.rules.get(rule_key="engagements.thread.inactive").deleted
    assert deleted == 1


def test_bookkeeping_records_are_anonymised_only_after_retain_until(
    eager_celery, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        flow = support.invoiced()
    # Hours are approved and invoiced last month: a year ago for the purge,
    # but kept by the Bookkeeping Act.
    Engagement.objects.filter(pk=flow.engagement.pk).update(
        ended_at=timezone.now() - 2 * YEAR, status=Engagement.Status.ENDED
    )
    invoice = Invoice.objects.get(pk=flow.invoice.pk)
    contract = ContractVersion.objects.get(pk=flow.contract.pk)
    pdfs = [invoice.pdf.name, contract.pdf.name]
    assert all(pdfs) and all(document_storage.exists(n) for n in pdfs)
    with django_capture_on_commit_callbacks(execute=True):
        retention_purge()
    invoice.refresh_from_db()
    assert invoice.anonymised_at is None and invoice.buyer_name == flow.company.name
    assert all(document_storage.exists(n) for n in pdfs)
    assert HoursReport.objects.filter(engagement=flow.engagement).count() == len(
        flow.hours
    )

    # The period ends: every record of the engagement is past its retain_until.
    past = timezone.now() - dt.timedelta(minutes=1)
    for model, path in (
        (Engagement, "pk"),
        (ContractVersion, "engagement_id"),
        (HoursReport, "engagement_id"),
        (Invoice, "engagement_id"),
    ):
        model.objects.filter(**{path: flow.engagement.pk}).update(retain_until=past)
    # Deleting the PDFs fails during the run: the outbox keeps them for a retry.
    failed: list[str] = []

    def delete_fails(storage, name):
        failed.append(name)
        raise OSError("disk busy")

    with monkeypatch.context() as patch:
        patch.setattr(DocumentStorage, "delete", delete_fails)
        with django_capture_on_commit_callbacks(execute=True):
            run = retention_purge()
    assert run.status == "completed"
    invoice.refresh_from_db()
    # No longer about anyone...
    assert (invoice.buyer_name, invoice.provider_name) == ("Anonymised",) * 2
    assert (invoice.buyer_cvr, invoice.buyer_address, invoice.buyer_email) == (
        "",
        "",
        "",
    )
    assert (invoice.provider_cvr, invoice.description, invoice.pdf.name) == (
        "",
        "",
        "",
    )
    assert invoice.anonymised_at is not None
    # ...but still the same invoice in the books.
    assert invoice.number == flow.invoice.number
    assert invoice.total == flow.invoice.total
    assert invoice.amount_excl_vat == flow.invoice.amount_excl_vat
    assert invoice.vat_amount == flow.invoice.vat_amount
    assert invoice.lines.count() == flow.invoice.lines.count()
    contract.refresh_from_db()
    assert (contract.text, contract.scope, contract.pdf.name) == ("", "", "")
    assert contract.rate == flow.contract.rate
    engagement = Engagement.objects.get(pk=flow.engagement.pk)
    assert (engagement.title, engagement.billing_email) == ("Anonymised", "")
    assert set(
        ContractAcceptance.objects.filter(version=contract).values_list(
            "name", flat=True
        )
    ) == {"Anonymised"}
    assert not HoursReport.objects.filter(
        engagement=engagement, anonymised_at__isnull=True
    ).exists()
    assert (
        not HoursReport.objects.filter(engagement=engagement).exclude(note="").exists()
    )
    # The PDFs went through the outbox: still there after the failed tries,
    # gone when the outbox is worked through again.
    assert set(failed) == set(pdfs)
    assert set(FileDeletion.objects.values_list("name", flat=True)) == set(pdfs)
    assert all(document_storage.exists(n) for n in pdfs)
    file_deletions_process()
    assert not FileDeletion.objects.exists()
    assert not any(document_storage.exists(n) for n in pdfs)


def test_a_proposal_never_accepted_goes_12_months_after_the_engagement_ended(
    django_capture_on_commit_callbacks,
):
    declined, recent = [], []
    for bucket, ended in ((declined, YEAR + dt.timedelta(days=1)), (recent, YEAR / 2)):
        flow = support.accepted()
        proposal = services.contract_propose(
            actor=flow.company_member,
            thread=flow.thread,
            title="Maybe",
            scope="Perhaps.",
            start_date=timezone.localdate(),
            end_date=timezone.localdate() + dt.timedelta(days=10),
            rate_kind="fixed",
            rate=Decimal("5000"),
            billing_email="billing@company.example",
        )
        services.contract_decline(version=proposal, actor=flow.freelancer_user)
        Engagement.objects.filter(pk=proposal.engagement_id).update(
            ended_at=timezone.now() - ended
        )
        bucket.append(proposal)
    with django_capture_on_commit_callbacks(execute=True):
        retention_purge()
    gone, kept = declined[0], recent[0]
    assert not Engagement.objects.filter(pk=gone.engagement_id).exists()
    assert not ContractVersion.objects.filter(pk=gone.pk).exists()
    assert not ContractAcceptance.objects.filter(version_id=gone.pk).exists()
    assert Engagement.objects.filter(pk=kept.engagement_id).exists()
    assert ContractAcceptance.objects.filter(version_id=kept.pk).exists()


def test_a_proposal_nobody_answered_goes_12_months_after_it_was_made(
    django_capture_on_commit_callbacks,
):
    made = {}
    for label, age in (("old", YEAR + dt.timedelta(days=1)), ("new", YEAR / 2)):
        flow = support.accepted()
        proposal = services.contract_propose(
            actor=flow.company_member,
            thread=flow.thread,
            title="Unanswered",
            scope="Waiting.",
            start_date=timezone.localdate(),
            end_date=timezone.localdate() + dt.timedelta(days=10),
            rate_kind="fixed",
            rate=Decimal("5000"),
            billing_email="billing@company.example",
        )
        Engagement.objects.filter(pk=proposal.engagement_id).update(
            created_at=timezone.now() - age
        )
        made[label] = proposal
    assert Engagement.objects.get(pk=made["old"].engagement_id).ended_at is None
    with django_capture_on_commit_callbacks(execute=True):
        retention_purge()
    old, new = made["old"], made["new"]
    assert not Engagement.objects.filter(pk=old.engagement_id).exists()
    assert not ContractVersion.objects.filter(pk=old.pk).exists()
    assert not ContractAcceptance.objects.filter(version_id=old.pk).exists()
    assert ContractVersion.objects.filter(pk=new.pk).exists()
    assert ContractAcceptance.objects.filter(version_id=new.pk).exists()


# --- Recipients (GDPR Art. 15(1)(c), 19) ----------------------------------------


def test_the_company_becomes_a_recipient_when_the_freelancer_accepts(
    django_capture_on_commit_callbacks,
):
    flow = support.inquired()
    freelancer = flow.freelancer_user
    assert personal_data.recipients(freelancer) == []
    services.inquiry_accept(thread=flow.thread, actor=freelancer)
    [recipient] = personal_data.recipients(freelancer)
    assert recipient.name == flow.company.name
    assert recipient.email == flow.company.contact_email
    assert recipient.reference == flow.freelancer.full_name
    assert recipient.since is not None

    request = _erase(freelancer, django_capture_on_commit_callbacks)

    [notice] = [m for m in mail.outbox if m.to == [flow.company.contact_email]]
    assert flow.freelancer.full_name in notice.body  # how the company knows them
    assert "Art. 19" in notice.body
    assert request.recipients_notified == [
        {
            "name": flow.company.name,
            "since": recipient.since.isoformat(),
            "notified": True,
        }
    ]


# --- Restriction (GDPR Art. 18) ------------------------------------------------


def _restrict(user, capture) -> DataSubjectRequest:
    request = dsr.dsr_submit(user=user, kind=DataSubjectRequest.Kind.RESTRICTION)
    with capture(execute=True):
        dsr.dsr_restriction_apply(request=request, actor=None)
    request.refresh_from_db()
    return request


def _lift(request, capture) -> None:
    with capture(execute=True):
        dsr.dsr_restriction_lift_notify(request=request, actor=None)
        dsr.dsr_restriction_lift(request=request, actor=None)


def test_a_restricted_freelancer_gets_no_inquiries_and_their_engagements_freeze(
    django_capture_on_commit_callbacks,
):
    """A restriction keeps the data and uses it for nothing: the profile is
    hidden, so no company can send an inquiry; the engagements are marked
    restricted, so no hours, approvals, new contract versions or invoices;
    the client company is told (Art. 19). Lifting it undoes exactly that."""
    flow = support.hours_approved()
    freelancer = flow.freelancer_user
    newcomer = support.parties()
    newcomer.freelancer = flow.freelancer
    mail.outbox.clear()

    request = _restrict(freelancer, django_capture_on_commit_callbacks)

    assert not freelancer_is_public(profile=flow.freelancer)
    with pytest.raises(ValidationError) as refused:
        support.inquired(newcomer)
    assert refused.value.code == "not_public"
    assert not Thread.objects.filter(company=newcomer.company).exists()
    engagement = Engagement.objects.get(pk=flow.engagement.pk)
    assert engagement.restricted_at == request.restriction_applied_at
    assert not engagement.is_active
    start, end = services.previous_month(timezone.localdate())
    assert flow.engagement.pk not in set(
        services.invoices_due_engagement_ids(period_start=start, period_end=end)
    )
    with pytest.raises(ValidationError):
        services.invoice_issue(
            engagement=engagement, period_start=start, period_end=end
        )
    with pytest.raises(ValidationError):
        services.hours_report(
            engagement=engagement,
            actor=freelancer,
            week=services.week_start(timezone.localdate()),
            hours="3",
        )
    with pytest.raises(ValidationError):
        _propose(flow, flow.company_member, scope="More.")
    # The conversation they had stays readable but takes no new messages.
    with pytest.raises(ValidationError) as refused:
        services.message_send(
            thread=flow.thread, actor=flow.company_member, body="Still there?"
        )
    assert refused.value.code == "restricted"
    assert not flow.thread.messages.filter(body="Still there?").exists()
    assert not Invoice.objects.exists()
    assert any(m.to == [flow.company.contact_email] for m in mail.outbox)

    _lift(request, django_capture_on_commit_callbacks)

    assert freelancer_is_public(profile=flow.freelancer)
    engagement.refresh_from_db()
    assert engagement.restricted_at is None and engagement.is_active
    assert not HoursReport.objects.filter(restricted_at__isnull=False).exists()
    invoice = services.invoice_issue(
        engagement=engagement, period_start=start, period_end=end, send=False
    )
    assert invoice.number


@pytest.mark.parametrize("restricted_first", [False, True])
def test_lifting_a_restriction_leaves_records_an_erasure_restricted(
    restricted_first, eager_celery, django_capture_on_commit_callbacks
):
    """The freelancer's client closed (its only member erased), before or
    while the freelancer's own restriction held: the client's books stay
    restricted when the freelancer's restriction is lifted."""
    with django_capture_on_commit_callbacks(execute=True):
        flow = support.invoiced()
    if restricted_first:
        request = _restrict(flow.freelancer_user, django_capture_on_commit_callbacks)
    _erase(flow.company_member, django_capture_on_commit_callbacks)
    erased_at = Engagement.objects.get(pk=flow.engagement.pk).restricted_at
    assert erased_at is not None
    if not restricted_first:
        request = _restrict(flow.freelancer_user, django_capture_on_commit_callbacks)

    _lift(request, django_capture_on_commit_callbacks)

    assert Engagement.objects.get(pk=flow.engagement.pk).restricted_at == erased_at
    assert Invoice.objects.get(pk=flow.invoice.pk).restricted_at == erased_at
    assert freelancer_is_public(profile=flow.freelancer)


def test_a_members_restriction_freezes_the_companys_engagements_only_if_alone(
    django_capture_on_commit_callbacks,
):
    """Like erasure: the company's engagements are a member's to restrict only
    when no other member's account is open."""
    shared = support.hours_approved()
    shared.company.memberships.create(user=UserFactory(), role="member")
    _restrict(shared.company_member, django_capture_on_commit_callbacks)
    assert Engagement.objects.get(pk=shared.engagement.pk).is_active

    alone = support.hours_approved()
    _restrict(alone.company_member, django_capture_on_commit_callbacks)
    assert not Engagement.objects.get(pk=alone.engagement.pk).is_active
    assert Engagement.objects.get(pk=shared.engagement.pk).is_active
