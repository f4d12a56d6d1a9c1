"""The people and objects the access matrix is checked with."""

from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.test import Client

from tests.factories import CompanyFactory, FreelancerProfileFactory, UserFactory
from tests.security.totp import activate_totp

ROLES = ("anonymous", "other", "owner", "staff", "staff_perm")

#: what "staff with permission" may do: view everything in the admin, reveal
#: CPR numbers and handle data-subject requests (so it also needs TOTP).
STAFF_PERMISSIONS = (
    "view_freelancerprofile",
    "change_freelancerprofile",
    "reveal_cpr",
    "view_company",
    "view_user",
    "view_datasubjectrequest",
    "process_datasubjectrequest",
    "view_consentrecord",
    "view_auditevent",
)


@dataclass
class World:
    owner: object
    other: object
    staff: object
    staff_perm: object
    profile: object  # the owner's freelancer profile, not published
    public_profile: object  # someone's published profile
    company: object  # the owner's company
    dsr: object  # the owner's data-subject request

    def client(self, role: str) -> Client:
        client = Client()
        user = None if role == "anonymous" else getattr(self, role)
        if user is not None:
            client.force_login(user)
        return client


def build_world() -> World:
    from privacy import dsr

    owner, other = UserFactory(), UserFactory()
    staff = UserFactory(is_staff=True)
    staff_perm = UserFactory(is_staff=True)
    staff_perm.user_permissions.set(
        Permission.objects.filter(codename__in=STAFF_PERMISSIONS)
    )
    activate_totp(staff_perm)
    profile = FreelancerProfileFactory(user=owner, published=False)
    public_profile = FreelancerProfileFactory()
    company = CompanyFactory(verified=True)
    company.memberships.create(user=owner, role="owner")
    request = dsr.dsr_submit(user=owner, kind="access", details="", base_url="")
    return World(
        owner=owner,
        other=other,
        staff=staff,
        staff_perm=staff_perm,
        profile=profile,
        public_profile=public_profile,
        company=company,
        dsr=request,
    )
