from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Profiles"

    def ready(self) -> None:
        from consent.signals import consent_withdrawn

        from .receivers import photo_consent_withdrawn

        consent_withdrawn.connect(
            photo_consent_withdrawn, dispatch_uid="profiles.photo"
        )
