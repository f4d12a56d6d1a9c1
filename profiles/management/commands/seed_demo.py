import io
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.utils import timezone
from PIL import Image, ImageDraw

from profiles import selectors, services
from profiles.models import Company, FreelancerProfile, User

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - published demo credential
DEMO_ADMIN = "admin@example.com"
DEMO_CONSENT_TEXT = "Demo data: photo published with the demo user's consent."

FREELANCERS = [
    {
        "email": "freja.freelancer@example.com",
        "full_name": "Freja Nielsen",
        "headline": "Senior Django developer",
        "street": "Åboulevarden 12",
        "postal_code": "8000",
        "city": "Aarhus",
        "company_name": "Freja Nielsen IT",
        "cvr": "24256790",
        "skills": ["Python", "Django", "PostgreSQL"],
        "colour": (31, 95, 191),
        "availability": "now",
        "rate_min": 750,
        "rate_max": 950,
        "languages": ["da", "en"],
        "years_experience": 12,
        "work_mode": "hybrid",
        "portfolio_links": [
            {"title": "Open-source admin theme", "url": "https://example.com/admin"}
        ],
    },
    {
        "email": "mads.freelancer@example.com",
        "full_name": "Mads Holm",
        "headline": "UX researcher and designer",
        "postal_code": "2200",
        "city": "Copenhagen",
        "skills": ["UX research", "Figma", "Accessibility"],
        "colour": (30, 123, 58),
        "availability": "from",
        "available_in_days": 30,
        "rate_min": 650,
        "languages": ["da", "en", "sv"],
        "years_experience": 6,
        "work_mode": "remote",
    },
    {
        "email": "sofie.freelancer@example.com",
        "full_name": "Sofie Lund",
        "headline": "Data engineer",
        "postal_code": "5000",
        "city": "Odense",
        "skills": ["Python", "Airflow", "dbt"],
        "colour": (179, 38, 30),
        "availability": "not",
        "languages": ["da", "de"],
        "years_experience": 4,
        "work_mode": "onsite",
    },
    {
        "email": "jonas.freelancer@example.com",
        "full_name": "Jonas Berg",
        "headline": "Cloud and DevOps consultant",
        "postal_code": "9000",
        "city": "Aalborg",
        "skills": ["Kubernetes", "Terraform", "AWS"],
        "colour": (120, 60, 160),
    },
]
COMPANIES = [
    {
        "owner": "company.owner@example.com",
        "name": "Nordlys Software ApS",
        "cvr": "61126228",
        "street": "Vesterbrogade 10",
        "postal_code": "1620",
        "city": "Copenhagen",
        "contact_email": "hello@nordlys.example",
        "description": "We build software for Nordic public services.",
    },
]


def _portrait(initial: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    image = Image.new("RGB", (480, 480), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((140, 80, 340, 280), fill=(245, 245, 245))
    draw.rectangle((100, 300, 380, 480), fill=(245, 245, 245))
    draw.text((230, 170), initial, fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile("portrait.png", buffer.getvalue(), "image/png")


class Command(BaseCommand):
    help = (
        "Create demo members, published freelancers with photos and a verified "
        "company with a shortlist (and, with DEBUG on, a demo admin). Idempotent."
    )

    def handle(self, *args, **options):
        for spec in FREELANCERS:
            self._freelancer(spec)
        for spec in COMPANIES:
            self._company(spec)
        self._shortlist()
        # A superuser with a published password must never reach production.
        if settings.DEBUG:
            _user, created = services.user_ensure_verified(
                email=DEMO_ADMIN,
                password=DEMO_PASSWORD,
                is_staff=True,
                is_superuser=True,
            )
            self._say(created, DEMO_ADMIN)
        # Apps above profiles add their demo through their own command, called
        # by name (profiles imports none of them): the engagement between the
        # demo company and Freja.
        if "seed_demo_engagements" in get_commands():
            call_command("seed_demo_engagements", stdout=self.stdout)
        if "seed_demo_opportunities" in get_commands():
            call_command("seed_demo_opportunities", stdout=self.stdout)
        if "seed_demo_support" in get_commands():
            call_command("seed_demo_support", stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready; password: {DEMO_PASSWORD}")
        )

    def _say(self, created: bool, what: str) -> None:
        self.stdout.write(f"{'created' if created else 'exists '} {what}")

    def _freelancer(self, spec: dict) -> None:
        user, created = services.user_ensure_verified(
            email=spec["email"], password=DEMO_PASSWORD
        )
        self._say(created, spec["email"])
        if selectors.freelancer_profile_for_owner(user=user) is not None:
            return
        profile = services.freelancer_profile_create(
            user=user, full_name=spec["full_name"]
        )
        data = {
            k: spec[k]
            for k in (
                "headline",
                "street",
                "postal_code",
                "city",
                "company_name",
                "cvr",
                "availability",
                "rate_min",
                "rate_max",
                "languages",
                "years_experience",
                "work_mode",
                "portfolio_links",
            )
            if k in spec
        }
        if "available_in_days" in spec:
            data["available_from"] = timezone.localdate() + timedelta(
                days=spec["available_in_days"]
            )
        data["bio"] = f"{spec['full_name']} is a demo freelancer."
        services.freelancer_profile_update(
            profile=profile, actor=user, data=data, skills=spec["skills"]
        )
        services.freelancer_photo_set(
            profile=profile,
            actor=user,
            upload=_portrait(spec["full_name"][0], spec["colour"]),
            consent_text=DEMO_CONSENT_TEXT,
        )
        services.freelancer_publish(profile=profile, actor=user)

    def _shortlist(self) -> None:
        """The demo company has Mads on its shortlist (added by its owner)."""
        company = Company.objects.filter(cvr=COMPANIES[0]["cvr"]).first()
        owner = User.objects.filter(email=COMPANIES[0]["owner"]).first()
        mads = FreelancerProfile.objects.filter(
            user__email="mads.freelancer@example.com"
        ).first()
        if None in (company, owner, mads):
            return
        if not selectors.shortlist_contains(company=company, profile=mads):
            services.shortlist_add(company=company, profile=mads, actor=owner)
            self._say(True, f"shortlist of {company.name}: {mads.full_name}")

    def _company(self, spec: dict) -> None:
        owner, created = services.user_ensure_verified(
            email=spec["owner"], password=DEMO_PASSWORD
        )
        self._say(created, spec["owner"])
        if Company.objects.filter(cvr=spec["cvr"]).exists():
            return
        data = {k: v for k, v in spec.items() if k != "owner"}
        company = services.company_create(actor=owner, data={**data, "country": "DK"})
        services.company_verify(company=company, actor=None)
        # The owner chose to be shown on the page (issue 20), by name.
        services.account_signup_complete(
            user=owner, role="company", name="Karen Owner", language="da"
        )
        membership = selectors.membership_get_for_user(slug=company.slug, user=owner)
        services.membership_show_set(membership=membership, actor=owner, show=True)
