from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from privacy import registry
        from privacy.checks import check_personal_data

        registry.autodiscover()
        checks.register(check_personal_data, "privacy")
