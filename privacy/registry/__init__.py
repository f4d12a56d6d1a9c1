"""The personal-data registry: the one list of where personal data lives.

Each app declares, in its own ``personal_data.py`` (autodiscovered like
``admin.py``), every model that holds personal data: whom a row is about, which
fields are personal and how each is exported and anonymised, when its purpose
ends and what happens then, and which rows a law keeps longer. The access
export, erasure and the retention purge read these declarations and nothing
else, so what the privacy policy promises is what the code does.

Invariants:
- A model with fields that look personal is either declared here or explicitly
  exempted with a reason; ``manage.py check`` fails otherwise (``privacy.E001``).
- Every anonymiser has two forms that give the same result: ``value()`` for one
  row (erasure of one subject) and ``expression()`` for a set-based UPDATE (the
  purge), so no batch job loops over rows in Python.
- A declaration names only fields that exist and a subject path that ends at the
  user model; the system check verifies both at start-up.

This package is the map; import from it (``from privacy.registry import ...``):

- how a field is anonymised: ``Anonymise``, ``Anonymiser``
  (``anonymisers``)
- how a field is exported: ``Export``, ``Exporter`` (``exporters``)
- what a declaration says: ``PersonalData``, ``PersonalField``, ``Retention``,
  ``LegalException``, ``Action``; the rules they give: ``RetentionRule``
  (``declarations``)
- the registry and its hooks: ``personal_data`` (the instance), ``Registry``,
  ``Event``, ``Recipient``, ``AddressHolding``, ``autodiscover`` (``registry``)
"""

from privacy.registry.anonymisers import INVALID_EMAIL_DOMAIN, Anonymise, Anonymiser
from privacy.registry.declarations import (
    ANONYMISED_AT,
    DEFAULT_RETENTION,
    Action,
    LegalException,
    PersonalData,
    PersonalField,
    Retention,
    RetentionRule,
)
from privacy.registry.exporters import Export, Exporter
from privacy.registry.registry import (
    AddressHolding,
    AlreadyRegistered,
    Event,
    Recipient,
    Registry,
    autodiscover,
    personal_data,
    user_model_label,
)

__all__ = [
    "ANONYMISED_AT",
    "DEFAULT_RETENTION",
    "INVALID_EMAIL_DOMAIN",
    "Action",
    "AddressHolding",
    "AlreadyRegistered",
    "Anonymise",
    "Anonymiser",
    "Event",
    "Export",
    "Exporter",
    "LegalException",
    "PersonalData",
    "PersonalField",
    "Recipient",
    "Registry",
    "Retention",
    "RetentionRule",
    "autodiscover",
    "personal_data",
    "user_model_label",
]
