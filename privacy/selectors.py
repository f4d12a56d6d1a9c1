"""Reads of the spine: what the registry holds and for how long, holds and
open requests that stop the purge, restriction.

``retention_periods()`` and ``registry_overview()`` are the one summary of the
registry for people: the privacy policy, the record of processing, the admin
and the access export all show these rows, so each says the same periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from privacy.models import DataSubjectRequest, LegalHold, RetentionPolicy
from privacy.registry import Action, PersonalData, personal_data

ACTION_DONE = {
    Action.ANONYMISE: gettext_lazy("anonymised"),
    Action.DELETE: gettext_lazy("deleted"),
}


# --- The registry, summarised ------------------------------------------------


def duration_text(days: int) -> str:
    """A period in the active language: whole years, else days ("5 years",
    "1 day"; "5 år", "1 dag")."""
    if days and days % 365 == 0:
        years = days // 365
        return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


@dataclass(frozen=True)
class RulePeriod:
    """One retention rule with the period the purge applies to it."""

    key: str
    #: the model's name for people ("Freelancer profile"), in the active language.
    model: str
    #: the model's label ("profiles.FreelancerProfile").
    model_label: str
    description: str
    days: int
    #: what happens then, in words ("anonymised"), in the active language.
    action: str
    #: what happens then, as the rule says it (``Action``: "anonymise").
    purge_action: str
    enabled: bool
    #: the rule's own words for the period and what then happens, when its
    #: purpose end is already the moment rows may go
    #: (``Retention.period_text``), else "".
    period_text: str = ""

    @property
    def months(self) -> int | None:
        """Whole months when the period is a whole number of years, else None."""
        return self.days // 365 * 12 if self.days % 365 == 0 else None

    @property
    def duration(self) -> str:
        return duration_text(self.days)

    @property
    def text(self) -> str:
        """The one wording of a period, used by every table of the policy."""
        if self.period_text and not self.days:
            return self.period_text
        return _("%(duration)s after the purpose ends, then %(action)s") % {
            "duration": self.duration,
            "action": self.action,
        }


def retention_periods() -> dict[str, RulePeriod]:
    """Rule key -> the period the purge applies (the RetentionPolicy row's, or
    the rule's default until the purge has created the row), in registry order."""
    policies = {p.key: p for p in RetentionPolicy.objects.all()}
    periods = {}
    for rule in personal_data.retention_rules():
        policy = policies.get(rule.key)
        periods[rule.key] = RulePeriod(
            key=rule.key,
            model=str(rule.model._meta.verbose_name).capitalize(),
            model_label=rule.model._meta.label,
            description=str(rule.retention.description),
            days=policy.period_days if policy else rule.retention.after.days,
            action=str(ACTION_DONE[rule.retention.action]),
            purge_action=str(rule.retention.action),
            enabled=policy.enabled if policy else True,
            period_text=str(rule.retention.period_text),
        )
    return periods


def _declaration_periods(
    declaration: PersonalData, periods: dict[str, RulePeriod]
) -> list[RulePeriod]:
    """Every period that applies to a declaration's rows: its own rule and the
    rules of its legal exceptions (the breach register has only the latter)."""
    keys = [declaration.retention.key] if declaration.retention else []
    keys += [e.retention.key for e in declaration.legal_exceptions if e.retention]
    return [periods[key] for key in keys if key in periods]


def registry_overview(*, periods: dict[str, RulePeriod] | None = None) -> list[dict]:
    """What the registry holds, one row per declared model, sorted by name:
    ``model``, ``description``, ``fields`` (their names for people), and the
    ``periods`` the purge applies to its rows (``period``: the first, or None).

    ``periods`` is ``retention_periods()``, read here when not given.
    """
    periods = retention_periods() if periods is None else periods
    rows = []
    for declaration in personal_data.declarations():
        found = _declaration_periods(declaration, periods)
        rows.append(
            {
                "model": str(declaration.model._meta.verbose_name).capitalize(),
                "description": str(declaration.description),
                "fields": [
                    str(declaration.model._meta.get_field(spec.name).verbose_name)
                    for spec in declaration.personal_fields()
                ],
                "periods": found,
                "period": found[0] if found else None,
            }
        )
    return sorted(rows, key=lambda row: row["model"])


# --- Holds: what the purge must leave alone ---------------------------------


def legal_holds_active(*, now: datetime) -> QuerySet[LegalHold]:
    """Legal holds in force at ``now`` (not released, not past their end)."""
    return LegalHold.objects.filter(released_at__isnull=True).filter(
        Q(until__isnull=True) | Q(until__gt=now)
    )


def dsr_open_subject_ids() -> list:
    """Subjects with an open data-subject request: their data must stay put.

    An open request (received, verified, in progress) may need the data it is
    about (an access export, a rectification); the purge waits until it closes.
    """
    return sorted(
        set(
            DataSubjectRequest.objects.filter(
                status__in=DataSubjectRequest.OPEN_STATUSES, subject__isnull=False
            ).values_list("subject_id", flat=True)
        )
    )


def held_subject_ids(*, now: datetime) -> list:
    """Users whose data no purge may touch: legal holds and open requests."""
    ids = set(
        legal_holds_active(now=now)
        .filter(subject__isnull=False)
        .values_list("subject_id", flat=True)
    )
    ids.update(dsr_open_subject_ids())
    return sorted(ids)


def held_object_ids(*, model, now: datetime) -> list:
    """Primary keys of ``model`` rows under an active legal hold of their own."""
    content_type = ContentType.objects.get_for_model(model)
    raw = (
        legal_holds_active(now=now)
        .filter(content_type=content_type)
        .values_list("object_id", flat=True)
    )
    pk = model._meta.pk
    ids = []
    for value in raw:
        try:
            ids.append(pk.to_python(value))
        except ValidationError:
            continue
    return ids


# --- Data-subject requests --------------------------------------------------


def subjects_restricted(*, user_ids) -> set[int]:
    """Those of ``user_ids`` whose processing is restricted now
    (``subject_is_restricted`` for many, in one query)."""
    return set(
        DataSubjectRequest.objects.filter(
            subject_id__in=list(user_ids),
            kind=DataSubjectRequest.Kind.RESTRICTION,
            restriction_applied_at__isnull=False,
            restriction_lifted_at__isnull=True,
        ).values_list("subject_id", flat=True)
    )


def subject_is_restricted(*, user) -> bool:
    """Whether processing of the user's data is restricted (Art. 18).

    Apps that send e-mail or hand data to others ask this first; only
    e-mails about the subject's own requests are sent while it holds.
    """
    if not getattr(user, "pk", None):
        return False
    return DataSubjectRequest.objects.filter(
        subject=user,
        kind=DataSubjectRequest.Kind.RESTRICTION,
        restriction_applied_at__isnull=False,
        restriction_lifted_at__isnull=True,
    ).exists()
