from consent.models import Purpose
from profiles import services


def photo_consent_withdrawn(*, purpose, user=None, **details) -> None:
    """Withdrawing photo consent anywhere unpublishes and deletes the photo."""
    if purpose == Purpose.PROFILE_PHOTO and user is not None:
        services.freelancer_photo_consent_withdrawn(user=user)


def password_changed_revoke_tokens(sender, request=None, user=None, **kwargs) -> None:
    """A password change, set or reset revokes every API token of the account.

    (A token issued under the old password would be refused anyway: see
    profiles.api_auth; this removes the rows from the member's list.)
    """
    if user is not None and user.pk:
        services.api_tokens_revoke_all(user=user, actor=user, reason="password")
