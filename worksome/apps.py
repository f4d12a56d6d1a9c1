from django.apps import AppConfig


class WorksomeConfig(AppConfig):
    name = "worksome"
    verbose_name = "Worksome"

    def ready(self):
        from django.contrib.auth import signals

        from . import security

        signals.user_logged_in.connect(
            security.on_user_logged_in, dispatch_uid="worksome.login"
        )
        signals.user_logged_out.connect(
            security.on_user_logged_out, dispatch_uid="worksome.logout"
        )
        signals.user_login_failed.connect(
            security.on_user_login_failed, dispatch_uid="worksome.login_failed"
        )
