"""The admin index links to the data-subject request queue with its deadlines."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from privacy.models import DataSubjectRequest
from privacy.requests import services as dsr
from tests.factories import UserFactory
from tests.privacy.dsr_support import ALL_PERMS, staff
from tests.security.totp import activate_totp

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/privacy/datasubjectrequest/"


def _request(*, due_in_days: float, status=DataSubjectRequest.Status.VERIFIED):
    request = dsr.dsr_submit(user=UserFactory(), kind="access")
    DataSubjectRequest.objects.filter(pk=request.pk).update(
        due_at=timezone.now() + dt.timedelta(days=due_in_days), status=status
    )
    return request


def _index(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def _count(html: str, name: str) -> int:
    match = re.search(rf'data-count="{name}">(?:<strong>)?(\d+)', html)
    assert match, f"no {name} count on the admin index"
    return int(match.group(1))


def test_the_admin_index_counts_overdue_and_due_soon_requests():
    _request(due_in_days=-3)
    _request(due_in_days=-1)
    _request(due_in_days=2)
    _request(due_in_days=30)  # open, but not due soon
    _request(due_in_days=-10, status=DataSubjectRequest.Status.COMPLETED)  # closed
    extended = _request(due_in_days=-2)  # overdue by due_at, but extended
    DataSubjectRequest.objects.filter(pk=extended.pk).update(
        extended_due_at=timezone.now() + dt.timedelta(days=5)
    )

    html = _index(staff())

    assert 'id="dsr-queue"' in html
    assert f'href="{CHANGELIST}"' in html
    assert f'href="{CHANGELIST}?due=overdue"' in html
    assert f'href="{CHANGELIST}?due=week"' in html
    assert _count(html, "overdue") == 2
    assert _count(html, "due-soon") == 2
    assert "Due within 7 days" in html
    # The usual app list is still there.
    assert 'class="app-privacy module' in html


def test_the_counts_match_the_queue_filters_they_link_to():
    _request(due_in_days=-3)
    _request(due_in_days=4)
    user = staff(*ALL_PERMS)  # row checkboxes appear with actions
    client = Client()
    client.force_login(user)
    html = client.get("/admin/").content.decode()
    for name, query in (("overdue", "?due=overdue"), ("due-soon", "?due=week")):
        listing = client.get(CHANGELIST + query).content.decode()
        rows = re.findall(r'name="_selected_action" value="(\d+)"', listing)
        assert _count(html, name) == len(rows) == 1


def test_no_requests_shows_zero():
    html = _index(staff())
    assert _count(html, "overdue") == 0
    assert _count(html, "due-soon") == 0


def test_staff_who_may_not_see_requests_get_no_queue_summary():
    _request(due_in_days=-3)
    clerk = UserFactory(is_staff=True)
    activate_totp(clerk)  # every staff member needs TOTP to enter the admin
    html = _index(clerk)
    assert 'id="dsr-queue"' not in html
    assert "?due=overdue" not in html


def test_the_summary_speaks_danish():
    _request(due_in_days=-3)
    client = Client()
    client.force_login(staff())
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Kø af anmodninger fra registrerede" in html
    assert "Overskredet" in html and "Frist inden for 7 dage" in html
