"""Admin writes go through services and leave an AuditEvent; staff views of
personal data are kept in the database and shown on the member's page.

Each test posts the real admin form (parsed from the page the admin renders)
as a superuser with TOTP, and reads the AuditEvent rows.
"""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from compliance.models import Breach, Processor
from privacy.models import AuditEvent, LegalHold, RetentionPolicy
from privacy.retention import retention_policies_sync
from profiles import services as profile_services
from tests.factories import CompanyFactory, FreelancerProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


class _FormParser(HTMLParser):
    """The fields of the form with id ``form_id`` as the browser would post them."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: list[tuple[str, str]] = []
        self._select = None
        self._textarea = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.append((name, attrs.get("value", "on")))
                return
            self.data.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # The admin starts a textarea with a newline the browser drops.
            self.data.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def _form(client, url, form_id, **changes):
    page = client.get(url)
    assert page.status_code == 200
    parser = _FormParser(form_id)
    parser.feed(page.content.decode())
    data: dict[str, list[str]] = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    return data


def _events(action, **filters):
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("pk"))


@pytest.fixture
def staff(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def test_profile_edit_is_audited_and_restriction_cannot_be_lifted_by_hand(
    staff, admin_user
):
    profile = FreelancerProfileFactory(full_name="Old Name")
    restricted = timezone.now()
    type(profile).objects.filter(pk=profile.pk).update(restricted_at=restricted)
    url = f"/admin/profiles/freelancerprofile/{profile.pk}/change/"
    data = _form(
        staff,
        url,
        "freelancerprofile_form",
        full_name="New Name",
        restricted_at_0="",
        restricted_at_1="",
    )
    response = staff.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    profile.refresh_from_db()
    assert profile.full_name == "New Name"
    assert profile.restricted_at == restricted  # read-only: still restricted
    [event] = _events("profile.changed_by_staff")
    assert event.actor == admin_user and event.subject == profile.user
    assert event.target_id == str(profile.pk)
    assert event.details["fields"] == ["full_name"]
    assert "New Name" not in str(event.details)


def test_staff_view_of_a_profile_is_recorded_and_shown_on_the_member_page(
    staff, admin_user
):
    profile = FreelancerProfileFactory()
    assert staff.get(f"/admin/profiles/freelancerprofile/{profile.pk}/change/")
    [event] = _events("admin.personal_data_viewed", subject=profile.user)
    assert event.actor == admin_user
    assert event.target_type == "profiles.freelancerprofile"
    assert event.details == {"view": "change"}
    # The member's page in the admin lists it (and records that view too).
    page = staff.get(f"/admin/profiles/user/{profile.user.pk}/change/")
    html = page.content.decode()
    assert "admin.personal_data_viewed" in html
    assert "profiles.freelancerprofile" in html
    assert len(_events("admin.personal_data_viewed", subject=profile.user)) == 2


def test_cpr_reveal_is_on_the_member_audit_trail(staff, admin_user):
    profile = FreelancerProfileFactory()
    profile_services.freelancer_cpr_set(
        profile=profile, actor=profile.user, cpr="0101901234"
    )
    response = staff.post(f"/admin/profiles/freelancerprofile/{profile.pk}/reveal-cpr/")
    assert response.status_code == 200
    [event] = _events("profile.cpr_revealed", subject=profile.user)
    assert event.actor == admin_user
    page = staff.get(f"/admin/profiles/user/{profile.user.pk}/change/")
    assert "profile.cpr_revealed" in page.content.decode()


def test_legal_hold_placed_and_released_in_the_admin_is_audited(staff, admin_user):
    profile = FreelancerProfileFactory()
    add = "/admin/privacy/legalhold/add/"
    data = _form(
        staff, add, "legalhold_form", subject=str(profile.user.pk), reason="Lawsuit"
    )
    assert staff.post(add, data).status_code == 302
    hold = LegalHold.objects.get(subject=profile.user)
    assert hold.created_by == admin_user
    [placed] = _events("legal_hold.placed", subject=profile.user)
    assert placed.actor == admin_user and placed.target_id == str(hold.pk)
    assert "reason" in placed.details["fields"]

    url = f"/admin/privacy/legalhold/{hold.pk}/change/"
    now = timezone.localtime()
    data = _form(
        staff,
        url,
        "legalhold_form",
        released_at_0=now.strftime("%Y-%m-%d"),
        released_at_1=now.strftime("%H:%M:%S"),
    )
    assert staff.post(url, data).status_code == 302
    [released] = _events("legal_hold.released", subject=profile.user)
    assert released.details["fields"] == ["released_at"]


def test_retention_period_edited_in_the_list_is_audited(staff, admin_user):
    retention_policies_sync()
    policy = RetentionPolicy.objects.order_by("key").first()
    changelist = "/admin/privacy/retentionpolicy/"
    data = _form(staff, changelist, "changelist-form")
    index = next(
        name.split("-")[1]
        for name, values in data.items()
        if name.endswith("-id") and values == [str(policy.pk)]
    )
    data[f"form-{index}-period_days"] = [str(policy.period_days + 30)]
    data["_save"] = ["Save"]
    response = staff.post(changelist, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    policy.refresh_from_db()
    [event] = _events("retention_policy.changed")
    assert event.actor == admin_user and event.target_id == str(policy.pk)
    assert event.details["fields"] == ["period_days"]


def test_processor_added_and_deleted_in_the_admin_is_audited(staff, admin_user):
    add = "/admin/compliance/processor/add/"
    data = _form(
        staff,
        add,
        "processor_form",
        key="mailer",
        vendor="Mailer ApS",
        service=Processor.Service.choices[0][0],
        # Policy content is edited in both languages (modeltranslation).
        data_categories_en="E-mail addresses",
        data_categories_da="E-mailadresser",
        country_en="Denmark",
        country_da="Danmark",
    )
    response = staff.post(add, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    processor = Processor.objects.get(key="mailer")
    [added] = _events("processor.added")
    assert added.actor == admin_user and added.target_id == str(processor.pk)

    delete = f"/admin/compliance/processor/{processor.pk}/delete/"
    assert staff.post(delete, {"post": "yes"}).status_code == 302
    assert not Processor.objects.filter(pk=processor.pk).exists()
    [deleted] = _events("processor.deleted")
    assert deleted.actor == admin_user and deleted.target_id == str(processor.pk)


def test_breach_recorded_and_changed_in_the_admin_is_audited(staff, admin_user):
    add = "/admin/compliance/breach/add/"
    discovered = timezone.localtime() - timezone.timedelta(hours=1)
    data = _form(
        staff,
        add,
        "breach_form",
        reference="B-1",
        discovered_at_0=discovered.strftime("%Y-%m-%d"),
        discovered_at_1=discovered.strftime("%H:%M:%S"),
        nature="Lost laptop",
        data_categories="Names",
        subject_categories="Freelancers",
        approx_subjects="3",
        approx_records="3",
        likely_consequences="Low",
        measures_taken="Remote wipe",
    )
    assert staff.post(add, data).status_code == 302
    breach = Breach.objects.get(reference="B-1")
    [recorded] = _events("breach.recorded")
    assert recorded.actor == admin_user and recorded.target_id == str(breach.pk)

    url = f"/admin/compliance/breach/{breach.pk}/change/"
    data = _form(staff, url, "breach_form", measures_taken="Remote wipe; new keys")
    assert staff.post(url, data).status_code == 302
    [changed] = _events("breach.changed")
    assert changed.details["fields"] == ["measures_taken"]


def test_membership_added_in_the_company_inline_is_audited(staff, admin_user):
    company = CompanyFactory()
    member = UserFactory()
    url = f"/admin/profiles/company/{company.pk}/change/"
    data = _form(staff, url, "company_form")
    prefix = next(
        name.removesuffix("-TOTAL_FORMS")
        for name in data
        if name.endswith("-TOTAL_FORMS")
    )
    total = int(data[f"{prefix}-TOTAL_FORMS"][0])
    data[f"{prefix}-TOTAL_FORMS"] = [str(total + 1)]
    data[f"{prefix}-{total}-user"] = [str(member.pk)]
    data[f"{prefix}-{total}-role"] = ["member"]
    data[f"{prefix}-{total}-company"] = [str(company.pk)]
    response = staff.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    membership = company.memberships.get(user=member)
    [event] = _events("admin.profiles.companymembership.saved", subject=member)
    assert event.actor == admin_user and event.target_id == str(membership.pk)
    assert event.details["created"] is True
    assert "user" in event.details["fields"]
