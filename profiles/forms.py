from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, telling the person when the address is taken.

    Password reset and login stay enumeration-safe (ACCOUNT_PREVENT_ENUMERATION);
    sign-up says so plainly, because a silent "check your mail" for an address
    that already has an account leaves the person stuck.
    """

    def validate_unique_email(self, value: str) -> str:
        email = super().validate_unique_email(value)
        if self.account_already_exists:
            raise forms.ValidationError(
                _(
                    "An account with this e-mail address already exists. "
                    "Log in, or reset your password if you have forgotten it."
                ),
                code="email_taken",
            )
        return email


class AdminUserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class AdminUserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
