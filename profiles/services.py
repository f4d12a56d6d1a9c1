from allauth.account.models import EmailAddress
from django.db import transaction

from .models import User


@transaction.atomic
def user_ensure_verified(
    *, email: str, password: str, is_staff: bool = False, is_superuser: bool = False
) -> tuple[User, bool]:
    """Create a user with a verified primary e-mail, or return the existing one.

    Idempotent: an existing user is left as it is (its password is not reset).
    """
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(
            email=email, password=password, is_staff=is_staff, is_superuser=is_superuser
        )
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user, created
