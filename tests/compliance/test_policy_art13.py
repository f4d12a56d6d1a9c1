"""The policy lists every GDPR Art. 13 and 14 item, each from one record, and
the record of processing is complete (issue 16 items 7-10)."""

import os
import re
import subprocess
import sys

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core import checks
from django.core.cache import caches
from django.core.exceptions import ValidationError

from compliance.checks import check_deploy_settings, check_processing_activities
from compliance.models import ProcessingActivity, Processor
from compliance.records import policy_records_apply, policy_records_read
from compliance.seed import compliance_seed
from compliance.selectors import activity_gaps
from privacy.models import RetentionPolicy
from privacy.retention import retention_policies_sync
from privacy.selectors import retention_periods

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _seeded(db):
    compliance_seed()
    policy_records_apply(
        processor_model=Processor,
        activity_model=ProcessingActivity,
        version_model=apps.get_model("compliance", "PolicyVersion"),
        data=policy_records_read(),
    )
    caches["consent"].clear()


def _policy(client, language="en") -> str:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/privacy/")
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}".*?</section>', html, flags=re.S)
    assert match, section_id
    return match.group(0)


# --- Item 8: every processing activity has purpose, legal basis, retention ---------


def test_every_processing_activity_has_a_purpose_a_legal_basis_and_a_period():
    periods = retention_periods()
    activities = list(ProcessingActivity.objects.all())
    assert len(activities) >= 11
    assert {a.purpose_en: activity_gaps(a, periods) for a in activities} == {
        a.purpose_en: [] for a in activities
    }
    assert check_processing_activities(databases=["default"]) == []


def test_an_activity_without_a_legal_basis_or_period_fails_the_check():
    ProcessingActivity.objects.filter(purpose_en="Marketing e-mail").update(
        legal_basis="", retention_key="no.such.rule"
    )
    errors = check_processing_activities(databases=["default"])
    assert [e.id for e in errors] == ["privacy.E011"]
    assert "Marketing e-mail" in errors[0].msg
    assert "legal basis" in errors[0].msg and "retention period" in errors[0].msg


@pytest.mark.parametrize(
    ("purpose", "basis", "special"),
    [
        ("Marketing e-mail", "Consent (Art. 6(1)(a))", "Markedsføringsloven § 10"),
        ("E-mail open tracking", "Consent (Art. 6(1)(a))", "Cookiebekendtgørelsen"),
        (
            "CPR number for payments",
            "Legal obligation (Art. 6(1)(c))",
            "Databeskyttelsesloven § 11",
        ),
        ("Security and audit logging", "Legitimate interests (Art. 6(1)(f))", ""),
    ],
)
def test_the_purposes_table_gives_each_added_purpose_its_legal_basis(
    client, purpose, basis, special
):
    section = _section(_policy(client), "purposes")
    row = re.search(rf"{re.escape(purpose)}.*?</tr>", section, flags=re.S).group(0)
    assert basis in row
    assert special in row
    assert "after the purpose ends" in row


# --- Item 7: the Art. 13/14 items ------------------------------------------------


def test_the_dpo_statement_says_none_is_appointed_and_why(client, settings):
    section = _section(_policy(client), "dpo")
    assert "We have not appointed a data protection officer" in section
    assert "Art. 37" in section
    settings.PRIVACY_CONTROLLER = {
        **settings.PRIVACY_CONTROLLER,
        "dpo_email": "dpo@worksome.dk",
    }
    section = _section(_policy(client), "dpo")
    assert "We have appointed a data protection officer" in section
    assert "dpo@worksome.dk" in section


def test_each_purpose_says_whether_the_data_is_required_and_what_if_not(client):
    section = _section(_policy(client), "requirement")
    for activity in ProcessingActivity.objects.all():
        assert activity.purpose_en in section
    cpr = re.search(r"CPR number for payments.*?</tr>", section, flags=re.S).group(0)
    assert "Required by law" in cpr
    assert "we cannot pay you" in cpr
    stats = re.search(r"Website statistics.*?</tr>", section, flags=re.S).group(0)
    assert "Voluntary" in stats and "works fully without" in stats


