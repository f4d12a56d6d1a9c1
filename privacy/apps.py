from django.apps import AppConfig
from django.core import checks


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from . import registry
        from .checks import check_personal_data

        registry.autodiscover()
        checks.register(check_personal_data, "privacy")
