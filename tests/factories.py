from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from profiles.models import User

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """A verified primary address unless `verified=False`."""
        self.save()
        if create:
            EmailAddress.objects.create(
                user=self,
                email=self.email,
                primary=True,
                verified=extracted if extracted is not None else True,
            )


def _cvr(n: int) -> str:
    """A valid CVR number (modulus 11) derived from n."""
    weights = (2, 7, 6, 5, 4, 3, 2)
    for base in range(10_000_000 + n * 97, 99_999_999):
        digits = str(base)[:7]
        remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
        check = (11 - remainder) % 11
        if check < 10:
            return digits + str(check)
    raise AssertionError("no CVR found")


class FreelancerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "profiles.FreelancerProfile"
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    full_name = factory.Sequence(lambda n: f"Freelancer {n}")
    slug = factory.Sequence(lambda n: f"freelancer-{n}")
    headline = "Django developer"
    city = "Aarhus"
    published_at = factory.Maybe("published", factory.LazyFunction(timezone.now), None)

    class Params:
        published = True

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            from profiles.models import Skill

            self.skills.set(
                Skill.objects.get_or_create(slug=name.lower(), defaults={"name": name})[
                    0
                ]
                for name in extracted
            )


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "profiles.Company"

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")
    cvr = factory.Sequence(_cvr)
    city = "Copenhagen"
    verified_at = factory.Maybe("verified", factory.LazyFunction(timezone.now), None)

    class Params:
        verified = False


class DataSubjectRequestFactory(factory.django.DjangoModelFactory):
    """A request in any kind and status (``status`` sets the matching stamps)."""

    class Meta:
        model = "privacy.DataSubjectRequest"

    kind = "access"
    status = "received"
    subject = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(
        lambda o: o.subject.email if o.subject else "x@example.com"
    )
    details = "Please."
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    verified_at = factory.LazyAttribute(
        lambda o: None if o.status == "received" else timezone.now()
    )
    started_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status in ("in_progress", "completed") else None
    )
    completed_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == "completed" else None
    )
    rejected_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == "rejected" else None
    )
    rejection_reason = factory.LazyAttribute(
        lambda o: "Manifestly unfounded." if o.status == "rejected" else ""
    )


class LegalHoldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "privacy.LegalHold"

    subject = factory.SubFactory(UserFactory)
    reason = "Bookkeeping Act, 5 years."


class BreachFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "compliance.Breach"

    reference = factory.Sequence(lambda n: f"BR-{n:04d}")
    discovered_at = factory.LazyFunction(timezone.now)
    nature = "A laptop was lost."
    data_categories = "Names"
    subject_categories = "Freelancers"
    likely_consequences = "Low."
    measures_taken = "Disk was encrypted."


class PolicyVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "compliance.PolicyVersion"

    version = factory.Sequence(lambda n: f"9.{n}")
    effective_date = factory.LazyFunction(lambda: timezone.now().date())
    summary = "Clearer wording."


class PurgeRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "privacy.PurgeRun"

    status = "completed"
    finished_at = factory.LazyFunction(timezone.now)
