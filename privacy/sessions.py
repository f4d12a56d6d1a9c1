"""The session store: Django's database sessions, plus whose each session is.

Erasure must delete every session of the subject in its own transaction
(a session's data holds who is logged in). Session data is signed and
encoded, so it cannot be queried; this store writes a ``SessionOwner`` row
(session key -> user) whenever a saved session's key or user differs from
what was loaded, so ordinary requests cost no extra query and a login or a
key rotation is never missed. Erasure deletes the subject's sessions through
the registry (``privacy.personal_data``: ``Session`` by ``owner__user``).
Expired sessions go with ``SessionStore.clear_expired`` (``clearsessions``
and the daily beat task), their ``SessionOwner`` rows with them: the ORM
cascades the delete, the table having no database constraint.

Configured with ``SESSION_ENGINE = "privacy.sessions"``.
"""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.utils import timezone

from privacy.models import SessionOwner


class SessionStore(DBStore):
    _owner_seen: tuple | None = None

    def load(self):
        data = super().load()
        self._owner_seen = (self.session_key, data.get(SESSION_KEY))
        return data

    def save(self, must_create=False):
        super().save(must_create=must_create)
        user_id = self._get_session(no_load=must_create).get(SESSION_KEY)
        seen = (self.session_key, user_id)
        if user_id and seen != self._owner_seen:
            SessionOwner.objects.update_or_create(
                session_id=self.session_key, defaults={"user_id": user_id}
            )
        self._owner_seen = seen

    @classmethod
    def clear_expired(cls) -> int:
        """Django's, returning the number of sessions deleted (owner rows not
        counted) for the beat task's result."""
        model = cls.get_model_class()
        _, deleted = model.objects.filter(expire_date__lt=timezone.now()).delete()
        return deleted.get(model._meta.label, 0)
