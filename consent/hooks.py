"""Hooks other apps register with; they never import consent's internals.

``on_consent_withdrawn(handler)`` registers ``handler(*, record, purpose,
user, visitor_id, previously_granted)``, called after the transaction that
wrote a withdrawn record (``granted=False``) commits, for every such record,
so the handler can undo what the consent allowed (e.g. unpublish and delete
the profile photo). ``user`` is None for a visitor, ``visitor_id`` "" for a
user. Handlers must be idempotent: a purpose can be withdrawn again.

The project's one extension mechanism (docs/architecture.md): the lower layer
offers a registration function, the upper layer registers in ``ready()``.
"""

from collections.abc import Callable

_withdrawn_handlers: list[Callable] = []


def on_consent_withdrawn(handler: Callable) -> Callable:
    """Register ``handler``; registering it twice has no effect."""
    if handler not in _withdrawn_handlers:
        _withdrawn_handlers.append(handler)
    return handler


def consent_withdrawn_unregister(handler: Callable) -> None:
    if handler in _withdrawn_handlers:
        _withdrawn_handlers.remove(handler)


def consent_withdrawn_emit(**details) -> None:
    """Call every handler, in registration order (after commit)."""
    for handler in list(_withdrawn_handlers):
        handler(**details)
