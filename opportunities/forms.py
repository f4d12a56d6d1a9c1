"""Browser forms of opportunities: they parse input into types; the rules
(deadline not past, rates in order, who may post) are the services', whose
ValidationError the views put on these forms (``core.forms.form_errors_add``).
Field names are the services' keyword names."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.text import ControlCharacterFormMixin
from opportunities.models import OpportunityAlert, WorkMode
from profiles.models import Skill

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 10, "decimal_places": 2}


def _money_widget() -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": "0.01", "min": "0.01"})


class OpportunityForm(ControlCharacterFormMixin, forms.Form):
    company = forms.ModelChoiceField(
        label=_("Post as"), queryset=None, empty_label=None
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    skills = forms.ModelMultipleChoiceField(
        label=_("Competences"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    work_mode = forms.ChoiceField(label=_("Work mode"), choices=WorkMode.choices)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    period_start = forms.DateField(label=_("Period from"), required=False, widget=DATE)
    period_end = forms.DateField(label=_("Period to"), required=False, widget=DATE)
    rate_min = forms.DecimalField(
        label=_("Hourly rate from (DKK)"),
        required=False,
        widget=_money_widget(),
        **MONEY,
    )
    rate_max = forms.DecimalField(
        label=_("Hourly rate to (DKK)"),
        required=False,
        widget=_money_widget(),
        **MONEY,
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE, required=False)

    def __init__(self, *args, companies=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["company"]
        if companies is None:  # editing: the company does not change
            del self.fields["company"]
            return
        field.queryset = companies
        if len(companies) == 1:
            field.widget = forms.HiddenInput()
            field.initial = companies[0].pk


class InterestForm(ControlCharacterFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Message to the company"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Say why you fit. The company sees your public profile."),
    )


class AlertForm(ControlCharacterFormMixin, forms.Form):
    subscribed = forms.BooleanField(
        label=_("E-mail me opportunities that match my competences"),
        required=False,
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=OpportunityAlert.Frequency.choices,
        widget=forms.RadioSelect,
        initial=OpportunityAlert.Frequency.DAILY,
    )
    onsite = forms.BooleanField(label=_("On-site"), required=False, initial=True)
    remote = forms.BooleanField(label=_("Remote"), required=False, initial=True)
    hybrid = forms.BooleanField(label=_("Hybrid"), required=False, initial=True)
    city = forms.CharField(
        label=_("City"),
        max_length=100,
        required=False,
        help_text=_("On-site and hybrid work only in this city; empty: any city."),
    )
