from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = _("Profiles")

    def ready(self) -> None:
        from allauth.account.signals import (
            password_changed,
            password_reset,
            password_set,
        )
        from django.db.models.signals import m2m_changed

        from consent.hooks import on_consent_withdrawn
        from core.generations import generation_bump_on_change
        from profiles.directory import GENERATION_KEY, skills_changed
        from profiles.models import FreelancerProfile, User
        from profiles.receivers import (
            password_changed_revoke_tokens,
            photo_consent_withdrawn,
        )

        on_consent_withdrawn(photo_consent_withdrawn)
        for signal in (password_changed, password_set, password_reset):
            signal.connect(
                password_changed_revoke_tokens, dispatch_uid="profiles.api_tokens"
            )
        # The directory's cached result count (profiles/directory.py).
        generation_bump_on_change(
            GENERATION_KEY,
            (FreelancerProfile, User),
            uid="profiles.directory",
            through=(FreelancerProfile.skills.through,),
        )
        m2m_changed.connect(
            skills_changed,
            sender=FreelancerProfile.skills.through,
            dispatch_uid="profiles.directory.skills.updated_at",
        )
