"""Posting, editing and closing an opportunity; expressing interest in one.

What must never happen, and how it is prevented:
- An opportunity posted for a company by someone who is not its member, or
  for a company that is not verified and open: ``opportunity_post`` checks
  membership through the inquiry rule
  (``selectors.opportunity_companies_for_user``) and stores nothing when it
  fails.
- A deadline already passed, a rate range upside down, a period ending
  before it starts, no competence: field errors, nothing stored.
- Alerts for a post that rolled back: the fan-out task is queued after
  commit.
- Two inquiries from one freelancer about one opportunity: one
  ``OpportunityInterest`` per pair (unique), checked under a lock.
- A closed company's posts naming the person it was: when the company is
  anonymised (it closed with its only member), so is the text of its
  opportunities (``company_opportunities_anonymise``), set-based.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engagements.services import interest_express
from opportunities.models import Opportunity, OpportunityInterest, WorkMode
from opportunities.selectors import freelancer_for_user, opportunity_companies_for_user
from privacy.services import audit_record
from profiles.models import Company, Skill

MAX_TITLE = 200
MAX_DESCRIPTION = 5000


def _clean(
    *,
    title: str,
    description: str,
    skills,
    period_start,
    period_end,
    city: str,
    work_mode: str,
    rate_min: Decimal | None,
    rate_max: Decimal | None,
    deadline,
    deadline_checked: bool = True,
) -> dict:
    """The fields, cleaned; every wrong field at once as field errors."""
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    title = (title or "").strip()
    if not title:
        error("title", _("Give the opportunity a title."))
    elif len(title) > MAX_TITLE:
        error("title", _("Keep the title under 200 characters."))
    description = (description or "").strip()
    if not description:
        error("description", _("Describe the work."))
    elif len(description) > MAX_DESCRIPTION:
        error("description", _("Keep the description under 5,000 characters."))
    skills = list(skills or [])
    if not skills:
        error("skills", _("Choose at least one competence."))
    elif not all(isinstance(skill, Skill) for skill in skills):
        error("skills", _("Choose competences from the list."))
    if period_start and period_end and period_end < period_start:
        error("period_end", _("The period cannot end before it starts."))
    city = (city or "").strip()[:100]
    if work_mode not in WorkMode.values:
        error("work_mode", _("Choose on-site, remote or hybrid."))
    for name, rate in (("rate_min", rate_min), ("rate_max", rate_max)):
        if rate is not None and rate <= 0:
            error(name, _("The rate must be more than 0 DKK."))
    if rate_min is not None and rate_max is not None and rate_min > rate_max:
        error("rate_max", _("The highest rate cannot be below the lowest."))
    if deadline is None:
        error("deadline", _("Give a deadline for applications."))
    elif deadline_checked and deadline < timezone.localdate():
        error("deadline", _("The deadline cannot be in the past."))
    if errors:
        raise ValidationError(errors)
    return dict(
        title=title,
        description=description,
        period_start=period_start,
        period_end=period_end,
        city=city,
        work_mode=work_mode,
        rate_min=rate_min,
        rate_max=rate_max,
        deadline=deadline,
    ), skills


@transaction.atomic
def opportunity_post(
    *,
    company: Company,
    actor,
    title: str,
    description: str,
    skills,
    deadline,
    work_mode: str = WorkMode.ONSITE,
    city: str = "",
    period_start=None,
    period_end=None,
    rate_min: Decimal | None = None,
    rate_max: Decimal | None = None,
) -> Opportunity:
    """Post an opportunity for ``company``; alerts go out after commit.

    Raises ValidationError (field errors) and stores nothing when refused.
    """
    if not opportunity_companies_for_user(user=actor).filter(pk=company.pk).exists():
        raise ValidationError(
            {
                "company": [
                    _("You can only post for a verified company you are a member of.")
                ]
            },
            code="not_member",
        )
    values, skills = _clean(
        title=title,
        description=description,
        skills=skills,
        period_start=period_start,
        period_end=period_end,
        city=city,
        work_mode=work_mode,
        rate_min=rate_min,
        rate_max=rate_max,
        deadline=deadline,
    )
    opportunity = Opportunity.objects.create(
        company=company, created_by=actor, **values
    )
    opportunity.skills.set(skills)
    from opportunities.tasks import opportunity_fanout

    pk = opportunity.pk
    transaction.on_commit(lambda: opportunity_fanout.delay(pk), robust=True)
    return opportunity


def _editable(opportunity: Opportunity, actor) -> Opportunity:
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if (
        not opportunity_companies_for_user(user=actor)
        .filter(pk=locked.company_id)
        .exists()
    ):
        raise ValidationError(
            _("Only members of the company can change its opportunities."),
            code="not_member",
        )
    return locked


@transaction.atomic
def opportunity_update(
    *,
    opportunity: Opportunity,
    actor,
    title: str,
    description: str,
    skills,
    deadline,
    work_mode: str = WorkMode.ONSITE,
    city: str = "",
    period_start=None,
    period_end=None,
    rate_min: Decimal | None = None,
    rate_max: Decimal | None = None,
) -> Opportunity:
    """Change an opportunity. A deadline may stay as it was even if it has
    passed; a new one must not be in the past. Alerts are not sent again."""
    locked = _editable(opportunity, actor)
    if locked.status == Opportunity.Status.CLOSED:
        raise ValidationError(
            _("This opportunity is closed and can no longer be changed."),
            code="closed",
        )
    values, skills = _clean(
        title=title,
        description=description,
        skills=skills,
        period_start=period_start,
        period_end=period_end,
        city=city,
        work_mode=work_mode,
        rate_min=rate_min,
        rate_max=rate_max,
        deadline=deadline,
        deadline_checked=deadline != locked.deadline,
    )
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save()
    locked.skills.set(skills)
    return locked


@transaction.atomic
def opportunity_close(*, opportunity: Opportunity, actor) -> Opportunity:
    """Close it: it leaves the listing; its page says it is closed."""
    locked = _editable(opportunity, actor)
    if locked.status != Opportunity.Status.CLOSED:
        locked.status = Opportunity.Status.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
    return locked


@transaction.atomic
def opportunity_interest_express(
    *, opportunity: Opportunity, actor, body: str
) -> OpportunityInterest:
    """The freelancer's "I'm interested": an inquiry thread with the
    company (``engagements.services.interest_express``), once per
    opportunity. Refused when the opportunity is no longer listed."""
    freelancer = freelancer_for_user(user=actor)
    if freelancer is None:
        raise ValidationError(
            _("Create a freelancer profile first."), code="not_freelancer"
        )
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if not locked.is_listed:
        raise ValidationError(
            _("This opportunity is closed or past its deadline."), code="closed"
        )
    if OpportunityInterest.objects.filter(opportunity=locked, user=actor).exists():
        raise ValidationError(
            _("You have already told the company you are interested."),
            code="duplicate",
        )
    thread = interest_express(
        opportunity_title=locked.title,
        company=locked.company,
        freelancer=freelancer,
        actor=actor,
        body=body,
    )
    try:
        with transaction.atomic():
            interest = OpportunityInterest.objects.create(
                opportunity=locked, user=actor, thread=thread
            )
    except IntegrityError as exc:  # pragma: no cover - the lock above orders them
        raise ValidationError(
            _("You have already told the company you are interested."),
            code="duplicate",
        ) from exc
    audit_record(
        actor=actor,
        subject=actor,
        action="opportunities.interest_expressed",
        target=interest,
        details={"opportunity_id": locked.pk, "company": locked.company.name},
    )
    return interest


#: what an anonymised opportunity's title reads (like other anonymised rows).
ANONYMISED_TITLE = "Anonymised"


def company_opportunities_anonymise(*, company_ids) -> int:
    """Close the opportunities of ``company_ids`` (ids or a subquery) and clear
    their title and description; returns how many were changed.

    For companies anonymised because their last member went: a company is
    often one person, and its posts describe it in its own words. Set-based
    and idempotent (the purge's batch handlers and erasure call it); the
    caller's transaction holds it.
    """
    opportunities = Opportunity.objects.filter(company_id__in=company_ids)
    opportunities.filter(status=Opportunity.Status.OPEN).update(
        status=Opportunity.Status.CLOSED, closed_at=timezone.now()
    )
    return opportunities.exclude(title=ANONYMISED_TITLE, description="").update(
        title=ANONYMISED_TITLE, description=""
    )