def test_a_required_purpose_needs_the_consequence_of_not_giving_it():
    activity = ProcessingActivity.objects.get(purpose_en="CPR number for payments")
    activity.requirement_consequence_en = ""
    activity.requirement_consequence = ""
    with pytest.raises(ValidationError) as error:
        activity.clean()
    assert "requirement_consequence" in error.value.message_dict


def test_the_pixels_audience_building_is_plainly_called_profiling(client):
    section = _section(_policy(client), "profiling")
    assert "no decisions about you based solely on automated processing" in section
    assert "Yes, this is profiling (GDPR Art. 4(4))" in section
    assert "Advertising measurement" in section


def test_data_not_collected_from_the_person_names_its_source(client):
    section = _section(_policy(client), "sources")
    assert "entered by a colleague who administers the company" in section
    assert "invitation" in section
    assert "publicly accessible sources" in section


def test_joint_controllership_with_meta_gives_the_essence_of_the_arrangement(client):
    section = _section(_policy(client), "sharing")
    joint = re.search(r'<p data-joint="meta">.*?</p>', section, flags=re.S).group(0)
    assert "joint controllers" in joint
    assert "Art. 26" in joint
    assert "consent" in joint and "use your rights against either of us" in joint


def test_a_joint_controller_needs_its_arrangement():
    meta = Processor.objects.get(key="meta")
    meta.joint_arrangement_en = meta.joint_arrangement = ""
    with pytest.raises(ValidationError) as error:
        meta.clean()
    assert "joint_arrangement" in error.value.message_dict


def test_every_art_13_and_14_item_is_rendered_in_danish_too(client):
    html = _policy(client, "da")
    assert "Vi har ikke udpeget en databeskyttelsesrådgiver" in html
    assert "Ja, dette er profilering" in html
    assert "fælles dataansvarlige" in html
    assert "indtastet af en kollega" in html
    assert "Kræves af loven" in _section(html, "requirement")
    assert "Databeskyttelsesloven § 11" in _section(html, "purposes")


# --- Item 9: one source per fact, plurals ------------------------------------------


def test_the_breach_register_shows_one_period_everywhere(client):
    html = _policy(client)
    data = _section(html, "data") if 'section id="data"' in html else html
    breach_row = re.search(r"Personal-data breach<br>.*?</tr>", data, flags=re.S).group(
        0
    )
    assert "While your account exists" not in breach_row
    assert "5 years after the purpose ends" in breach_row
    retention = re.search(
        r'<tr data-retention="privacy.breach.aged">.*?</tr>', html, flags=re.S
    ).group(0)
    assert "5 years after the purpose ends" in retention
    assert "1825" not in html


def test_the_bookkeeping_period_is_stated(client):
    row = re.search(
        r'<tr data-retention="bookkeeping">.*?</tr>', _policy(client), flags=re.S
    ).group(0)
    assert "5 years from the end of the financial year" in row
    assert "bogføringsloven" in row


def test_periods_use_plural_forms(client):
    retention_policies_sync()
    RetentionPolicy.objects.filter(key="privacy.export.expired").update(period_days=1)
    RetentionPolicy.objects.filter(key="privacy.legalhold.ended").update(period_days=2)
    html = _policy(client)
    assert "1 days" not in html
    export = re.search(
        r'<tr data-retention="privacy.export.expired">.*?</tr>', html, flags=re.S
    ).group(0)
    assert "1 day after the purpose ends" in export
    danish = _policy(client, "da")
    assert "1 dag efter" in danish and "2 dage efter" in danish
    assert "5 år fra udgangen af det regnskabsår" in danish


# --- Item 10: placeholders fail the deploy check -------------------------------------


