from django import forms
from django.utils.translation import gettext_lazy as _

from core.text import ControlCharacterFormMixin
from privacy.models import DataSubjectRequest


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
