from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Profiles"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from consent.signals import consent_withdrawn

        from .directory import directory_changed, skills_changed
        from .models import FreelancerProfile, User
        from .receivers import photo_consent_withdrawn

        consent_withdrawn.connect(
            photo_consent_withdrawn, dispatch_uid="profiles.photo"
        )
        # The directory's cached result count (profiles/directory.py).
        for model in (FreelancerProfile, User):
            for name, signal in (("save", post_save), ("delete", post_delete)):
                signal.connect(
                    directory_changed,
                    sender=model,
                    dispatch_uid=f"profiles.directory.{name}.{model.__name__}",
                )
        m2m_changed.connect(
            directory_changed,
            sender=FreelancerProfile.skills.through,
            dispatch_uid="profiles.directory.skills",
        )
        m2m_changed.connect(
            skills_changed,
            sender=FreelancerProfile.skills.through,
            dispatch_uid="profiles.directory.skills.updated_at",
        )
