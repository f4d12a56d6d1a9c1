"""The privacy policy generated from the records the code uses (issue 7)."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from cookie_consent.models import Cookie, CookieGroup
from django.contrib.auth.models import Permission
from django.core import checks
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from compliance.checks import check_processors
from compliance.models import PolicyVersion, ProcessingActivity, Processor
from compliance.records import policy_records_apply, policy_records_read
from compliance.seed import compliance_seed
from compliance.services import policy_version_publish
from consent.models import CookieDetails
from consent.policy import current_policy_version
from privacy.models import AuditEvent, RetentionPolicy
from privacy.retention import retention_policies_sync
from tests.factories import UserFactory
from tests.security.totp import activate_totp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _seeded(db):
    """The seeded records (a transactional test elsewhere may have flushed them)."""
    compliance_seed()
    policy_records_apply(
        processor_model=Processor,
        activity_model=ProcessingActivity,
        version_model=PolicyVersion,
        data=policy_records_read(),
    )
    caches["consent"].clear()


def _policy(client) -> str:
    response = client.get("/privacy/")
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}".*?</section>', html, flags=re.S)
    assert match, section_id
    return match.group(0)


def _version(version: str, *, days_ago: int = 0, **kwargs) -> PolicyVersion:
    now = timezone.now()
    return PolicyVersion.objects.create(
        version=version,
        effective_date=timezone.localdate() - dt.timedelta(days=days_ago),
        published_at=now - dt.timedelta(days=days_ago),
        **kwargs,
    )


# --- Generated sections ----------------------------------------------------------


def test_controller_comes_from_settings_read_at_call_time(client, settings):
    settings.PRIVACY_CONTROLLER = {
        "name": "Testfirma ApS",
        "address": "Testvej 1, 8000 Aarhus C",
        "cvr": "12345678",
        "email": "dpo@testfirma.example",
        "phone": "+45 11 22 33 44",
    }
    section = _section(_policy(client), "controller")
    for value in settings.PRIVACY_CONTROLLER.values():
        assert value in section


def test_controller_section_renders_without_the_setting(client, settings):
    """The controller's details have one home, the settings; without them the
    page still renders (``check --deploy`` is what refuses such a site)."""
    del settings.PRIVACY_CONTROLLER
    section = _section(_policy(client), "controller")
    assert "<address" in section


def test_an_added_processor_appears_in_the_sharing_section(client):
    assert "Acme Cloud Oy" not in _policy(client)
    Processor.objects.create(
        key="acme",
        vendor="Acme Cloud Oy",
        service=Processor.Service.IT_OPERATIONS,
        data_categories="Server logs",
        country="Finland",
    )
    section = _section(_policy(client), "sharing")
    assert "Acme Cloud Oy" in section
    assert "Finland" in section


def test_transfers_name_their_basis_and_the_scc_assessment_date(client):
    section = _section(_policy(client), "sharing")
    transfers = section[section.index('id="transfers"') :]
    assert "X Corp. (USA)" in transfers
    assert "Standard contractual clauses 2021/914" in transfers
    assert "1 March 2025" in transfers  # the transfer impact assessment (day first)
    assert "EU-US Data Privacy Framework" in transfers
    # Processors inside the EEA are not transfers.
    assert "Hetzner" not in transfers


def test_standard_contractual_clauses_need_an_assessment_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        Processor.objects.create(
            key="nodate",
            vendor="No Date Inc.",
            service=Processor.Service.ANALYTICS,
            data_categories="x",
            country="United States",
            transfer_basis="scc",
        )


def test_a_changed_retention_period_is_shown_in_the_policy(client):
    retention_policies_sync()
    RetentionPolicy.objects.filter(key="profiles.freelancer.closed").update(
        period_days=90
    )
    html = _policy(client)
    row = re.search(
        r'<tr data-retention="profiles.freelancer.closed">.*?</tr>', html, flags=re.S
    ).group(0)
    assert "90 days after the purpose ends" in row
    # The activity linked to that rule shows the same period.
    purposes = _section(html, "purposes")
    competences = re.search(
        r"Show competences to clients.*?</tr>", purposes, flags=re.S
    ).group(0)
    assert "90 days after the purpose ends" in competences


def test_retention_rows_exist_at_install_and_show_the_rules_default(client):
    # Filled after migrate (privacy's post_migrate), not by the first purge.
    policy = RetentionPolicy.objects.get(key="privacy.audit.dsr.aged")
    assert policy.period_days == policy.default_period_days
    html = _policy(client)
    row = re.search(
        r'<tr data-retention="privacy.audit.dsr.aged">.*?</tr>', html, flags=re.S
    ).group(0)
    assert "3 years after the purpose ends" in row


def test_an_added_cookie_is_listed_in_the_cookie_section(client):
    group = CookieGroup.objects.get(varname="analytics")
    cookie = Cookie.objects.create(cookiegroup=group, name="_gnew", description="Id")
    CookieDetails.objects.create(
        cookie=cookie,
        vendor="Google Ireland Ltd.; Google LLC (USA)",
        purpose="Tells visitors apart for 24 hours.",
        duration="24 hours",
        vendor_country="United States",
        transfer_basis="dpf",
    )
    section = _section(_policy(client), "cookies")
    assert '<tr data-cookie="_gnew">' in section
    assert "Tells visitors apart for 24 hours." in section


def test_purposes_show_legal_basis_and_recipients(client):
    section = _section(_policy(client), "purposes")
    for purpose in (
        "Show competences to clients",
        "Send customer contract and invoice to your company",
        "Customer service",
        "Your account and company memberships",
        "Notification e-mails",
    ):
        assert purpose in section
    assert "Consent (Art. 6(1)(a))" in section
    assert "Legitimate interests (Art. 6(1)(f))" in section
    assert "Danske Bank A/S" in section


def test_data_section_comes_from_the_registry(client):
    html = _policy(client)
    assert "Policy acknowledgement" in html  # declared by this issue
    assert "1 year after the purpose ends" in html


def test_rights_link_to_the_request_form_and_complaint_names_datatilsynet(client):
    html = _policy(client)
    rights = _section(html, "rights")
    assert 'href="/privacy/requests/new/?kind=erasure"' in rights
    assert 'href="/privacy/requests/new/?kind=access"' in rights
    complaint = _section(html, "complaint")
    assert "Datatilsynet" in complaint
    assert "Carl Jacobsens Vej 35, 2500 Valby" in complaint
    assert "dt@datatilsynet.dk" in complaint


def test_the_current_version_text_and_last_updated_date_are_shown(client):
    _version("2", intro="A brand new introduction.", security="Locks everywhere.")
    html = _policy(client)
    assert "A brand new introduction." in html
    assert "Locks everywhere." in _section(html, "security")
    today = timezone.localdate()
    assert f"Last updated: {date_format(today)} (version 2)" in html


def test_a_future_or_unpublished_version_is_not_in_force(client):
    PolicyVersion.objects.create(
        version="draft", effective_date=timezone.localdate(), intro="Draft text."
    )
    PolicyVersion.objects.create(
        version="future",
        effective_date=timezone.localdate() + dt.timedelta(days=10),
        published_at=timezone.now(),
        intro="Future text.",
    )
    html = _policy(client)
    assert "Draft text." not in html and "Future text." not in html
    assert "(version 1)" in html


def test_the_policy_never_says_privacy_shield(client):
    for url in ("/privacy/", "/privacy/versions/"):
        assert "privacy shield" not in client.get(url).content.decode().lower()
    for processor in Processor.objects.all():
        assert "privacy shield" not in processor.get_transfer_basis_display().lower()


def test_the_policy_has_no_inline_script_or_style(client):
    html = _policy(client)
    main = html[html.index('<main id="main"') : html.index("</main>")]
    assert "<script" not in main
    assert "style=" not in main and "<style" not in main


def test_a_post_to_the_policy_is_refused(client):
    assert client.post("/privacy/").status_code == 405


# --- The banner cites the version in force ------------------------------------------


def test_the_banner_cites_the_current_policy_version(settings):
    settings.PRIVACY_POLICY_VERSION = "fallback"
    assert current_policy_version() == "1"
    _version("2")
    assert current_policy_version() == "2"


def test_the_setting_is_the_fallback_without_a_published_version(settings):
    PolicyVersion.objects.all().delete()
    settings.PRIVACY_POLICY_VERSION = "fallback"
    assert current_policy_version() == "fallback"


# --- Versions and diffs --------------------------------------------------------------


def test_versions_page_lists_published_versions_only(client):
    _version("2", summary="Added the SMS gateway.")
    PolicyVersion.objects.create(version="draft", effective_date=timezone.localdate())
    html = client.get("/privacy/versions/").content.decode()
    assert 'data-version="1"' in html and 'data-version="2"' in html
    assert "Added the SMS gateway." in html
    assert 'data-version="draft"' not in html


def test_the_diff_shows_what_changed_between_two_versions(client):
    _version("2", intro="We now also process phone numbers.")
    response = client.get("/privacy/versions/", {"from": "1", "to": "2"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<ins>We now also process phone numbers.</ins>" in html
    removed = " ".join(re.findall(r"<del>(.*?)</del>", html, flags=re.S))
    assert "This policy explains which personal data" in removed


def test_a_diff_of_the_same_version_says_nothing_changed(client):
    html = client.get("/privacy/versions/", {"from": "1", "to": "1"}).content.decode()
    assert "The text of these versions is the same." in html


@pytest.mark.parametrize(
    "params",
    [
        {"from": "1", "to": "nope"},
        {"from": "1"},
        {"to": "1", "from": ""},
        {"from": "draft", "to": "1"},  # unpublished versions are not shown
        {"from": "x" * 5000, "to": "1"},
    ],
)
def test_an_unknown_version_in_a_diff_is_a_400(client, params):
    PolicyVersion.objects.create(version="draft", effective_date=timezone.localdate())
    response = client.get("/privacy/versions/", params)
    assert response.status_code == 400
    assert "There is no published version" in response.content.decode()


# --- Publishing ---------------------------------------------------------------------


def test_publishing_is_audited_and_refused_twice(admin_user):
    draft = PolicyVersion.objects.create(
        version="2", effective_date=timezone.localdate()
    )
    policy_version_publish(version=draft, actor=admin_user)
    draft.refresh_from_db()
    assert draft.published_at is not None
    event = AuditEvent.objects.get(action="policy.published")
    assert event.actor == admin_user and event.target_id == str(draft.pk)
    with pytest.raises(Exception, match="already published"):
        policy_version_publish(version=draft, actor=admin_user)
    assert AuditEvent.objects.filter(action="policy.published").count() == 1


def test_a_published_version_is_read_only_in_the_admin(admin_client):
    version = PolicyVersion.objects.get(version="1")
    url = f"/admin/compliance/policyversion/{version.pk}/change/"
    data = {
        "version": "1",
        "effective_date": "2026-01-01",
        "summary_en": "",
        "intro_en": "Rewritten",
        "intro_da": "Omskrevet",
        "security_en": "",
        "contact_en": "",
        "created_at_0": "2026-01-01",
        "created_at_1": "00:00:00",
    }
    draft = PolicyVersion.objects.create(
        version="draft", effective_date=timezone.localdate()
    )
    # The same form data changes a draft, so only publication stops it.
    admin_client.post(
        f"/admin/compliance/policyversion/{draft.pk}/change/",
        {**data, "version": "draft"},
    )
    draft.refresh_from_db()
    assert draft.intro_en == "Rewritten" and draft.intro_da == "Omskrevet"
    admin_client.post(url, data)
    version.refresh_from_db()
    assert "Rewritten" not in version.intro


# --- The processor check ---------------------------------------------------------


def _e010(**kwargs):
    return [
        e for e in check_processors(databases=["default"]) if e.id == "privacy.E010"
    ]


def test_seeded_cookies_and_trackers_all_have_processors(settings):
    settings.GA_MEASUREMENT_ID = "G-TEST"
    settings.META_PIXEL_ID = "123"
    settings.TWITTER_PIXEL_ID = "abc"
    assert _e010() == []


def test_a_cookie_vendor_without_a_processor_is_an_error():
    group = CookieGroup.objects.get(varname="marketing")
    cookie = Cookie.objects.create(cookiegroup=group, name="li_fat_id")
    CookieDetails.objects.create(
        cookie=cookie,
        vendor="LinkedIn Ireland",
        purpose="Ads",
        duration="30 days",
        vendor_country="Ireland",
    )
    errors = _e010()
    assert len(errors) == 1 and "LinkedIn Ireland" in errors[0].msg
    assert errors[0].level == checks.ERROR


def test_a_tracker_id_without_its_processor_is_an_error(settings):
    Processor.objects.filter(key="meta").delete()
    CookieDetails.objects.filter(vendor__startswith="Meta").delete()
    assert _e010() == []  # unset: nothing loads, nothing to name
    settings.META_PIXEL_ID = "123"
    errors = _e010()
    assert len(errors) == 1 and "META_PIXEL_ID" in errors[0].msg


def test_the_check_runs_only_when_databases_are_checked():
    Processor.objects.all().delete()
    assert check_processors(databases=None) == []
    assert _e010()  # the seeded cookie vendors now lack their processors


def test_the_check_is_quiet_before_the_tables_exist(monkeypatch):
    from django.db import connection

    monkeypatch.setattr(connection.introspection, "table_names", lambda *a, **k: [])
    assert check_processors(databases=["default"]) == []


# --- Record of processing activities ---------------------------------------------


@pytest.fixture
def ropa_viewer(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename="view_processingactivity")
    )
    activate_totp(user)  # every staff member needs TOTP for the admin
    client.force_login(user)
    return client


def _export(client, action):
    return client.post(
        "/admin/compliance/processingactivity/",
        {
            "action": action,
            "_selected_action": [ProcessingActivity.objects.first().pk],
        },
    )


def test_ropa_exports_as_csv_with_the_purge_period(ropa_viewer):
    retention_policies_sync()
    RetentionPolicy.objects.filter(key="privacy.dsr.closed").update(period_days=200)
    response = _export(ropa_viewer, "export_csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == ProcessingActivity.objects.count()
    service = next(r for r in rows if r["purpose"] == "Customer service")
    assert service["retention_days"] == "200"
    assert "Brevo SAS" in service["recipients"]
    ads = next(r for r in rows if r["purpose"] == "Advertising measurement")
    assert "X Corp. (USA): United States" in ads["transfers"]


def test_ropa_exports_as_json_with_the_controller(ropa_viewer):
    response = _export(ropa_viewer, "export_json")
    payload = json.loads(response.content)
    assert payload["controller"]["name"]
    purposes = {a["purpose"] for a in payload["activities"]}
    assert "Notification e-mails" in purposes


def test_staff_without_the_permission_cannot_export(client):
    clerk = UserFactory(is_staff=True)
    activate_totp(clerk)
    client.force_login(clerk)
    response = _export(client, "export_csv")
    assert response.status_code == 403


def test_an_activity_needs_an_existing_retention_rule(admin_client):
    response = admin_client.post(
        "/admin/compliance/processingactivity/add/",
        {
            "purpose_en": "Something new",
            "purpose_da": "Noget nyt",
            "legal_basis": "f",
            "data_subjects_en": "Members",
            "data_categories_en": "E-mail",
            "requirement": "voluntary",
            "retention_key": "no.such.rule",
            "ordering": 0,
        },
    )
    assert response.status_code == 200  # the form again, with an error
    assert not ProcessingActivity.objects.filter(purpose="Something new").exists()


def test_the_cited_version_costs_no_query_once_cached(django_assert_num_queries):
    assert current_policy_version() == "1"
    with django_assert_num_queries(0):
        assert current_policy_version() == "1"
    # Publishing a version clears the cache at once.
    _version("2")
    assert current_policy_version() == "2"


def test_the_cached_page_follows_every_record_it_is_generated_from(
    client, django_assert_max_num_queries
):
    retention_policies_sync()
    _policy(client)
    with django_assert_max_num_queries(0):  # rendered once, then from the cache
        _policy(client)
    # A period tuned in the admin (save()), a new processor, a new cookie and a
    # new activity recipient each show on the next request.
    rule = RetentionPolicy.objects.get(key="profiles.freelancer.closed")
    rule.period_days = 91
    rule.save()
    assert "91 days after the purpose ends" in _policy(client)
    processor = Processor.objects.create(
        key="acme",
        vendor="Acme Cloud Oy",
        service=Processor.Service.IT_OPERATIONS,
        data_categories="Server logs",
        country="Finland",
    )
    assert "Acme Cloud Oy" in _section(_policy(client), "sharing")
    Cookie.objects.create(
        cookiegroup=CookieGroup.objects.get(varname="analytics"), name="_gnew"
    )
    assert '<tr data-cookie="_gnew">' in _section(_policy(client), "cookies")
    activity = ProcessingActivity.objects.first()
    activity.recipients.add(processor)
    purposes = _section(_policy(client), "purposes")
    assert purposes.count("Acme Cloud Oy") >= 1


def test_the_cached_page_is_per_language(client):
    english = _policy(client)
    client.cookies["django_language"] = "da"
    danish = _policy(client)
    assert "Privacy policy" in english
    assert "Privatlivspolitik" in danish and "Privacy policy</h1>" not in danish
