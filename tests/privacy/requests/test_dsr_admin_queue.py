"""The admin as a work queue: counters equal the lists they link to, the
change page's steps are buttons with a confirmation (and bad input refused),
read-only pages have no Save button, the retention table exists at install."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from privacy.models import AuditEvent, DataSubjectRequest, RetentionPolicy
from privacy.registry import personal_data
from privacy.requests import services as dsr
from privacy.requests.admin.actions import STEPS
from tests.factories import UserFactory
from tests.privacy.dsr_support import ALL_PERMS, staff

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/privacy/datasubjectrequest/"
Kind = DataSubjectRequest.Kind
Status = DataSubjectRequest.Status


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(staff(*ALL_PERMS))
    return client


def _request(kind="erasure", *, due_in_days=30.0, status=None, **fields):
    request = dsr.dsr_submit(user=UserFactory(), kind=kind)
    values = {"due_at": timezone.now() + dt.timedelta(days=due_in_days), **fields}
    if status:
        values["status"] = status
    DataSubjectRequest.objects.filter(pk=request.pk).update(**values)
    return DataSubjectRequest.objects.get(pk=request.pk)


def _count(html: str, name: str) -> int:
    match = re.search(rf'data-count="{name}">(?:<strong>)?(\d+)', html)
    assert match, f"no {name} count on the admin index"
    return int(match.group(1))


def _rows(html: str) -> int:
    return len(re.findall(r'name="_selected_action" value="(\d+)"', html))


def _step_url(request, step: str) -> str:
    return f"{CHANGELIST}{request.pk}/step/{step}/"


def test_every_counter_equals_the_list_it_links_to(admin_client):
    # Four open requests due in a month: the index used to show 0 and 0 and
    # no open count; now "open" is 4 and equals its list.
    for _ in range(4):
        _request(due_in_days=30)
    _request(due_in_days=-2)  # overdue
    _request(due_in_days=3)  # due within 7 days
    _request(due_in_days=-9, status=Status.COMPLETED)  # closed: counted nowhere
    _request(due_in_days=20, flagged_reason=DataSubjectRequest.Flag.VOLUME)
    html = admin_client.get("/admin/").content.decode()
    expected = {"open": 7, "overdue": 1, "due-soon": 1, "flagged": 1}
    for name, query in (
        ("open", "open"),
        ("overdue", "overdue"),
        ("due-soon", "week"),
        ("flagged", "flagged"),
    ):
        assert f'href="{CHANGELIST}?due={query}"' in html
        listing = admin_client.get(f"{CHANGELIST}?due={query}").content.decode()
        assert _count(html, name) == _rows(listing) == expected[name], name


def test_admin_pages_carry_the_site_name_and_header(admin_client):
    request = _request()
    for url in ("/admin/", CHANGELIST, f"{CHANGELIST}{request.pk}/change/"):
        html = admin_client.get(url).content.decode()
        assert "Worksome administration" in html
        assert re.search(r"<title>[^<]+ · Worksome administration</title>", html)
        assert "Django administration" not in html


def _in_every_state():
    """One request of every kind in every status (a state the page must show)."""
    requests = []
    for kind in Kind.values:
        for status in Status.values:
            requests.append(_request(kind, status=status))
    return requests


def test_change_page_renders_for_every_kind_and_state_with_its_buttons(
    admin_client, django_assert_max_num_queries
):
    for request in _in_every_state():
        with django_assert_max_num_queries(40):
            response = admin_client.get(f"{CHANGELIST}{request.pk}/change/")
        assert response.status_code == 200, (request.kind, request.status)
        html = response.content.decode()
        # Read-only: no Save buttons; the steps possible now are buttons.
        assert 'name="_save"' not in html and 'name="_continue"' not in html
        offered = {step.name for step in STEPS if step.offered(request)}
        shown = set(re.findall(r'data-step="([a-z_]+)"', html))
        assert shown == offered, (request.kind, request.status)
        for name in offered:
            page = admin_client.get(_step_url(request, name))
            assert page.status_code == 200 and 'name="confirm"' in page.content.decode()
        assert "Audit trail" in html


def test_a_received_request_offers_verify_extend_and_reject(admin_client):
    request = _request("rectification", status=Status.RECEIVED)
    html = admin_client.get(f"{CHANGELIST}{request.pk}/change/").content.decode()
    assert set(re.findall(r'data-step="([a-z_]+)"', html)) == {
        "verify",
        "extend",
        "reject",
    }


def test_extend_without_a_reason_is_a_form_error_and_changes_nothing(admin_client):
    request = _request()
    response = admin_client.post(
        _step_url(request, "extend"), {"months": "1", "reason": "  ", "confirm": "1"}
    )
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    request.refresh_from_db()
    assert request.extended_due_at is None
    bad_months = admin_client.post(
        _step_url(request, "extend"), {"months": "7", "reason": "x", "confirm": "1"}
    )
    assert bad_months.status_code == 400


def test_extend_with_a_reason_extends_and_returns_to_the_request(admin_client):
    request = _request()
    response = admin_client.post(
        _step_url(request, "extend"),
        {"months": "1", "reason": "Many systems to search.", "confirm": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}{request.pk}/change/"
    request.refresh_from_db()
    assert request.extended_due_at is not None
    assert AuditEvent.objects.filter(
        action="dsr.extended", target_id=str(request.pk)
    ).exists()


def test_reject_needs_a_reason_then_rejects(admin_client):
    request = _request("rectification")
    assert admin_client.post(_step_url(request, "reject"), {}).status_code == 400
    response = admin_client.post(
        _step_url(request, "reject"), {"reason": "Not our data.", "confirm": "1"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.REJECTED


def test_a_step_not_possible_now_is_refused_and_changes_nothing(admin_client):
    request = _request("rectification", status=Status.COMPLETED)
    response = admin_client.post(_step_url(request, "reject"), {"reason": "x"})
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.status == Status.COMPLETED


def test_unknown_steps_and_ids_are_404(admin_client):
    request = _request()
    assert admin_client.get(_step_url(request, "explode")).status_code == 404
    assert admin_client.get(f"{CHANGELIST}abc/step/extend/").status_code == 404
    assert admin_client.get(f"{CHANGELIST}999999/step/extend/").status_code == 404


def test_staff_without_the_permission_cannot_take_a_step(db):
    request = _request("erasure")
    viewer = Client()
    viewer.force_login(staff())  # may view requests, may not process or erase
    assert viewer.get(_step_url(request, "extend")).status_code == 403
    assert viewer.post(_step_url(request, "execute_erasure")).status_code == 403
    html = viewer.get(f"{CHANGELIST}{request.pk}/change/").content.decode()
    assert 'data-step="' not in html
    anonymous = Client().get(_step_url(request, "extend"))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_legal_exceptions_and_recipients_render_as_tables(admin_client):
    request = _request(
        "erasure",
        status=Status.COMPLETED,
        legal_exceptions=[
            {
                "model": "engagements.Invoice",
                "name": "Invoices",
                "rows": 2,
                "reason": "Bookkeeping Act",
                "until": "2031-12-31",
            }
        ],
        recipients_notified=[
            {"name": "Acme ApS", "since": "2026-01-01", "notified": True}
        ],
    )
    html = admin_client.get(f"{CHANGELIST}{request.pk}/change/").content.decode()
    assert "<td>Invoices</td><td>2</td><td>Bookkeeping Act</td>" in html
    assert "<td>Acme ApS</td>" in html
    assert '[{"model"' not in html and "{&quot;" not in html


def test_retention_table_is_filled_at_install():
    # The test database was made by migrate: its post_migrate filled the table.
    keys = {rule.key for rule in personal_data.retention_rules()}
    assert keys and keys <= set(RetentionPolicy.objects.values_list("key", flat=True))
