from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    # Its only admin page is the outbox of files waiting to be deleted.
    verbose_name = _("Operations")

    def ready(self):
        from django.contrib.auth import signals

        from core import security

        signals.user_logged_in.connect(
            security.on_user_logged_in, dispatch_uid="core.login"
        )
        signals.user_logged_out.connect(
            security.on_user_logged_out, dispatch_uid="core.logout"
        )
        signals.user_login_failed.connect(
            security.on_user_login_failed, dispatch_uid="core.login_failed"
        )
