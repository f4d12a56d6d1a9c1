"""Query helpers the purge and erasure share."""

from __future__ import annotations

from django.db import connection
from django.db.models import F, Lookup, Q


class _AnyOf(Lookup):
    """``pk = ANY(%s)``: one array parameter instead of thousands (PostgreSQL)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]


def pk_in(pks: list):
    """A filter for rows whose primary key is in ``pks``, however many: one
    array parameter on PostgreSQL (a statement takes at most 65,535), an
    ``IN`` list elsewhere."""
    if pks and connection.vendor == "postgresql":
        return _AnyOf(F("pk"), list(pks))
    return Q(pk__in=pks)
