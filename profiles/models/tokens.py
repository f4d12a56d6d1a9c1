"""API tokens (django-rest-knox's, tied to the password they were issued under)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox): only a SHA-512 digest of the key and its
    first 15 characters are stored, so neither a database copy nor an export
    ever holds a usable key.

    ``auth_hash`` ties the token to the password it was issued under (like a
    session's auth hash): after any password change, by any path, it no
    longer authenticates.
    """

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=128, unique=True)
    auth_hash = models.CharField(max_length=128, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"API token {self.pk}"
