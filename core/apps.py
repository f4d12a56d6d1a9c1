from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

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
