from cookie_consent.forms import ProcessCookiesForm
from django import forms
from django.utils.translation import gettext_lazy as _

from consent import selectors
from consent.models import Purpose, Source
from consent.texts import PURPOSE_TEXTS


class CookieChoiceForm(ProcessCookiesForm):
    """django-cookie-consent's form (``cookie_groups``, ``all_groups``) plus where
    the choice was made. Unknown group varnames are invalid.
    """

    source = forms.ChoiceField(
        choices=[
            (Source.BANNER, Source.BANNER.label),
            (Source.SETTINGS, Source.SETTINGS.label),
        ],
        required=False,
    )

    def __init__(self, *args, mode: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode = mode

    def clean_source(self) -> str:
        return self.cleaned_data.get("source") or Source.BANNER

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        groups = selectors.cookie_lists()
        chosen = {group.varname for group in self.get_cookie_groups()}
        if chosen - set(groups):
            # A group without cookies: there is nothing to consent to.
            raise forms.ValidationError(_("Unknown cookie group."), code="invalid")
        if self.mode != "choose" and not chosen:
            raise forms.ValidationError(
                _("Choose at least one cookie group."), code="required"
            )
        return cleaned

    def choices(self) -> dict[str, bool]:
        """Group varname -> accepted, for the groups this submission decides."""
        chosen = {group.varname for group in self.get_cookie_groups()}
        if self.mode == "choose":
            # Every optional group is decided: ticked ones accepted, the rest not.
            return {varname: varname in chosen for varname in selectors.cookie_lists()}
        return dict.fromkeys(sorted(chosen), self.mode == "accept")


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class EmailPreferencesForm(forms.Form):
    """Marketing, opportunity alerts and e-mail tracking: consent purposes,
    off unless chosen.

    Explicit yes/no choices, so an unknown value is an error, not a "yes".
    """

    marketing = forms.TypedChoiceField(
        # The consent record stores this same text (consent.texts).
        label=PURPOSE_TEXTS[Purpose.MARKETING_EMAIL],
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    # Not required: a client that does not know this newer choice leaves it
    # as it is (None) instead of failing.
    opportunities = forms.TypedChoiceField(
        label=PURPOSE_TEXTS[Purpose.OPPORTUNITY_EMAIL],
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    tracking = forms.TypedChoiceField(
        label=PURPOSE_TEXTS[Purpose.EMAIL_TRACKING],
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
