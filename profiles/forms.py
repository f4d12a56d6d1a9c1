from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.text import ControlCharacterFormMixin
from profiles.identifiers import normalise_cpr, validate_cvr
from profiles.models import Company, CompanyMembership, FreelancerProfile, User
from profiles.models.freelancers import LANGUAGE_CHOICES, PORTFOLIO_LINKS_MAX
from profiles.regions import Region
from profiles.services import (
    COMPANY_FIELDS,
    PROFILE_FIELDS,
    account_signup_complete,
    skills_parse,
)

PHOTO_CONSENT_TEXT = _(
    "I consent to Worksome publishing this photo on my public profile and in the "
    "directory. I can withdraw this consent at any time, and the photo is then "
    "deleted at once."
)


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form (ACCOUNT_FORMS), which also asks who the person
    is (freelancer or company) and their name: the dashboard follows the role.

    An address that already has an account gets the same answer as a new one
    ("check your mail"); the mail then tells the member that someone tried to
    sign up with it (ACCOUNT_PREVENT_ENUMERATION), so sign-up, log-in, reset
    and request intake never say who is a member."""

    role = forms.ChoiceField(
        label=_("I am"),
        choices=User.Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose freelancer or company.")},
    )
    name = forms.CharField(
        label=_("Your full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["role", "name", "email", "password1", "password2"]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data.get("name", "").split())
        if not name:
            raise forms.ValidationError(_("Enter your name."), code="required")
        return name

    def save(self, request):
        user = super().save(request)
        # E-mails go out in the language the person signed up in.
        account_signup_complete(
            user=user,
            role=self.cleaned_data["role"],
            name=self.cleaned_data["name"],
            language=get_language(),
        )
        return user


class AdminUserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class AdminUserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class CountryCodeFormMixin:
    """The country is a choice of ISO codes; a code typed in lower case (an
    old bookmark, a script) is taken as the same code."""

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and isinstance(data.get("country"), str):
            data = data.copy()
            data["country"] = data["country"].strip().upper()
        super().__init__(data, *args, **kwargs)


class FreelancerProfileForm(
    CountryCodeFormMixin, ControlCharacterFormMixin, forms.ModelForm
):
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
    languages = forms.TypedMultipleChoiceField(
        label=_("Languages you work in"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )
    portfolio_links = forms.CharField(
        label=_("Portfolio links"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line: a title, a vertical bar and an https:// address, e.g. "
            "Shop redesign | https://example.com/shop. At most %(max)d."
        )
        % {"max": PORTFOLIO_LINKS_MAX},
    )

    class Meta:
        model = FreelancerProfile
        fields = list(PROFILE_FIELDS)
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 6}),
            "available_from": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["skills_text"].initial = ", ".join(
                s.name for s in self.instance.skills.all()
            )
        self.initial["portfolio_links"] = "\n".join(
            f"{link.get('title', '')} | {link.get('url', '')}"
            for link in (self.instance.portfolio_links or [])
            if isinstance(link, dict)
        )
        self.fields["available_from"].widget.format = "%Y-%m-%d"

    def clean_portfolio_links(self) -> list[dict]:
        links = []
        for line in self.cleaned_data.get("portfolio_links", "").splitlines():
            if not line.strip():
                continue
            title, bar, url = line.rpartition("|")
            if not bar:
                raise forms.ValidationError(
                    _("Write each link as: title | https://address"),
                    code="format",
                )
            links.append({"title": title.strip(), "url": url.strip()})
        return links

    def clean_cvr(self) -> str:
        value = self.cleaned_data.get("cvr", "")
        return validate_cvr(value) if value else ""

    def clean_cpr(self) -> str:
        value = self.cleaned_data.get("cpr", "")
        return normalise_cpr(value) if value else ""

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


class CompanyForm(CountryCodeFormMixin, ControlCharacterFormMixin, forms.ModelForm):
    class Meta:
        model = Company
        fields = list(COMPANY_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def clean_cvr(self) -> str:
        return validate_cvr(self.cleaned_data.get("cvr", ""))


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


class DirectoryFilterForm(forms.Form):
    """The directory's filters, read from the URL (GET: a search can be shared).

    A value that does not fit is left out of the search and reported beside
    its field (``errors``); the rest of the search still applies.
    """

    q = forms.CharField(label=_("Search by name or competence"), required=False)
    skill = forms.CharField(label=_("Competence"), required=False, max_length=70)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        choices=[("", _("Any")), *Region.choices],
    )
    available = forms.ChoiceField(
        label=_("Availability"),
        required=False,
        choices=[
            ("", _("Any")),
            ("now", _("Available now")),
            ("by", _("Available by a date")),
        ],
    )
    available_by = forms.DateField(
        label=_("Available by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    rate_min = forms.IntegerField(
        label=_("Hourly rate from (DKK)"), required=False, min_value=0, max_value=100000
    )
    rate_max = forms.IntegerField(
        label=_("Hourly rate up to (DKK)"),
        required=False,
        min_value=0,
        max_value=100000,
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any"))] + list(LANGUAGE_CHOICES),
    )
    work_mode = forms.ChoiceField(
        label=_("Work mode"),
        required=False,
        choices=[("", _("Any")), *FreelancerProfile.WorkMode.choices],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("relevance", _("Relevance")),
            ("newest", _("Newest")),
            ("availability", _("Availability")),
        ],
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        low, high = data.get("rate_min"), data.get("rate_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "rate_max", _("The highest rate must be at least the lowest rate.")
            )
        if data.get("available") == "by" and not data.get("available_by"):
            self.add_error("available_by", _("Choose a date."))
        return data

    def search(self) -> dict:
        """The selector's keyword arguments from the values that are valid."""
        from django.utils import timezone

        self.is_valid()
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in self.errors
        }
        available = data.get("available")
        available_by = None
        if available == "now":
            available_by = timezone.localdate()
        elif available == "by" and data.get("available_by"):
            available_by = max(data["available_by"], timezone.localdate())
        rates = {}
        if "rate_max" not in self.errors:  # a reversed range is dropped whole
            rates = {"rate_min": data.get("rate_min"), "rate_max": data.get("rate_max")}
        return {
            "q": data.get("q", ""),
            "skill": data.get("skill", ""),
            "city": data.get("city", ""),
            "region": data.get("region", ""),
            "available_by": available_by,
            **rates,
            "language": data.get("language", ""),
            "work_mode": data.get("work_mode", ""),
            "sort": data.get("sort") or "relevance",
        }
