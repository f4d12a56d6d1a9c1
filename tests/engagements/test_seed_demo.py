"""The engagement demo of ``make run``: the whole flow, made once."""

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import translation
from pypdf import PdfReader

from engagements.documents import money
from engagements.models import (
    ContractAcceptance,
    ContractVersion,
    Engagement,
    HoursReport,
    Invoice,
    InvoiceLine,
    Message,
    Thread,
)

pytestmark = pytest.mark.django_db

MODELS = (
    Thread,
    Message,
    Engagement,
    ContractVersion,
    ContractAcceptance,
    HoursReport,
    Invoice,
    InvoiceLine,
)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _pdf_text(field) -> str:
    with field.open("rb") as handle:
        return "\n".join(
            page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages
        )


def test_the_demo_has_an_accepted_inquiry_contract_approved_hours_and_an_invoice(
    django_assert_max_num_queries,
):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo_engagements", stdout=io.StringIO())
    thread = Thread.objects.get()
    assert thread.company.name == "Nordlys Software ApS"
    assert thread.freelancer.full_name == "Freja Nielsen"
    assert thread.status == Thread.Status.ACCEPTED and thread.contact_shared_at
    contract = ContractVersion.objects.get()
    assert contract.status == ContractVersion.Status.ACCEPTED
    assert contract.acceptances.count() == 2
    assert contract.pdf and contract.emailed_at
    engagement = contract.engagement
    assert engagement.status == Engagement.Status.ACTIVE
    hours = list(HoursReport.objects.all())
    assert len(hours) >= 4
    assert all(h.status == HoursReport.Status.APPROVED for h in hours)
    invoice = Invoice.objects.get()
    assert set(invoice.hours.all()) == set(hours)
    assert invoice.pdf and invoice.emailed_at
    text = _pdf_text(invoice.pdf)
    assert "Nordlys Software ApS" in text and "Vesterbrogade 10" in text
    assert "Freja Nielsen" in text
    with translation.override("da"):  # the demo invoice is in Danish
        assert money(invoice.total) in text
    assert any(m.to == ["hello@nordlys.example"] and m.attachments for m in mail.outbox)

    # Run again: nothing new, nothing mailed again, and quickly (a few reads).
    before, sent = _counts(), len(mail.outbox)
    with django_assert_max_num_queries(40):
        call_command("seed_demo_engagements", stdout=io.StringIO())
    assert _counts() == before
    assert len(mail.outbox) == sent


def test_the_engagement_demo_needs_the_profile_demo_first():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_engagements", stdout=io.StringIO())
    assert _counts() == dict.fromkeys(_counts(), 0)


def test_seed_demo_includes_the_engagement_demo(db):
    """The stable surface: ``manage.py seed_demo`` (what ``make run`` runs)
    loads the engagement demo too."""
    call_command("seed_demo", stdout=io.StringIO())
    assert Invoice.objects.exists()
    assert Thread.objects.filter(status="accepted").exists()
