"""The engagements admin: read-only pages for staff with the permission and
TOTP, conversations read only through the audited review of a report,
invoices changed only by the "Mark paid" and "Credit in full" actions, and
the overdue queue."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from engagements import services
from engagements.models import (
    ContractVersion,
    Engagement,
    HoursReport,
    Invoice,
    Thread,
    ThreadReport,
)
from privacy.models import AuditEvent
from profiles.models import User
from tests.engagements import support
from tests.factories import UserFactory
from tests.security.totp import activate_totp

pytestmark = pytest.mark.django_db

ADMIN = "/admin/engagements/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
VIEW_ALL = [
    "view_thread",
    "view_threadreport",
    "view_engagement",
    "view_contractversion",
    "view_hoursreport",
    "view_invoice",
]


def staff(*codenames: str, totp: bool = True) -> User:
    user = UserFactory(is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="engagements", codename__in=codenames
        )
    )
    if totp:
        activate_totp(user)
    return User.objects.get(pk=user.pk)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def with_pdfs(flow) -> None:
    """Store PDFs as the document tasks would."""
    for obj in (flow.contract, flow.invoice):
        if obj is None:
            continue
        obj.pdf.save("x.pdf", ContentFile(PDF), save=False)
        type(obj).objects.filter(pk=obj.pk).update(pdf=obj.pdf.name)


def reported():
    flow = support.accepted()
    services.message_send(
        thread=flow.thread, actor=flow.company_member, body="Secret plan details."
    )
    report = services.thread_report(
        thread=flow.thread, actor=flow.freelancer_user, reason="Rude messages."
    )
    return flow, report


def post_action(client, model: str, action: str, pks, **extra):
    return client.post(
        f"{ADMIN}{model}/",
        {"action": action, "_selected_action": [str(pk) for pk in pks], **extra},
        follow=True,
    )


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Pages ------------------------------------------------------------------------


def test_every_page_renders_for_staff_with_view_permission_and_totp():
    flow = support.invoiced()
    with_pdfs(flow)
    _flow, report = reported()
    client = client_for(staff(*VIEW_ALL))
    objects = {
        "thread": flow.thread,
        "threadreport": report,
        "engagement": flow.engagement,
        "contractversion": flow.contract,
        "hoursreport": flow.hours[0],
        "invoice": flow.invoice,
    }
    for model, obj in objects.items():
        for path in (
            f"{ADMIN}{model}/",
            f"{ADMIN}{model}/?q=a",
            f"{ADMIN}{model}/{obj.pk}/change/",
            f"{ADMIN}{model}/{obj.pk}/history/",
        ):
            response = client.get(path)
            assert response.status_code == 200, path
    # The PDFs link to their download views, which serve the stored file.
    for model, obj in (("contractversion", flow.contract), ("invoice", flow.invoice)):
        page = client.get(f"{ADMIN}{model}/{obj.pk}/change/").content.decode()
        link = f"{ADMIN}{model}/{obj.pk}/pdf/"
        assert f'href="{link}"' in page
        download = client.get(link)
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    "model",
    [
        "thread",
        "threadreport",
        "engagement",
        "contractversion",
        "hoursreport",
        "invoice",
    ],
)
def test_staff_without_the_permission_get_403_and_without_totp_a_redirect(model):
    flow = support.invoiced()
    with_pdfs(flow)
    others = [c for c in VIEW_ALL if c != f"view_{model}"]
    assert client_for(staff(*others)).get(f"{ADMIN}{model}/").status_code == 403
    no_totp = client_for(staff(*VIEW_ALL, totp=False)).get(f"{ADMIN}{model}/")
    assert no_totp.status_code == 302
    assert "/accounts/2fa/" in no_totp["Location"]


def test_pdf_downloads_need_the_view_permission():
    flow = support.invoiced()
    with_pdfs(flow)
    client = client_for(staff("view_engagement"))
    assert client.get(f"{ADMIN}invoice/{flow.invoice.pk}/pdf/").status_code == 403
    path = f"{ADMIN}contractversion/{flow.contract.pk}/pdf/"
    assert client.get(path).status_code == 403
    # No PDF yet: 404.
    Invoice.objects.filter(pk=flow.invoice.pk).update(pdf="")
    viewer = client_for(staff("view_invoice"))
    assert viewer.get(f"{ADMIN}invoice/{flow.invoice.pk}/pdf/").status_code == 404


# --- Threads: no message contents outside the audited review ----------------------


def test_the_thread_admin_shows_neither_messages_nor_subject():
    flow, _report = reported()
    client = client_for(staff(*VIEW_ALL))
    for path in (
        f"{ADMIN}thread/",
        f"{ADMIN}thread/{flow.thread.pk}/change/",
        f"{ADMIN}thread/{flow.thread.pk}/history/",
        f"{ADMIN}threadreport/",
        f"{ADMIN}engagement/",
    ):
        html = client.get(path).content.decode()
        assert "Secret plan details" not in html, path
        assert flow.thread.subject not in html, path
    page = client.get(f"{ADMIN}thread/{flow.thread.pk}/change/").content.decode()
    assert flow.company.name in page
    assert f"Inquiry {flow.thread.pk}" in page
    assert Thread.objects.get(pk=flow.thread.pk).subject == "Django project"


@pytest.mark.parametrize(
    "query",
    [
        "?subject__icontains=Django",
        "?messages__body__icontains=Secret",
        "?subject=Django+project",
    ],
)
def test_the_thread_admin_refuses_lookups_on_what_was_written(query):
    reported()
    response = client_for(staff(*VIEW_ALL)).get(f"{ADMIN}thread/{query}")
    assert response.status_code == 400


def test_messages_have_no_admin_of_their_own():
    client = client_for(staff(*VIEW_ALL))
    assert client.get(f"{ADMIN}message/").status_code == 404


def test_reviewing_a_reported_conversation_is_audited_each_time():
    flow, report = reported()
    reviewer = staff(*VIEW_ALL)
    client = client_for(reviewer)
    change = client.get(f"{ADMIN}threadreport/{report.pk}/change/").content.decode()
    assert "Secret plan details" not in change
    assert f"{ADMIN}threadreport/{report.pk}/review/" in change

    path = f"{ADMIN}threadreport/{report.pk}/review/"
    confirm = client.get(path)
    assert confirm.status_code == 200
    assert "Secret plan details" not in confirm.content.decode()

    def readings():
        return AuditEvent.objects.filter(
            action="engagements.reported_thread_read", actor=reviewer
        )

    assert not readings().exists()
    review = client.post(path)
    assert review.status_code == 200
    assert "no-store" in review["Cache-Control"]
    assert "Secret plan details." in review.content.decode()
    # One event per person concerned: the freelancer and the company's writer.
    subjects = {flow.freelancer_user.pk, flow.company_member.pk}
    assert set(readings().values_list("subject_id", flat=True)) == subjects
    assert readings().count() == 2
    client.post(path)
    assert readings().count() == 4


def test_staff_who_may_not_view_reports_cannot_review():
    _flow, report = reported()
    reviewer = staff("view_thread")
    response = client_for(reviewer).post(f"{ADMIN}threadreport/{report.pk}/review/")
    assert response.status_code == 403
    assert "Secret plan details" not in response.content.decode()
    assert not AuditEvent.objects.filter(
        action="engagements.reported_thread_read"
    ).exists()


def test_a_report_is_resolved_with_a_resolution_text():
    _flow, report = reported()
    path = f"{ADMIN}threadreport/{report.pk}/resolve/"
    # View only: no resolving.
    assert client_for(staff("view_threadreport")).post(path).status_code == 403
    client = client_for(staff("view_threadreport", "change_threadreport"))
    assert client.get(path).status_code == 200
    empty = client.post(path, {"resolution": "  "})
    assert empty.status_code == 400
    report.refresh_from_db()
    assert report.resolved_at is None
    done = client.post(path, {"resolution": "Warned the company."})
    assert done.status_code == 302
    report.refresh_from_db()
    assert report.resolved_at is not None
    assert report.resolution == "Warned the company."
    assert AuditEvent.objects.filter(
        action="engagements.report_resolved", target_id=str(report.pk)
    ).exists()


# --- Engagements: invoice last month now --------------------------------------------


def test_invoice_last_month_now_issues_and_reports_each_refusal():
    flow = support.hours_approved()
    idle = support.contracted()  # no hours: nothing to invoice
    client = client_for(staff("view_engagement", "add_invoice"))
    response = post_action(
        client,
        "engagement",
        "invoice_last_month",
        [flow.engagement.pk, idle.engagement.pk],
    )
    assert response.status_code == 200
    invoice = Invoice.objects.get(engagement=flow.engagement)
    start, end = services.previous_month(timezone.localdate())
    assert (invoice.period_start, invoice.period_end) == (start, end)
    notes = page_messages(response)
    assert any(f"invoice {invoice.number} issued" in note for note in notes)
    assert any("no approved hours" in note for note in notes)
    assert not Invoice.objects.filter(engagement=idle.engagement).exists()
    again = post_action(
        client, "engagement", "invoice_last_month", [flow.engagement.pk]
    )
    assert any("already been invoiced" in n for n in page_messages(again))
    assert Invoice.objects.count() == 1


def test_invoicing_needs_the_add_invoice_permission():
    flow = support.hours_approved()
    client = client_for(staff("view_engagement"))
    post_action(client, "engagement", "invoice_last_month", [flow.engagement.pk])
    assert not Invoice.objects.exists()


def test_engagements_contracts_and_hours_cannot_be_changed_or_deleted():
    flow = support.invoiced()
    client = client_for(staff(*VIEW_ALL))
    for model, obj in (
        ("engagement", flow.engagement),
        ("contractversion", flow.contract),
        ("hoursreport", flow.hours[0]),
    ):
        page = client.get(f"{ADMIN}{model}/{obj.pk}/change/").content.decode()
        assert 'name="_save"' not in page
        assert client.post(f"{ADMIN}{model}/{obj.pk}/change/", {}).status_code == 403
        assert client.get(f"{ADMIN}{model}/{obj.pk}/delete/").status_code == 403
        assert client.get(f"{ADMIN}{model}/add/").status_code == 403
    assert Engagement.objects.get().title == "Django build"
    assert ContractVersion.objects.get().status == "accepted"
    assert HoursReport.objects.filter(status="approved").count() == len(flow.hours)


# --- Invoices -------------------------------------------------------------------------

SETTLE = ("view_invoice", "change_invoice")


def test_an_issued_invoice_cannot_be_changed_through_the_admin():
    flow = support.invoiced()
    client = client_for(staff(*SETTLE, "delete_invoice", "add_invoice"))
    path = f"{ADMIN}invoice/{flow.invoice.pk}/change/"
    page = client.get(path).content.decode()
    assert page.count('name="_save"') == 0
    assert 'name="_continue"' not in page
    assert 'name="total"' not in page
    before = Invoice.objects.values().get(pk=flow.invoice.pk)
    response = client.post(path, {"total": "1.00", "buyer_name": "Someone else"})
    assert response.status_code == 403
    assert client.get(f"{ADMIN}invoice/{flow.invoice.pk}/delete/").status_code == 403
    assert client.get(f"{ADMIN}invoice/add/").status_code == 403
    # Bulk delete is not offered either.
    deleted = post_action(client, "invoice", "delete_selected", [flow.invoice.pk])
    assert deleted.status_code == 200
    assert Invoice.objects.values().get(pk=flow.invoice.pk) == before


def test_mark_paid():
    flow = support.invoiced()
    client = client_for(staff(*SETTLE))
    response = post_action(client, "invoice", "mark_paid", [flow.invoice.pk])
    assert "1 invoice marked paid." in page_messages(response)
    flow.invoice.refresh_from_db()
    assert flow.invoice.paid_at is not None
    assert AuditEvent.objects.filter(
        action="engagements.invoice_paid", target_id=str(flow.invoice.pk)
    ).exists()
    again = post_action(client, "invoice", "mark_paid", [flow.invoice.pk])
    assert any("already marked paid" in n for n in page_messages(again))


def test_mark_paid_needs_the_change_permission():
    flow = support.invoiced()
    client = client_for(staff("view_invoice"))
    page = client.get(f"{ADMIN}invoice/").content.decode()
    assert "mark_paid" not in page
    post_action(client, "invoice", "mark_paid", [flow.invoice.pk])
    flow.invoice.refresh_from_db()
    assert flow.invoice.paid_at is None


def test_credit_in_full_asks_for_a_reason_first():
    flow = support.invoiced()
    client = client_for(staff(*SETTLE))
    confirm = post_action(client, "invoice", "credit_in_full", [flow.invoice.pk])
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert 'name="reason"' in html
    assert f"{flow.invoice}" in html
    assert Invoice.objects.count() == 1
    empty = post_action(
        client, "invoice", "credit_in_full", [flow.invoice.pk], apply="1", reason=""
    )
    assert empty.status_code == 400
    assert Invoice.objects.count() == 1
    done = post_action(
        client,
        "invoice",
        "credit_in_full",
        [flow.invoice.pk],
        apply="1",
        reason="Hours were wrong.",
    )
    assert "1 invoice credited." in page_messages(done)
    flow.invoice.refresh_from_db()
    assert flow.invoice.credited_at is not None
    note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert note.credits == flow.invoice
    assert note.total == -flow.invoice.total
    assert "Hours were wrong." in note.description
    # A credit note cannot be credited; the refusal is reported.
    refused = post_action(
        client, "invoice", "credit_in_full", [note.pk], apply="1", reason="x"
    )
    assert any("cannot be credited" in n for n in page_messages(refused))
    assert Invoice.objects.count() == 2


def _listed(html: str) -> set[int]:
    return {
        int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', html)
    }


def test_the_overdue_filter_and_the_queue_on_the_admin_index():
    today = timezone.localdate()
    overdue = support.invoiced().invoice
    paid = support.invoiced().invoice
    current = support.invoiced().invoice
    credited = support.invoiced().invoice
    Invoice.objects.filter(pk__in=[overdue.pk, paid.pk, credited.pk]).update(
        due_date=today - dt.timedelta(days=3)
    )
    Invoice.objects.filter(pk=paid.pk).update(paid_at=timezone.now())
    Invoice.objects.filter(pk=credited.pk).update(credited_at=timezone.now())
    assert current.due_date >= today
    client = client_for(staff(*SETTLE))
    everything = client.get(f"{ADMIN}invoice/").content.decode()
    assert _listed(everything) == {overdue.pk, paid.pk, current.pk, credited.pk}
    filtered = client.get(f"{ADMIN}invoice/?overdue=yes").content.decode()
    assert _listed(filtered) == {overdue.pk}

    index = client.get("/admin/").content.decode()
    assert 'id="invoice-queue"' in index
    assert f'href="{ADMIN}invoice/?overdue=yes"' in index
    count = re.search(r'data-count="overdue-invoices">(?:<strong>)?(\d+)', index)
    assert count and int(count.group(1)) == 1


def test_the_invoice_queue_is_not_shown_to_staff_who_may_not_see_invoices():
    index = client_for(staff("view_engagement")).get("/admin/").content.decode()
    assert 'id="invoice-queue"' not in index


def test_report_list_filters_open_reports():
    _flow, report = reported()
    _other, resolved = reported()
    ThreadReport.objects.filter(pk=resolved.pk).update(
        resolved_at=timezone.now(), resolution="Done"
    )
    client = client_for(staff("view_threadreport"))
    html = client.get(f"{ADMIN}threadreport/?resolved_at__isempty=1").content.decode()
    assert f"/threadreport/{report.pk}/change/" in html
    assert f"/threadreport/{resolved.pk}/change/" not in html
