from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.text import ControlCharacterFormMixin
from profiles.identifiers import normalise_cpr, validate_cvr
from profiles.models import Company, CompanyMembership, FreelancerProfile, User
from profiles.services import (
    COMPANY_FIELDS,
    PROFILE_FIELDS,
    skills_parse,
    user_language_set,
)

PHOTO_CONSENT_TEXT = _(
    "I consent to Worksome publishing this photo on my public profile and in the "
    "directory. I can withdraw this consent at any time, and the photo is then "
    "deleted at once."
)


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form. An address that already has an account gets the
    same answer as a new one ("check your mail"); the mail then tells the
    member that someone tried to sign up with it (ACCOUNT_PREVENT_ENUMERATION),
    so sign-up, log-in, reset and request intake never say who is a member."""

    def save(self, request):
        user = super().save(request)
        # E-mails go out in the language the person signed up in.
        user_language_set(user=user, language=get_language())
        return user


class AdminUserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class AdminUserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class FreelancerProfileForm(ControlCharacterFormMixin, forms.ModelForm):
    skills_text = forms.CharField(
        label=_("Skills"),
        required=False,
        max_length=1000,
        help_text=_("Comma-separated, e.g. Python, Django, UX research."),
    )
    cpr = forms.CharField(
        label=_("CPR number"),
        required=False,
        max_length=11,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        help_text=_(
            "Optional. Never shown publicly; stored encrypted. Leave empty to keep "
            "the current number."
        ),
    )
    remove_cpr = forms.BooleanField(label=_("Remove my CPR number"), required=False)

    class Meta:
        model = FreelancerProfile
        fields = list(PROFILE_FIELDS)
        widgets = {"bio": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["skills_text"].initial = ", ".join(
                s.name for s in self.instance.skills.all()
            )

    def clean_cvr(self) -> str:
        value = self.cleaned_data.get("cvr", "")
        return validate_cvr(value) if value else ""

    def clean_cpr(self) -> str:
        value = self.cleaned_data.get("cpr", "")
        return normalise_cpr(value) if value else ""

    def clean_country(self) -> str:
        return (self.cleaned_data.get("country") or "").upper()

    def clean_skills_text(self) -> list[str]:
        return skills_parse(self.cleaned_data.get("skills_text", ""))


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Profile photo"))
    consent = forms.BooleanField(
        label=PHOTO_CONSENT_TEXT,
        required=True,
        error_messages={
            "required": _("Your photo is only published with your consent.")
        },
    )


class CvForm(forms.Form):
    cv = forms.FileField(label=_("CV (PDF or Word .docx, at most 10 MB)"))


class CompanyForm(ControlCharacterFormMixin, forms.ModelForm):
    class Meta:
        model = Company
        fields = list(COMPANY_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def clean_cvr(self) -> str:
        return validate_cvr(self.cleaned_data.get("cvr", ""))

    def clean_country(self) -> str:
        return (self.cleaned_data.get("country") or "").upper()


class LogoForm(forms.Form):
    logo = forms.FileField(label=_("Logo"))


class InviteForm(ControlCharacterFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=CompanyMembership.Role.choices,
        initial=CompanyMembership.Role.MEMBER,
    )


class CloseAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I understand that my profile disappears at once and my data is "
            "anonymised after 12 months."
        ),
        required=True,
    )
