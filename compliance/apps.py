from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Compliance")

    def ready(self) -> None:
        from cookie_consent.models import Cookie, CookieGroup
        from django.db.models.signals import post_migrate

        from compliance import checks  # noqa: F401  (registers the checks)
        from compliance.models import (
            PolicyVersion,
            ProcessingActivity,
            Processor,
        )
        from compliance.seed import compliance_seed_after_migrate
        from compliance.selectors import (
            POLICY_PAGE_GENERATION_KEY,
            policy_version_current_label,
        )
        from consent.models import CookieDetails
        from consent.policy import policy_version_source
        from core.generations import generation_bump_on_change
        from privacy.models import RetentionPolicy

        policy_version_source(policy_version_current_label)
        # Every record /privacy/ is generated from renews its cached body.
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
            uid="compliance.policy_page",
            through=(ProcessingActivity.recipients.through,),
        )
        # The content (policy text, processors, activities, cookie catalogue)
        # comes from compliance/data after every migrate, as Django's own
        # content types and permissions do: migrations hold schema only.
        post_migrate.connect(
            compliance_seed_after_migrate, sender=self, dispatch_uid="compliance.seed"
        )
