"""The policy says what open tracking does now that opens are recorded (issue
19): only with consent, only while it lasts, which mail and when, and for how
long; the period is the registry's rule for ``consent.EmailOpen``."""

import re

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches

from compliance.seed import compliance_seed
from privacy.retention import retention_policies_sync

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _seeded(db):
    compliance_seed()
    retention_policies_sync()
    caches["consent"].clear()


def _policy(client, language: str) -> str:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/privacy/")
    assert response.status_code == 200
    return response.content.decode()


def _row(html: str, starts: str) -> str:
    match = re.search(
        rf"<tr>\s*<th scope=\"row\">{re.escape(starts)}.*?</tr>", html, re.S
    )
    assert match, starts
    return match.group(0)


def test_the_policy_says_opens_are_recorded_only_with_consent_and_for_how_long(
    client,
):
    html = _policy(client, "en")
    row = _row(html, "E-mail open tracking")
    assert "only if you allow it separately and only while you allow it" in row
    assert "never your IP address or device" in row
    assert "12 months after the open" in row
    assert "1 year after the purpose ends, then deleted" in row
    retention = re.search(
        r'<tr data-retention="consent.email_open.recorded">.*?</tr>', html, re.S
    )
    assert retention, "the retention table lists the rule"
    assert "Deleted 12 months after the e-mail was opened." in retention.group(0)


def test_the_danish_policy_says_it_too(client):
    row = _row(_policy(client, "da"), "Måling af åbnede e-mails")
    assert "kun så længe du tillader det" in row
    assert "12 måneder efter åbningen" in row
