from consent.models import Purpose

from . import services


def photo_consent_withdrawn(sender, *, purpose, user=None, **kwargs) -> None:
    """Withdrawing photo consent anywhere unpublishes and deletes the photo."""
    if purpose == Purpose.PROFILE_PHOTO and user is not None:
        services.on_photo_consent_withdrawn(user=user)
