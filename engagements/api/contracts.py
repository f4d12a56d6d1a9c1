"""``threads/{id}/contract/``, ``engagements/{id}/contract/``,
``contracts/``: proposals and the contract versions both parties accept."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
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
    ContractAcceptSerializer,
    ContractProposeSerializer,
    ContractSerializer,
)

PROPOSE_SCHEMA = {
    "request": ContractProposeSerializer,
    "responses": {201: ContractSerializer, 400: ERROR, 404: NOT_FOUND},
}


def _contract_response(request, version, code=status.HTTP_200_OK) -> Response:
    return Response(
        ContractSerializer(version, context={"request": request}).data, status=code
    )


class ThreadContractView(PartyView):
    @extend_schema(
        summary="Propose a contract from an accepted inquiry (company)",
        **PROPOSE_SCHEMA,
    )
    def post(self, request, pk: int):
        thread, _party = selectors.thread_get_for_user(user=request.user, pk=pk)
        data = input_valid(ContractProposeSerializer, request)
        version = service_call(
            services.contract_propose, actor=request.user, thread=thread, **data
        )
        return _contract_response(request, version, status.HTTP_201_CREATED)


class EngagementContractView(PartyView):
    @extend_schema(
        summary="Propose a new version of the contract (company); both accept it",
        **PROPOSE_SCHEMA,
    )
    def post(self, request, pk: int):
        engagement, _party = selectors.engagement_get_for_user(user=request.user, pk=pk)
        data = input_valid(ContractProposeSerializer, request)
        version = service_call(
            services.contract_propose,
            actor=request.user,
            engagement=engagement,
            **data,
        )
        return _contract_response(request, version, status.HTTP_201_CREATED)


class ContractDetailView(PartyView):
    @extend_schema(
        summary="One version of a contract",
        responses={200: ContractSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        version, _party = selectors.contract_get_for_user(user=request.user, pk=pk)
        return _contract_response(request, version)


class ContractAcceptView(PartyView):
    @extend_schema(
        summary="Accept a proposed contract (freelancer), naming the text read",
        request=ContractAcceptSerializer,
        responses={200: ContractSerializer, 400: ERROR, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        version, _party = selectors.contract_get_for_user(user=request.user, pk=pk)
        data = input_valid(ContractAcceptSerializer, request)
        version = service_call(
            services.contract_accept,
            fields={"text_changed": "text_sha256"},
            version=version,
            actor=request.user,
            **data,
        )
        return _contract_response(request, version)


class ContractDeclineView(PartyView):
    @extend_schema(
        summary="Decline a proposed contract (freelancer)",
        request=None,
        responses={200: ContractSerializer, 400: ERROR, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        version, _party = selectors.contract_get_for_user(user=request.user, pk=pk)
        version = service_call(
            services.contract_decline, version=version, actor=request.user
        )
        return _contract_response(request, version)
