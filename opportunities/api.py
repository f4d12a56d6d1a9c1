"""``/api/v1/opportunities/``: the public listing and detail; posting and
closing for members of a verified, open company (session or API token).

Bad input is a 400 with field errors and stores nothing; closing someone
else's opportunity is a 404, as on the site."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from engagements.api.base import ERROR, NOT_FOUND, PartyView, input_valid, service_call
from opportunities import selectors, services
from opportunities.serializers import (
    OpportunityCreateSerializer,
    OpportunitySerializer,
)
from opportunities.views import remote_param


def _company(user, value: str):
    for company in selectors.opportunity_companies_for_user(user=user):
        if value in (str(company.pk), company.slug):
            return company
    raise ValidationError(
        {"company": [_("Choose a verified company you are a member of.")]}
    )


def _skills(values: list[str]):
    found, unknown = [], []
    for value in values:
        skill = selectors.skill_find(value)
        (found if skill else unknown).append(skill or value)
    if unknown:
        raise ValidationError(
            {"skills": [_("Unknown competence: %(name)s") % {"name": unknown[0]}]}
        )
    return found


class OpportunityListView(generics.ListAPIView):
    """Open opportunities before their deadline, newest first; POST posts one
    for your verified company."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    serializer_class = OpportunitySerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.opportunity_list_public(
            skill=(params.get("skill") or "")[:100],
            remote=remote_param(params.get("remote")),
        )

    @extend_schema(
        summary="Open opportunities",
        parameters=[
            OpenApiParameter(
                "skill", OpenApiTypes.STR, description="A competence: name or id."
            ),
            OpenApiParameter(
                "remote",
                OpenApiTypes.BOOL,
                description="true: remote or hybrid; false: on-site.",
            ),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Post an opportunity",
        request=OpportunityCreateSerializer,
        responses={201: OpportunitySerializer, 400: ERROR},
    )
    def post(self, request):
        data = input_valid(OpportunityCreateSerializer, request)
        company = _company(request.user, data.pop("company"))
        skills = _skills(data.pop("skills"))
        opportunity = service_call(
            services.opportunity_post,
            company=company,
            actor=request.user,
            skills=skills,
            **data,
        )
        return Response(
            OpportunitySerializer(opportunity, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class OpportunityDetailView(generics.GenericAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = OpportunitySerializer

    @extend_schema(
        summary="One opportunity (closed ones too: see status and listed)",
        responses={200: OpportunitySerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        opportunity = selectors.opportunity_get_public(pk=pk)
        return Response(
            OpportunitySerializer(opportunity, context={"request": request}).data
        )


class OpportunityCloseView(PartyView):
    @extend_schema(
        summary="Close your company's opportunity",
        request=None,
        responses={200: OpportunitySerializer, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        opportunity = selectors.opportunity_get_for_member(user=request.user, pk=pk)
        opportunity = service_call(
            services.opportunity_close, opportunity=opportunity, actor=request.user
        )
        return Response(
            OpportunitySerializer(opportunity, context={"request": request}).data
        )
