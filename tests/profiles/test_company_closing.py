"""A company without members closes at once and is anonymised by its rule.

Issue 14 item 3: erasure, the purge and account closure left a one-person
company public with its name, CVR, address and contact details.
"""

import datetime as dt

from django.core.files.storage import default_storage
from django.utils import timezone

from privacy.erasure import erasure_execute
from privacy.registry import personal_data
from privacy.retention import retention_purge
from profiles import services
from profiles.models import ACCOUNT_INACTIVITY, Company, CompanyMembership, User
from tests.factories import UserFactory
from tests.profiles import upload_corpus as corpus

YEAR = dt.timedelta(days=365)
COMPANY = {
    "name": "Solveig Sørensen Design",
    "cvr": "32165494",
    "website": "https://solveig-design.example.net",
    "description": "Solveig designs furniture.",
    "street": "Solveigs Allé 3",
    "postal_code": "5000",
    "city": "Solveigby",
    "contact_email": "solveig@solveig-design.example.net",
    "phone": "+4540506070",
    "country": "DK",
}


def _one_person_company(email="solveig@example.org"):
    owner = UserFactory(email=email)
    company = services.company_create(actor=owner, data=dict(COMPANY))
    services.company_logo_set(company=company, actor=owner, upload=corpus.jpeg_photo())
    company.refresh_from_db()
    return owner, company


def _listed(client, company) -> tuple[bool, bool, int, int]:
    page = client.get("/companies/")
    api = client.get("/api/v1/companies/")
    return (
        company.name in page.content.decode(),
        company.slug in api.content.decode(),
        client.get(f"/companies/{company.slug}/").status_code,
        client.get(f"/api/v1/companies/{company.slug}/").status_code,
    )


def _assert_anonymised(company_pk, files):
    company = Company.objects.get(pk=company_pk)
    assert company.anonymised_at is not None
    for name in COMPANY:
        if name != "country":
            assert getattr(company, name) in ("", None, "Closed company"), name
    assert company.name == "Closed company" and company.cvr is None
    assert company.slug == f"closed-{company.pk}"
    assert not company.logo and not company.logo_thumbnail
    assert not any(default_storage.exists(name) for name in files)


def test_erasing_the_only_member_closes_and_anonymises_the_company(
    client, db, django_capture_on_commit_callbacks
):
    owner, company = _one_person_company()
    files = [company.logo.name, company.logo_thumbnail.name]
    assert _listed(client, company) == (True, True, 200, 200)
    with django_capture_on_commit_callbacks(execute=True):
        erasure_execute(user=owner, actor=None)
    closed = Company.objects.get(pk=company.pk)
    assert closed.closed_at is not None
    assert _listed(client, company) == (False, False, 404, 404)
    _assert_anonymised(company.pk, files)


def test_closing_the_only_members_account_closes_the_company_at_once(client, db):
    owner, company = _one_person_company()
    services.account_close(user=owner, actor=owner)
    company.refresh_from_db()
    assert company.closed_at is not None
    assert _listed(client, company) == (False, False, 404, 404)
    # Kept for the period (the member may come back through support), then
    # anonymised by the company's own rule.
    assert company.name == COMPANY["name"]
    later = timezone.now() + YEAR + dt.timedelta(days=1)
    run = retention_purge(rule_key="profiles.company.closed", now=later)
    assert run.rules.get().anonymised == 1
    _assert_anonymised(company.pk, [])


def test_the_purge_closes_the_company_of_its_last_member_in_the_same_batch(
    client, db, django_capture_on_commit_callbacks
):
    owner, company = _one_person_company()
    files = [company.logo.name, company.logo_thumbnail.name]
    long_ago = timezone.now() - ACCOUNT_INACTIVITY - YEAR - dt.timedelta(days=40)
    User.objects.filter(pk=owner.pk).update(
        last_login=long_ago,
        date_joined=long_ago,
        inactivity_warning_sent_at=timezone.now() - dt.timedelta(days=31),
    )
    retention_purge(rule_key="profiles.user.closed")
    company.refresh_from_db()
    assert company.closed_at is not None
    assert _listed(client, company) == (False, False, 404, 404)
    with django_capture_on_commit_callbacks(execute=True):
        retention_purge(
            rule_key="profiles.company.closed",
            now=timezone.now() + YEAR + dt.timedelta(days=1),
        )
    _assert_anonymised(company.pk, files)


def test_a_company_with_another_open_member_stays_open(db):
    owner, company = _one_person_company()
    colleague = UserFactory()
    CompanyMembership.objects.create(company=company, user=colleague)
    erasure_execute(user=owner, actor=None)
    company.refresh_from_db()
    assert company.closed_at is None and company.anonymised_at is None
    assert company.name == COMPANY["name"]


def test_the_company_fields_are_declared_and_exported_to_its_members(db):
    owner, company = _one_person_company()
    declaration = personal_data.get(Company)
    assert declaration.retention.key == "profiles.company.closed"
    declared = {spec.name for spec in declaration.personal_fields()}
    assert set(COMPANY) - {"country"} <= declared
    assert "logo" in declared
    rows = [declaration.export_row(row) for row in declaration.export_queryset(owner)]
    assert len(rows) == 1
    for name, value in COMPANY.items():
        if name not in ("country", "phone"):
            assert rows[0][name] == value, name
    assert str(rows[0]["phone"]) == COMPANY["phone"]
    assert rows[0]["logo"] == company.logo.name
