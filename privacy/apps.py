from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from . import registry
        from .checks import check_personal_data

        registry.autodiscover()
        checks.register(check_personal_data, "privacy")
        self._connect_policy_page()

    def _connect_policy_page(self) -> None:
        """Every record /privacy/ is generated from renews its cached body."""
        from cookie_consent.models import Cookie, CookieGroup

        from consent.models import CookieDetails
        from worksome.generations import generation_bump_on_change

        from .models import (
            PolicyVersion,
            ProcessingActivity,
            Processor,
            RetentionPolicy,
        )
        from .policy import POLICY_PAGE_GENERATION_KEY

        generation_bump_on_change(
            POLICY_PAGE_GENERATION_KEY,
            (
                PolicyVersion,
                RetentionPolicy,
                Processor,
                ProcessingActivity,
                CookieGroup,
                Cookie,
                CookieDetails,
            ),
            uid="privacy.policy_page",
            through=(ProcessingActivity.recipients.through,),
        )
