from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Consent"

    def ready(self) -> None:
        from cookie_consent.models import Cookie, CookieGroup
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_save

        from consent import receivers
        from consent.mail import MailKind, mail_send
        from consent.models import CookieDetails
        from privacy.requests.notices import service_mail_sender

        user_logged_in.connect(
            receivers.link_visitor_on_login, dispatch_uid="consent.link_visitor"
        )
        for model in (Cookie, CookieGroup, CookieDetails):
            for signal in (post_save, post_delete):
                signal.connect(
                    receivers.cookie_catalogue_changed,
                    sender=model,
                    dispatch_uid=f"consent.catalogue.{model._meta.label}.{id(signal)}",
                )

        # privacy's "your export is ready" goes through the one mail service.
        service_mail_sender(
            lambda *, user, template, context: mail_send(
                kind=MailKind.SERVICE, user=user, template=template, context=context
            )
        )
