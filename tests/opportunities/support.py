"""Build opportunities and alert subscribers through the services, as the
site does (shared by the opportunity tests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from consent.models import Purpose
from consent.services import consent_record
from opportunities import services
from opportunities.models import Opportunity
from profiles.models import Skill
from tests.factories import CompanyFactory, FreelancerProfileFactory, UserFactory


@dataclass
class Poster:
    member: object
    company: object


def skill(name: str) -> Skill:
    return Skill.objects.get_or_create(slug=name.lower(), defaults={"name": name})[0]


def poster(**company_kwargs) -> Poster:
    member = UserFactory()
    company = CompanyFactory(verified=True, **company_kwargs)
    company.memberships.create(user=member, role="owner")
    return Poster(member=member, company=company)


def post(who: Poster | None = None, **overrides) -> Opportunity:
    who = who or poster()
    values = dict(
        title="Django developer for a booking service",
        description="Build the booking API with us this spring.",
        skills=[skill("Django")],
        deadline=timezone.localdate() + dt.timedelta(days=14),
        work_mode="hybrid",
        city="Aarhus",
    )
    values.update(overrides)
    return services.opportunity_post(company=who.company, actor=who.member, **values)


def subscriber(
    *,
    skills=("Django",),
    frequency="immediate",
    consent=True,
    language="da",
    onsite=True,
    remote=True,
    hybrid=True,
    city="",
    verified=True,
    published=True,
):
    """A freelancer with ``skills`` on the profile and an alert."""
    user = UserFactory(language=language, verified=verified)
    FreelancerProfileFactory(user=user, skills=list(skills), published=published)
    services.alert_save(
        user=user,
        subscribed=False,
        frequency=frequency,
        onsite=onsite,
        remote=remote,
        hybrid=hybrid,
        city=city,
    )
    if consent:
        consent_record(
            purpose=Purpose.OPPORTUNITY_EMAIL,
            granted=True,
            source="settings",
            user=user,
        )
    return user
