from django import forms
from django.utils.translation import gettext_lazy as _

from consent.models import Purpose
from consent.texts import PURPOSE_TEXTS

from .models import DataSubjectRequest
from .text import ControlCharacterFormMixin


class RequestForm(ControlCharacterFormMixin, forms.Form):
    """A logged-in member's request: verified by their session."""

    kind = forms.ChoiceField(
        label=_("What do you want us to do?"),
        choices=DataSubjectRequest.Kind.choices,
        widget=forms.RadioSelect,
        help_text=_("You can have one open request of each kind at a time."),
    )
    details = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a correction: what is wrong and what it should say."),
    )


class AnonymousRequestForm(RequestForm):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("We send a link there to confirm the request is yours."),
    )

    field_order = ["email", "kind", "details"]


class ReasonForm(ControlCharacterFormMixin, forms.Form):
    """Admin: the reason a rejection or an extension needs."""

    reason = forms.CharField(
        label=_("Reason (sent to the requester)"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=5000,
    )


class ExtendForm(ReasonForm):
    months = forms.TypedChoiceField(
        label=_("Extend by"),
        choices=[(1, _("1 month")), (2, _("2 months"))],
        coerce=int,
    )


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class EmailPreferencesForm(forms.Form):
    """Marketing and e-mail tracking: consent purposes, off unless chosen.

    Explicit yes/no choices, so an unknown value is an error, not a "yes".
    """

    marketing = forms.TypedChoiceField(
        # The consent record stores this same text (consent.texts).
        label=PURPOSE_TEXTS[Purpose.MARKETING_EMAIL],
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    tracking = forms.TypedChoiceField(
        label=PURPOSE_TEXTS[Purpose.EMAIL_TRACKING],
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
