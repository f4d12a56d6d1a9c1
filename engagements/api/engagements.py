"""``engagements/``: the engagements of a party, and the hours reported
on them."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response

from engagements import selectors, services
from engagements.api.base import (
    ERROR,
    NOT_FOUND,
    PartyView,
    input_valid,
    service_call,
)
from engagements.serializers import (
    EngagementDetailSerializer,
    EngagementSerializer,
    HoursReportSerializer,
    HoursSerializer,
    ReasonSerializer,
)


class EngagementListView(generics.ListAPIView):
    """Engagements you are a party to, newest first."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = EngagementSerializer

    def get_queryset(self):
        return selectors.engagement_list_for_user(user=self.request.user)

    @extend_schema(summary="Your engagements")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class EngagementDetailView(PartyView):
    @extend_schema(
        summary="One engagement: its contract, the pending proposal, hours, invoices",
        responses={200: EngagementDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        user = request.user
        engagement, _party = selectors.engagement_get_for_user(user=user, pk=pk)
        context = {
            "request": request,
            "current_contract": selectors.contract_current(engagement=engagement),
            "pending_contract": selectors.contract_pending(engagement=engagement),
            "hours": selectors.hours_list_for_engagement(engagement=engagement),
            "invoices": selectors.invoice_list_for_user(user=user).filter(
                engagement=engagement
            ),
        }
        return Response(EngagementDetailSerializer(engagement, context=context).data)


class EngagementHoursView(PartyView):
    @extend_schema(
        summary="Report (or correct, until approved) a week's hours (freelancer)",
        request=HoursReportSerializer,
        responses={
            201: HoursSerializer,
            200: OpenApiResponse(
                HoursSerializer, description="The week's earlier report, corrected."
            ),
            400: ERROR,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        engagement, _party = selectors.engagement_get_for_user(user=request.user, pk=pk)
        data = input_valid(HoursReportSerializer, request)
        earlier = (
            selectors.hours_list_for_engagement(engagement=engagement)
            .filter(week=services.week_start(data["week"]))
            .values_list("pk", flat=True)
            .first()
        )
        report = service_call(
            services.hours_report, engagement=engagement, actor=request.user, **data
        )
        code = status.HTTP_200_OK if report.pk == earlier else status.HTTP_201_CREATED
        return Response(HoursSerializer(report).data, status=code)


class HoursApproveView(PartyView):
    @extend_schema(
        summary="Approve a week's hours (company)",
        request=None,
        responses={200: HoursSerializer, 400: ERROR, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        report, _party = selectors.hours_get_for_user(user=request.user, pk=pk)
        report = service_call(services.hours_approve, report=report, actor=request.user)
        return Response(HoursSerializer(report).data)


class HoursDisputeView(PartyView):
    @extend_schema(
        summary="Dispute a week's hours, saying why (company)",
        request=ReasonSerializer,
        responses={200: HoursSerializer, 400: ERROR, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        report, _party = selectors.hours_get_for_user(user=request.user, pk=pk)
        data = input_valid(ReasonSerializer, request)
        report = service_call(
            services.hours_dispute, report=report, actor=request.user, **data
        )
        return Response(HoursSerializer(report).data)
