from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FileDeletion(models.Model):
    """A stored file to delete: the outbox of durable file deletion.

    Written in the transaction that stops referencing the file (erasure, a
    purge batch, a replaced photo), so a crash after the commit cannot leave
    the file behind; ``core.files`` deletes the file and then the row.
    """

    #: "default" or the import path of a deconstructible storage class.
    storage = models.CharField(_("storage"), max_length=200)
    name = models.CharField(_("file name"), max_length=500)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        db_table = "privacy_filedeletion"  # made by privacy before the split
        verbose_name = _("pending file deletion")
        verbose_name_plural = _("pending file deletions")

    def __str__(self) -> str:
        return self.name
