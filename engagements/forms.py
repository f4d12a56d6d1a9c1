"""The browser forms of engagements: they parse input into types; the rules
(required text, positive rates, dates in order, who may do what) are the
services', whose ValidationError the views put on these forms
(``core.forms.form_errors_add``). Field names are the services' keyword names,
so a service's field error lands beside its field."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from core.text import ControlCharacterFormMixin
from engagements.models import RateKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 12, "decimal_places": 2}


def _money_widget() -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": "0.01", "min": "0.01"})


class InquiryForm(ControlCharacterFormMixin, forms.Form):
    company = forms.ModelChoiceField(
        label=_("Send as"), queryset=None, empty_label=None
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Describe the task. The freelancer's e-mail and phone number are "
            "shared with your company only if they accept."
        ),
    )
    period_start = forms.DateField(label=_("Period from"), required=False, widget=DATE)
    period_end = forms.DateField(label=_("Period to"), required=False, widget=DATE)
    rate = forms.DecimalField(
        label=_("Hourly rate (DKK, excluding VAT)"),
        required=False,
        widget=_money_widget(),
        **MONEY,
    )

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["company"]
        field.queryset = companies
        if len(companies) == 1:
            # One company: nothing to choose.
            field.widget = forms.HiddenInput()
            field.initial = companies[0].pk


class MessageForm(ControlCharacterFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Reply"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AnswerForm(ControlCharacterFormMixin, forms.Form):
    """Accept or decline an inquiry, with an optional message."""

    body = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(ControlCharacterFormMixin, forms.Form):
    """Report abuse in a thread, or dispute hours: why."""

    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ActionForm(forms.Form):
    """An action without input (approve, block, decline...): it carries the
    service's refusal to the page."""


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, end this engagement. No more hours can be reported on it.")
    )


class ContractForm(ControlCharacterFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    scope = forms.CharField(
        label=_("Scope of work"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    end_date = forms.DateField(label=_("End date"), widget=DATE)
    rate_kind = forms.ChoiceField(
        label=_("Rate"),
        choices=RateKind.choices,
        initial=RateKind.HOURLY,
    )
    rate = forms.DecimalField(
        label=_("Amount (DKK, excluding VAT)"),
        help_text=_("The hourly rate, or the fixed price for the whole work."),
        widget=_money_widget(),
        **MONEY,
    )
    payment_terms_days = forms.IntegerField(
        label=_("Payment terms (days)"),
        initial=14,
        widget=forms.NumberInput(attrs={"min": "1", "max": "90"}),
    )
    billing_email = forms.EmailField(
        label=_("Billing e-mail"), help_text=_("Invoices are e-mailed here.")
    )


class ContractAcceptForm(forms.Form):
    text_sha256 = forms.CharField(
        max_length=64, required=False, widget=forms.HiddenInput()
    )


class HoursForm(ControlCharacterFormMixin, forms.Form):
    week = forms.DateField(
        label=_("Week"),
        widget=DATE,
        help_text=_("Any day of the week; the hours are reported for its Monday."),
    )
    hours = forms.DecimalField(
        label=_("Hours"),
        max_digits=7,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0.25", "max": "168"}),
    )
    note = forms.CharField(
        label=_("What was done (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def invoice_month_choices(today: dt.date) -> list[tuple[str, str]]:
    """The months a freelancer may ask to invoice: the last two that have
    ended (a month is invoiced once, so never one still running)."""
    previous = today.replace(day=1) - dt.timedelta(days=1)
    before = previous.replace(day=1) - dt.timedelta(days=1)
    return [
        (day.strftime("%Y-%m"), formats.date_format(day, "YEAR_MONTH_FORMAT"))
        for day in (previous, before)
    ]


class InvoiceRequestForm(forms.Form):
    month = forms.ChoiceField(label=_("Invoice approved hours for"))

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = invoice_month_choices(today)

    def clean_month(self) -> dt.date:
        return dt.date.fromisoformat(self.cleaned_data["month"] + "-01")
