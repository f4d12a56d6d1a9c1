"""``invoices/``: the invoices and credit notes of a party's engagements."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions
from rest_framework.response import Response

from engagements import selectors
from engagements.api.base import NOT_FOUND, PartyView
from engagements.serializers import InvoiceDetailSerializer, InvoiceSerializer


class InvoiceListView(generics.ListAPIView):
    """Invoices and credit notes of your engagements, newest first."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = InvoiceSerializer

    def get_queryset(self):
        return selectors.invoice_list_for_user(user=self.request.user)

    @extend_schema(summary="Your invoices")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class InvoiceDetailView(PartyView):
    @extend_schema(
        summary="One invoice or credit note, with its lines",
        responses={200: InvoiceDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        invoice, _party = selectors.invoice_get_for_user(user=request.user, pk=pk)
        return Response(
            InvoiceDetailSerializer(invoice, context={"request": request}).data
        )
