"""The policy and the record of processing know the engagements (issue 18):
their purposes, legal bases, recipients and retention, in English and Danish,
generated from the records as every other section is."""

import csv
import io
import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.core.cache import caches

from compliance.models import PolicyVersion, ProcessingActivity, Processor
from compliance.records import policy_records_apply, policy_records_read
from compliance.seed import compliance_seed
from privacy.retention import retention_policies_sync
from tests.factories import UserFactory
from tests.security.totp import activate_totp

pytestmark = pytest.mark.django_db

PURPOSES = {
    "en": (
        "Communicate your competencies to potential clients",
        "Send customer contract and invoice to your company",
        "Manage the customer relationship",
        "Keep accounting records",
    ),
    "da": (
        "Formidle dine kompetencer til potentielle kunder",
        "Sende kundekontrakt og faktura til din virksomhed",
        "Administrere kunderelationen",
        "Opbevare regnskabsmateriale",
    ),
}


@pytest.fixture(autouse=True)
def _seeded(db):
    compliance_seed()
    caches["consent"].clear()


def _policy(client, language: str) -> str:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/privacy/")
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}".*?</section>', html, flags=re.S)
    assert match, section_id
    return match.group(0)


def _row(html: str, starts: str) -> str:
    match = re.search(
        rf"<tr>\s*<th scope=\"row\">{re.escape(starts)}.*?</tr>", html, re.S
    )
    assert match, starts
    return match.group(0)


def test_the_policy_states_the_engagement_purposes_bases_and_recipients(client):
    purposes = _section(_policy(client, "en"), "purposes")
    for purpose in PURPOSES["en"]:
        assert purpose in purposes
    inquiries = _row(purposes, PURPOSES["en"][0])
    assert "Contract (Art. 6(1)(b))" in inquiries
    assert "Steps taken at your request before entering into a contract" in inquiries
    assert "legitimate interest" in inquiries
    assert "1 year after the purpose ends, then deleted" in inquiries
    assert "only after you accept its inquiry" in inquiries
    contract = _row(purposes, PURPOSES["en"][1])
    assert "Contract (Art. 6(1)(b))" in contract
    assert "Art. 6(1)(c)" in contract
    assert "Danske Bank A/S" in contract
    assert "The client company: the contract and the invoices" in contract
    assert "Skattestyrelsen" in contract and "only on request" in contract
    books = _row(purposes, PURPOSES["en"][3])
    assert "Legal obligation (Art. 6(1)(c))" in books
    assert "Bogføringsloven § 12" in books
    assert (
        "5 years from the end of the financial year they belong to, then anonymised"
        in books
    )
    # The former names are gone, not listed twice.
    assert "Contracts and invoices" not in purposes
    assert "Customer relationship management" not in purposes


def test_the_policy_states_them_in_danish_too(client):
    html = _policy(client, "da")
    purposes = _section(html, "purposes")
    for purpose in PURPOSES["da"]:
        assert purpose in purposes
    contract = _row(purposes, PURPOSES["da"][1])
    assert "Kontrakt (art. 6, stk. 1, litra b)" in contract
    assert "Kundevirksomheden: aftalen og fakturaerne" in contract
    assert "Skattestyrelsen, kun efter anmodning" in contract
    assert "Danske Bank A/S" in contract
    books = _row(purposes, PURPOSES["da"][3])
    assert "Retlig forpligtelse (art. 6, stk. 1, litra c)" in books
    assert "Bogføringsloven § 12 (opbevaring af regnskabsmateriale)" in books
    inquiries = _row(purposes, PURPOSES["da"][0])
    assert "Skridt, der tages på din anmodning forud for indgåelse" in inquiries
    assert "1 år efter at formålet er ophørt, derefter slettet" in inquiries
    retention = re.search(
        r'<tr data-retention="bookkeeping">.*?</tr>', html, flags=re.S
    ).group(0)
    assert "5 år fra udgangen af det regnskabsår" in retention


def test_bookkeeping_periods_read_as_the_law_says_not_as_zero_days(client):
    retention_policies_sync()
    html = _policy(client, "en")
    assert not re.search(r"\b0 days", html)
    for key in (
        "engagements.invoice.bookkeeping.kept",
        "engagements.hours.bookkeeping.kept",
        "engagements.contract.bookkeeping.kept",
    ):
        row = re.search(
            rf'<tr data-retention="{re.escape(key)}">.*?</tr>', html, flags=re.S
        ).group(0)
        assert "5 years from the end of the financial year they belong to" in row
        assert "then anonymised" in row
    conversations = re.search(
        r'<tr data-retention="engagements.thread.inactive">.*?</tr>', html, re.S
    ).group(0)
    assert "1 year after the purpose ends, then deleted" in conversations
    bookkeeping = re.search(
        r'<tr data-retention="bookkeeping">.*?</tr>', html, flags=re.S
    ).group(0)
    assert "5 years from the end of the financial year" in bookkeeping


def test_the_record_of_processing_lists_the_engagement_activities(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename="view_processingactivity")
    )
    activate_totp(user)
    client.force_login(user)
    response = client.post(
        "/admin/compliance/processingactivity/",
        {
            "action": "export_csv",
            "_selected_action": [ProcessingActivity.objects.first().pk],
        },
    )
    assert response.status_code == 200
    rows = {
        row["purpose"]: row
        for row in csv.DictReader(io.StringIO(response.content.decode()))
    }
    assert set(PURPOSES["en"]) <= set(rows)
    inquiries = rows[PURPOSES["en"][0]]
    assert inquiries["legal_basis"] == "Contract (Art. 6(1)(b))"
    assert inquiries["retention_rule"] == "engagements.thread.inactive"
    assert inquiries["retention_days"] == "365"
    assert "The company or freelancer you write with" in inquiries["other_recipients"]
    books = rows[PURPOSES["en"][3]]
    assert books["legal_basis"] == "Legal obligation (Art. 6(1)(c))"
    assert books["retention_rule"] == "engagements.invoice.bookkeeping.kept"
    assert books["retention_period"].startswith("5 years from the end of the")
    assert "Skattestyrelsen" in books["other_recipients"]
    contract = rows[PURPOSES["en"][1]]
    assert "Danske Bank A/S (Bank and payments)" in contract["recipients"]
    assert "The client company" in contract["other_recipients"]


def test_a_renamed_activity_is_updated_in_place_by_every_seed():
    """An installation seeded before the rename has the activity under its old
    name: the seed renames that row, and seeding again finds it by its new
    name, so it is never listed twice."""
    row = ProcessingActivity.objects.get(purpose_en=PURPOSES["en"][1])
    ProcessingActivity.objects.filter(pk=row.pk).update(
        purpose="Contracts and invoices",
        purpose_en="Contracts and invoices",
        purpose_da="Aftaler og fakturaer",
    )
    count = ProcessingActivity.objects.count()
    for _ in range(2):
        policy_records_apply(
            processor_model=Processor,
            activity_model=ProcessingActivity,
            version_model=PolicyVersion,
            data=policy_records_read(),
        )
        assert ProcessingActivity.objects.count() == count
    row.refresh_from_db()
    assert row.purpose_en == PURPOSES["en"][1]
    assert row.purpose_da == PURPOSES["da"][1]
    assert set(row.recipients.values_list("key", flat=True)) == {
        "hosting",
        "bank",
        "email",
    }
