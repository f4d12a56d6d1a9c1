"""Journey 4: a freelancer asks for a copy of their data and downloads it.

The member's path is the real one: the request form, the status page that
updates itself (its own script polls the JSON status) while the export
builds, the download. The request is verified by the member's session and
needs no staff: the build is a Celery task dispatched after commit. Here its
message is kept in a list that stands in for the broker, and the test then
runs the task as a worker would, so the member really sees the page before,
during and after the build. Staff only look: the queue lists the request.
(tests/integration/test_self_service_export_worker.py runs it on a real
worker, with the mail.)
"""

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from privacy.models import DataSubjectRequest, ExportArchive
from privacy.requests import tasks
from tests.e2e.helpers import dismiss_banner as _dismiss_banner
from tests.factories import PASSWORD, FreelancerProfileFactory, UserFactory
from tests.security.totp import activate_totp, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "freja.export@example.com"
STAFF_EMAIL = "dpo.e2e@example.com"
QUEUE = "/admin/privacy/datasubjectrequest/"


@pytest.fixture
def broker(monkeypatch):
    """Export build messages, in the order they were sent (not run yet)."""
    sent: list[dict] = []
    monkeypatch.setattr(
        tasks.dsr_export_build_task, "delay", lambda **kwargs: sent.append(kwargs)
    )
    return sent


def _log_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    _dismiss_banner(page)
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def _staff_with_totp() -> str:
    staff = UserFactory(email=STAFF_EMAIL, is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="privacy",
            codename__in=["view_datasubjectrequest", "process_datasubjectrequest"],
        )
    )
    return activate_totp(staff)


def test_freelancer_requests_an_access_export_and_downloads_it(
    live_server, page: Page, browser, broker
):
    base = live_server.url
    profile = FreelancerProfileFactory(
        user=UserFactory(email=EMAIL),
        full_name="Freja Eksport",
        headline="Data engineer in Aarhus",
        skills=["Python"],
    )
    secret = _staff_with_totp()

    # The freelancer asks for a copy of their data.
    _log_in(page, base, EMAIL)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.get_by_role("link", name="Download my data").click()
    expect(page.get_by_role("heading", name="New privacy request")).to_be_visible()
    expect(page.get_by_label("Access to my data")).to_be_checked()
    page.get_by_label("Details (optional)").fill("Everything, please.")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_text("Your request was received.")).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile(r"^Access to my data #\d+$"))
    ).to_be_visible()
    request = DataSubjectRequest.objects.get(subject=profile.user)
    # Verified by the session and queued at once: no staff step.
    assert request.kind == "access" and request.status == "in_progress"
    assert broker == [{"request_id": request.pk, "base_url": base + "/"}]
    status_url = page.url
    assert status_url == f"{base}/privacy/requests/{request.pk}/"

    # The status page says what happens next: the copy is queued.
    expect(page.get_by_text(re.compile("Your copy is queued"))).to_be_visible()
    expect(page.locator("progress")).to_have_attribute("value", "0")
    expect(page.get_by_role("link", name="Download your data (ZIP)")).to_be_hidden()

    # Staff see it in the queue, but need not act.
    admin = browser.new_context().new_page()
    _log_in(admin, base, STAFF_EMAIL)
    admin.locator("#id_code").fill(totp_code(secret))
    admin.get_by_role("button", name="Sign In").click()
    admin.goto(base + QUEUE + "?due=open")
    expect(
        admin.locator(f'input[name="_selected_action"][value="{request.pk}"]')
    ).to_have_count(1)

    # A worker picks the message up and builds the archive.
    result = tasks.dsr_export_build_task.apply(kwargs=broker.pop()).get()
    assert result["built"] is True
    assert ExportArchive.objects.get(request=request).status == "ready"

    # Without any click or reload, the page shows the download once built.
    download_link = page.get_by_role("link", name="Download your data (ZIP)")
    expect(download_link).to_be_visible(timeout=15_000)
    expect(page.locator("[data-status]")).to_have_text("Completed")
    expect(page.get_by_text(re.compile("Your copy is ready"))).to_be_visible()
    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename == f"worksome-data-{request.pk}.zip"

    with zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())) as archive:
        data = json.loads(archive.read("data.json"))
    text = json.dumps(data, ensure_ascii=False)
    assert data["data"]["profiles.User"][0]["email"] == EMAIL
    assert "Freja Eksport" in text and "Data engineer in Aarhus" in text
    assert STAFF_EMAIL not in text  # nobody else's data
