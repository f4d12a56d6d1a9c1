"""The opportunity part of the ``make run`` demo, through the services: an
open opportunity from the demo company, and a demo freelancer subscribed to
the daily digest (the alert and the Purpose.OPPORTUNITY_EMAIL grant).

A command of its own because ``profiles`` (where ``seed_demo`` lives) sits
below ``opportunities``; ``seed_demo`` calls it by name. Idempotent: a second
run adds nothing.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation

from opportunities import services
from opportunities.models import Opportunity, OpportunityAlert
from profiles.management.commands.seed_demo import COMPANIES, FREELANCERS
from profiles.models import Company, Skill, User

COMPANY = COMPANIES[0]
#: the digest subscriber: Sofie (Python), who is not in the demo engagement.
SUBSCRIBER_EMAIL = FREELANCERS[2]["email"]
TITLE = "Python-udvikler til dataplatform"


class Command(BaseCommand):
    help = (
        "Create the demo opportunity and a digest-subscribed freelancer. "
        "Idempotent; run seed_demo first."
    )

    def handle(self, *args, **options):
        try:
            company = Company.objects.get(cvr=COMPANY["cvr"])
            owner = User.objects.get(email=COMPANY["owner"])
            subscriber = User.objects.get(email=SUBSCRIBER_EMAIL)
        except (Company.DoesNotExist, User.DoesNotExist) as error:
            raise CommandError("Run `manage.py seed_demo` first.") from error
        with translation.override("da"):
            self._alert(subscriber)
            self._opportunity(company, owner)
        self.stdout.write(self.style.SUCCESS("Demo opportunities ready."))

    def _say(self, created: bool, what: str) -> None:
        self.stdout.write(f"{'created' if created else 'exists '} {what}")

    def _alert(self, user) -> None:
        exists = OpportunityAlert.objects.filter(user=user).exists()
        self._say(not exists, "opportunity digest subscriber")
        if not exists:
            services.alert_save(
                user=user,
                subscribed=True,
                frequency=OpportunityAlert.Frequency.DAILY,
                onsite=True,
                remote=True,
                hybrid=True,
            )

    def _opportunity(self, company, owner) -> None:
        exists = Opportunity.objects.filter(
            company=company, title=TITLE, status=Opportunity.Status.OPEN
        ).exists()
        self._say(not exists, "open opportunity")
        if exists:
            return
        python, _created = Skill.objects.get_or_create(
            slug="python", defaults={"name": "Python"}
        )
        with transaction.atomic():
            services.opportunity_post(
                company=company,
                actor=owner,
                title=TITLE,
                description=(
                    "Vi bygger en dataplatform til nordiske kommuner og søger en "
                    "Python-udvikler i fire måneder, gerne med erfaring i Airflow."
                ),
                skills=[python],
                work_mode="hybrid",
                city="Copenhagen",
                period_start=timezone.localdate() + dt.timedelta(days=30),
                period_end=timezone.localdate() + dt.timedelta(days=150),
                deadline=timezone.localdate() + dt.timedelta(days=21),
            )
