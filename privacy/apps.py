from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


def retention_policies_after_migrate(*, using: str = "default", plan=None, **kwargs):
    """post_migrate receiver: mirror the registry's rules as RetentionPolicy rows.

    Like ``compliance_seed_after_migrate``: skipped for an empty plan (a no-op
    migrate stays one) and for other databases.
    """
    if (plan is not None and not plan) or using != "default":
        return
    from privacy.retention import retention_policies_sync

    retention_policies_sync()


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from privacy import registry
        from privacy.checks import check_personal_data

        registry.autodiscover()
        checks.register(check_personal_data, "privacy")
        # The retention table is filled at install (after every migrate), so
        # staff see and tune the rules before the first purge runs.
        post_migrate.connect(
            retention_policies_after_migrate,
            sender=self,
            dispatch_uid="privacy.retention_policies",
        )
