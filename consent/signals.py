"""Signals other apps listen to; they never import consent's internals.

``consent_withdrawn`` is sent after the transaction that wrote a withdrawn
record (``granted=False``) commits, for every such record, so a receiver can
undo what the consent allowed (e.g. unpublish and delete the profile photo).
Receivers must be idempotent: a purpose can be withdrawn again.

Arguments: ``sender=ConsentRecord``, ``record``, ``purpose``, ``user`` (None for
a visitor), ``visitor_id`` ("" for a user), ``previously_granted``.
"""

from django.dispatch import Signal

consent_withdrawn = Signal()
