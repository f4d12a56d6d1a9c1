"""A freelancer's opportunity alert and the consent it needs.

The alert says what to match (work modes, a city) and how often; whether
mail goes out at all is the consent ``Purpose.OPPORTUNITY_EMAIL``, recorded
here through ``consent.services.consent_record`` (append-only, the proof of
consent) and shown on the e-mail preferences page, where it can also be
withdrawn. The mail service checks it again at sending time.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from consent.mail import email_preferences_get
from consent.models import Purpose, Source
from consent.services import consent_record
from opportunities.models import OpportunityAlert
from opportunities.selectors import freelancer_for_user


@transaction.atomic
def alert_save(
    *,
    user,
    subscribed: bool,
    frequency: str,
    onsite: bool,
    remote: bool,
    hybrid: bool,
    city: str = "",
) -> OpportunityAlert:
    """Set the freelancer's alert, and record the consent when it changed."""
    if freelancer_for_user(user=user) is None:
        raise ValidationError(
            _("Only freelancers can get opportunity alerts."), code="not_freelancer"
        )
    errors: dict[str, list[str]] = {}
    if frequency not in OpportunityAlert.Frequency.values:
        errors["frequency"] = [_("Choose how often.")]
    if not (onsite or remote or hybrid):
        errors["onsite"] = [_("Choose at least one way of working.")]
    city = (city or "").strip()
    if len(city) > 100:
        errors["city"] = [_("Keep the city under 100 characters.")]
    if errors:
        raise ValidationError(errors)
    alert, _created = OpportunityAlert.objects.update_or_create(
        user=user,
        defaults=dict(
            frequency=frequency, onsite=onsite, remote=remote, hybrid=hybrid, city=city
        ),
    )
    if email_preferences_get(user=user)["opportunities"] != subscribed:
        consent_record(
            purpose=Purpose.OPPORTUNITY_EMAIL,
            granted=subscribed,
            source=Source.SETTINGS,
            user=user,
            actor=user,
        )
    return alert
