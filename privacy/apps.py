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
        self._connect_policy_page()

    def _connect_policy_page(self) -> None:
        """Every record /privacy/ is generated from renews its cached body."""
        from cookie_consent.models import Cookie, CookieGroup
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from consent.models import CookieDetails

        from .models import (
            PolicyVersion,
            ProcessingActivity,
            Processor,
            RetentionPolicy,
        )
        from .policy import policy_page_changed

        sources = (
            PolicyVersion,
            RetentionPolicy,
            Processor,
            ProcessingActivity,
            CookieGroup,
            Cookie,
            CookieDetails,
        )
        for model in sources:
            for name, signal in (("save", post_save), ("delete", post_delete)):
                signal.connect(
                    policy_page_changed,
                    sender=model,
                    dispatch_uid=f"privacy.policy_page.{name}.{model.__name__}",
                )
        m2m_changed.connect(
            policy_page_changed,
            sender=ProcessingActivity.recipients.through,
            dispatch_uid="privacy.policy_page.recipients",
        )
