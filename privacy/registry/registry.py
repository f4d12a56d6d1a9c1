"""The registry: the declarations of every app, and the hooks through which
apps act on a data-subject request without privacy importing them.

``personal_data`` is the one instance; apps register on it from their
autodiscovered ``personal_data.py``. Hook handlers run inside the caller's
transaction: they must be idempotent and send mail or queue tasks only
through ``transaction.on_commit``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.module_loading import autodiscover_modules

from privacy.registry.declarations import PersonalData, RetentionRule


class AlreadyRegistered(Exception):
    pass


class Event(enum.StrEnum):
    """Moments of a data-subject request at which an app may have to act.

    Handlers are called as ``handler(user=..., actor=..., **context)`` inside the
    transaction of the request's step, so they must not send e-mail or start
    tasks directly (use ``transaction.on_commit``) and must be idempotent.
    """

    #: processing restricted (Art. 18): stop using the subject's data.
    RESTRICT = "restrict"
    #: the restriction was lifted.
    LIFT_RESTRICTION = "lift_restriction"
    #: withdraw every consent the subject gave (Art. 7(3)).
    WITHDRAW_CONSENTS = "withdraw_consents"
    #: objection to direct marketing (Art. 21(2)): stop it. ``user`` may be
    #: None (a visitor's objection); ``email`` is the address objected under.
    OBJECT = "object"
    #: erasure (Art. 17), before the registry anonymises or deletes the rows.
    ERASE = "erase"


@dataclass(frozen=True)
class Recipient:
    """Someone the subject's data was disclosed to (GDPR Art. 15(1)(c), 19)."""

    name: str
    email: str
    since: dt.datetime | None = None
    #: how the recipient knows the subject (e.g. the name on the CV they got);
    #: used only in the notice sent to the recipient, never stored.
    reference: str = ""


@dataclass(frozen=True)
class AddressHolding:
    """What an app holds under an e-mail address that no account has (a
    visitor's support ticket, say): what it is, how many, and a plain-text
    copy of it for an access request (one line per item)."""

    name: str
    rows: int
    copy: list[str] = field(default_factory=list)


@dataclass
class Registry:
    _declarations: dict[type[models.Model], PersonalData] = field(default_factory=dict)
    _exempt: dict[str, str] = field(default_factory=dict)
    _handlers: dict[str, list[Callable]] = field(default_factory=dict)
    _recipient_providers: list[Callable] = field(default_factory=list)
    _batch_handlers: list[Callable] = field(default_factory=list)
    _address_holders: list[Any] = field(default_factory=list)

    def register(self, model: type[models.Model]):
        """Class decorator: ``@personal_data.register(Model)`` on a declaration."""

        def decorator(declaration_class: type[PersonalData]) -> type[PersonalData]:
            if model in self._declarations:
                raise AlreadyRegistered(f"{model._meta.label} is already registered.")
            self._declarations[model] = declaration_class(model)
            return declaration_class

        return decorator

    def exempt(self, *targets: type[models.Model] | str, reason: str):
        """Mark models as holding no personal data, with the reason why.

        ``targets`` are model classes or ``"app_label.ModelName"`` labels (for
        third-party models). With no targets it returns a class decorator.
        """
        if not reason:
            raise ValueError("An exemption needs a reason.")

        def add(target: type[models.Model] | str) -> None:
            label = target if isinstance(target, str) else target._meta.label
            self._exempt[label.lower()] = reason

        if not targets:

            def decorator(model: type[models.Model]) -> type[models.Model]:
                add(model)
                return model

            return decorator
        for target in targets:
            add(target)
        return None

    def get(self, model: type[models.Model]) -> PersonalData | None:
        return self._declarations.get(model)

    def declarations(self) -> Iterable[PersonalData]:
        return list(self._declarations.values())

    def is_exempt(self, model: type[models.Model]) -> bool:
        return model._meta.label_lower in self._exempt

    def exemption_reason(self, model: type[models.Model]) -> str | None:
        return self._exempt.get(model._meta.label_lower)

    def retention_rules(self) -> list[RetentionRule]:
        """Every retention rule of every declaration: each declaration's own
        rule first, then one per legal exception with a rule of its own."""
        return [rule for d in self.declarations() for rule in d.rules()]

    def rows_for_subject(self, user) -> Iterable[tuple[PersonalData, models.QuerySet]]:
        for declaration in self.declarations():
            yield declaration, declaration.rows_for(user)

    # Hooks: how an app acts on a data-subject request without privacy
    # importing it.
    def on(self, event: Event | str, handler: Callable | None = None):
        """Register ``handler(user=, actor=)`` for ``event``; usable as a decorator.

        Registering the same function twice for an event has no effect.
        """
        event = Event(event)

        def add(func: Callable) -> Callable:
            handlers = self._handlers.setdefault(str(event), [])
            if func not in handlers:
                handlers.append(func)
            return func

        return add if handler is None else add(handler)

    def handlers(self, event: Event | str) -> list[Callable]:
        return list(self._handlers.get(str(Event(event)), []))

    def emit(self, event: Event | str, *, user, actor, **context) -> None:
        """Call every handler of ``event``, in registration order.

        ``context`` is what the event adds (``Event.OBJECT``: ``email``, the
        address the objection was made under); handlers take ``**context``.
        """
        for handler in self.handlers(event):
            handler(user=user, actor=actor, **context)

    def after_purge_batch(self, func: Callable) -> Callable:
        """Register ``func(model=, now=)``, called inside each purge batch's
        transaction after the batch changed rows of ``model``; usable as a
        decorator. Handlers must be set-based and idempotent (e.g. close the
        companies whose last member the batch removed)."""
        if func not in self._batch_handlers:
            self._batch_handlers.append(func)
        return func

    def emit_purge_batch(self, *, model: type[models.Model], now) -> None:
        for handler in list(self._batch_handlers):
            handler(model=model, now=now)

    def recipients_provider(self, func: Callable) -> Callable:
        """Register ``func(user) -> list[Recipient]``; usable as a decorator."""
        if func not in self._recipient_providers:
            self._recipient_providers.append(func)
        return func

    def recipients(self, user) -> list[Recipient]:
        """Everyone the subject's data was disclosed to, from every provider."""
        found: list[Recipient] = []
        for provider in self._recipient_providers:
            found.extend(provider(user))
        return found

    def address_holder(self, holder):
        """Register an object with ``holdings(email) -> list[AddressHolding]``
        and ``erase(email) -> int`` (rows erased): what an app keeps under an
        e-mail address with no account behind it, so that a visitor's access
        or erasure request (verified by a link to that address) reaches it.
        The registry's declarations cover only account holders."""
        if holder not in self._address_holders:
            self._address_holders.append(holder)
        return holder

    def address_holdings(self, email: str) -> list[AddressHolding]:
        """Everything held under ``email`` without an account, from every holder."""
        return [h for holder in self._address_holders for h in holder.holdings(email)]

    def address_erase(self, email: str) -> int:
        """Erase everything held under ``email`` without an account; rows erased."""
        return sum(holder.erase(email) for holder in self._address_holders)

    def restriction_declarations(self) -> list[PersonalData]:
        return [d for d in self.declarations() if d.restriction_field]


personal_data = Registry()


def autodiscover() -> None:
    autodiscover_modules("personal_data")


def user_model_label() -> str:
    return settings.AUTH_USER_MODEL.lower()