def test_placeholders_and_missing_urls_fail_the_deploy_check(settings):
    settings.DEBUG = False
    settings.DEPLOY_MISSING_ENV = ["SITE_URL", "EMAIL_URL"]
    errors = check_deploy_settings()
    messages = [e.msg for e in errors]
    assert all(e.level == checks.ERROR for e in errors)
    assert any(m.startswith("SITE_URL is not set") for m in messages)
    assert any(m.startswith("EMAIL_URL is not set") for m in messages)
    assert any(m.startswith("CONTROLLER_ADDRESS is a placeholder") for m in messages)
    assert any(m.startswith("CONTROLLER_EMAIL is a placeholder") for m in messages)
    assert all("\n" not in m for m in messages)


def test_real_details_pass_and_debug_skips_the_check(settings):
    settings.DEBUG = False
    settings.DEPLOY_MISSING_ENV = []
    settings.PRIVACY_CONTROLLER = {
        "name": "Worksome ApS",
        "address": "Vestergade 12, 8000 Aarhus C",
        "cvr": "37442314",
        "email": "privacy@worksome.dk",
        "phone": "+45 33 12 34 56",
    }
    assert check_deploy_settings() == []
    settings.DEBUG = True
    settings.DEPLOY_MISSING_ENV = ["SITE_URL"]
    assert check_deploy_settings() == []


CHECK_ENV = {
    "SECRET_KEY": "deploy-check-test-secret-0123456789abcdefghijklmnopqrstuvwxyz",
    "FIELD_ENCRYPTION_KEYS": "7f2r8yNn2bK6nX1pQwA3hS9dJ4kL5mZ0vB8cR6tY1uE=",
    "DJANGO_DEBUG": "0",
    "DJANGO_HTTPS": "1",
    "ALLOWED_HOSTS": "worksome.dk",
}
REAL = {
    "SITE_URL": "https://worksome.dk",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.worksome.dk:587",
    "CONTROLLER_ADDRESS": "Vestergade 12, 8000 Aarhus C",
    "CONTROLLER_CVR": "37442314",
    "CONTROLLER_EMAIL": "privacy@worksome.dk",
    "CONTROLLER_PHONE": "+45 33 12 34 56",
}


def _check_deploy(env: dict) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in REAL
        and not k.startswith("CONTROLLER_")
        and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=django_settings.BASE_DIR,
        env={**base, **CHECK_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_manage_py_check_deploy_names_each_placeholder_variable():
    """What .ci/run runs: without real values it fails, one line per variable."""
    failed = _check_deploy({})
    assert failed.returncode != 0
    for name in ("SITE_URL", "EMAIL_URL", "CONTROLLER_ADDRESS", "CONTROLLER_EMAIL"):
        lines = [line for line in failed.stderr.splitlines() if f" {name} " in line]
        assert len(lines) == 1, (name, failed.stderr)
    passed = _check_deploy(REAL)
    assert passed.returncode == 0, passed.stderr


# --- Item 12: content held in the database has a Danish and an English form --------


def test_staff_enter_an_activity_in_both_languages_and_each_reader_gets_theirs(
    admin_client, client
):
    response = admin_client.post(
        "/admin/compliance/processingactivity/add/",
        {
            "purpose_en": "Fraud prevention",
            "purpose_da": "Forebyggelse af svindel",
            "description_en": "Spotting fake company profiles.",
            "description_da": "Opdagelse af falske virksomhedsprofiler.",
            "legal_basis": "f",
            "data_subjects_en": "Company contacts",
            "data_subjects_da": "Kontaktpersoner",
            "data_categories_en": "Company name and CVR number.",
            "data_categories_da": "Virksomhedsnavn og CVR-nummer.",
            "requirement": "voluntary",
            "retention_key": "profiles.company.closed",
            "ordering": 120,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    english = _section(_policy(client, "en"), "purposes")
    assert "Fraud prevention" in english and "Spotting fake company" in english
    danish = _section(_policy(client, "da"), "purposes")
    assert "Forebyggelse af svindel" in danish
    assert "Opdagelse af falske virksomhedsprofiler." in danish
    assert "Fraud prevention" not in danish
