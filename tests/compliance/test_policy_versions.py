"""Each policy version is stored in full in both languages, readable by anyone,
diffed word by word; a change of the records behind the generated sections
prompts staff to publish a new version (issue 16 item 11)."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from compliance.models import PolicyVersion, ProcessingActivity, Processor
from compliance.records import policy_records_apply, policy_records_read
from compliance.seed import compliance_seed
from compliance.selectors import text_diff_words
from compliance.services import policy_version_publish
from privacy.models import RetentionPolicy
from privacy.retention import retention_policies_sync
from tests.privacy.dsr_support import staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _seeded(db):
    compliance_seed()
    policy_records_apply(
        processor_model=Processor,
        activity_model=ProcessingActivity,
        version_model=PolicyVersion,
        data=policy_records_read(),
    )
    caches["consent"].clear()


def _publish(name: str, *, actor, **texts) -> PolicyVersion:
    draft = PolicyVersion.objects.create(
        version=name, effective_date=timezone.localdate(), **texts
    )
    return policy_version_publish(version=draft, actor=actor)


def _new_processor() -> Processor:
    return Processor.objects.create(
        key="crm",
        vendor="Pipedrive OÜ",
        service=Processor.Service.IT_OPERATIONS,
        data_categories_en="Names and e-mail addresses of company contacts.",
        data_categories_da="Navne og e-mailadresser på kontaktpersoner.",
        country_en="Estonia",
        country_da="Estland",
    )


def test_publishing_stores_the_complete_text_in_both_languages(admin_user):
    version = _publish("2", actor=admin_user, intro_en="Hello.", intro_da="Hej.")
    version.refresh_from_db()
    # Generated sections are part of the stored text, in each language.
    assert "Hetzner Online GmbH" in version.rendered_en
    assert "Who is responsible for your data" in version.rendered_en
    assert "Hello." in version.rendered_en
    assert "Hvem er ansvarlig for dine oplysninger" in version.rendered_da
    assert "Tyskland" in version.rendered_da and "Hej." in version.rendered_da


def test_an_earlier_version_reads_in_full_as_published(admin_user, client):
    _publish("2", actor=admin_user)
    _new_processor()
    _publish("3", actor=admin_user)

    earlier = client.get("/privacy/versions/2/")
    assert earlier.status_code == 200
    html = earlier.content.decode()
    assert "This is version 2 of our privacy policy" in html
    assert "Hetzner Online GmbH" in html  # a generated section
    assert "Pipedrive" not in html  # added after version 2
    assert "Pipedrive" in client.get("/privacy/versions/3/").content.decode()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    danish = client.get("/privacy/versions/2/").content.decode()
    assert "Dette er version 2 af vores privatlivspolitik" in danish
    assert "Hvem er ansvarlig for dine oplysninger" in danish


def test_the_versions_list_links_each_version(client):
    html = client.get("/privacy/versions/").content.decode()
    assert 'href="/privacy/versions/1/"' in html
    # Version 1 predates stored texts: its editorial text is shown, and said so.
    first = client.get("/privacy/versions/1/").content.decode()
    assert "This policy explains which personal data" in first
    assert "before the complete text of each version was stored" in first


@pytest.mark.parametrize("name", ["nope", "x" * 300, "draft"])
def test_an_unknown_or_unpublished_version_is_a_404(client, name):
    PolicyVersion.objects.create(version="draft", effective_date=timezone.localdate())
    assert client.get(f"/privacy/versions/{name}/").status_code == 404


def test_the_diff_covers_generated_sections_word_by_word(admin_user, client):
    _publish("2", actor=admin_user)
    _new_processor()
    _publish("3", actor=admin_user)
    html = client.get("/privacy/versions/", {"from": "2", "to": "3"}).content.decode()
    diff = re.search(r'<div class="policy-diff">(.*?)</div>', html, re.S).group(1)
    inserted = " ".join(re.findall(r"<ins>(.*?)</ins>", diff, re.S))
    assert "Pipedrive OÜ" in inserted
    assert "<pre" not in html
    # Long unchanged passages are cut, so the diff stays short.
    assert len(diff) < 6000


def test_word_diff_marks_only_the_changed_words():
    chunks = text_diff_words(
        "We keep your data for 12 months.", "We keep your data for 24 months."
    )
    assert chunks == [
        ("=", "We keep your data for"),
        ("-", "12"),
        ("+", "24"),
        ("=", "months."),
    ]
    assert text_diff_words("Same text.", "Same text.") == []


def _admin_index(user) -> str:
    client = Client()
    client.force_login(user)
    return client.get("/admin/").content.decode()


def test_a_changed_record_prompts_staff_to_publish_a_new_version(admin_user):
    _publish("2", actor=admin_user)
    assert 'id="policy-drift"' not in _admin_index(admin_user)

    _new_processor()
    html = _admin_index(admin_user)
    assert 'id="policy-drift"' in html
    assert "have changed since version 2 was published" in html
    assert "<ins>" in html and "Pipedrive" in html
    assert 'href="/admin/compliance/policyversion/add/"' in html

    _publish("3", actor=admin_user)
    assert 'id="policy-drift"' not in _admin_index(admin_user)


def test_a_changed_retention_period_also_prompts_a_new_version(admin_user):
    retention_policies_sync()
    _publish("2", actor=admin_user)
    RetentionPolicy.objects.filter(key="profiles.freelancer.closed").update(
        period_days=730
    )
    assert 'id="policy-drift"' in _admin_index(admin_user)


def test_staff_who_may_not_publish_see_no_drift_notice(admin_user):
    _publish("2", actor=admin_user)
    _new_processor()
    assert 'id="policy-drift"' not in _admin_index(staff())


def test_a_version_published_without_stored_text_asks_for_a_new_one(admin_user):
    html = _admin_index(admin_user)
    assert 'id="policy-drift"' in html
    assert "Version 1 was published before the complete text" in html


def test_the_version_in_force_date_follows_the_language(admin_user, client):
    PolicyVersion.objects.create(
        version="2",
        effective_date=dt.date(2026, 12, 2),
        published_at=timezone.now(),
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    html = client.get("/privacy/versions/").content.decode()
    assert "2. december 2026" in html
