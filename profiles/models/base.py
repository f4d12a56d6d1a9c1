"""What freelancer profiles and company pages share: a postal address and
an https URL field."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

COUNTRY_CODE = RegexValidator(
    r"^[A-Z]{2}$", _("Use a two-letter ISO country code, e.g. DK.")
)


class HttpsURLField(models.URLField):
    """A URL field whose forms (site and admin) assume https:// when none is given.

    Django 6.0 makes that the default; saying it here keeps 5.2 warning-free.
    """

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


class Address(models.Model):
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    # An ISO 3166-1 alpha-2 code, chosen from a list (Denmark first:
    # COUNTRIES_FIRST); shown by its name in the reader's language.
    country = CountryField(_("country"), default="DK", validators=[COUNTRY_CODE])

    class Meta:
        abstract = True
