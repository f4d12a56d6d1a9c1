"""``threads/``: inquiries and their conversations."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.response import Response

from core.api import drf_validation_error
from engagements import selectors, services
from engagements.api.base import (
    ERROR,
    NOT_FOUND,
    THROTTLED,
    PartyView,
    input_valid,
    service_call,
)
from engagements.models import Party
from engagements.serializers import (
    BodySerializer,
    InquiryCreateSerializer,
    MessageSerializer,
    OptionalBodySerializer,
    ReasonSerializer,
    ThreadDetailSerializer,
    ThreadReportSerializer,
    ThreadSerializer,
)
from profiles.selectors import freelancer_get_public, membership_list_for_user

#: where an inquiry's refusals without a field belong.
INQUIRY_ERROR_FIELDS = {
    "not_member": "company",
    "company_unverified": "company",
    "self": "freelancer",
    "not_public": "freelancer",
    "blocked": "freelancer",
}


def _thread_data(request, thread, party: str) -> dict:
    context = {
        "request": request,
        "contact_visible": selectors.thread_contact_visible(thread=thread, party=party),
    }
    return ThreadDetailSerializer(thread, context=context).data


def _inquiry_company(user, value: str):
    """The company named by id or slug, among the reader's own (else 400)."""
    for membership in membership_list_for_user(user=user):
        company = membership.company
        if value in (str(company.pk), company.slug):
            return company
    raise ValidationError({"company": [_("Choose a company you are a member of.")]})


def _inquiry_freelancer(slug: str):
    try:
        return freelancer_get_public(slug=slug)
    except Http404:
        raise ValidationError(
            {"freelancer": [_("There is no published freelancer with this address.")]}
        ) from None


class ThreadListView(generics.ListAPIView):
    """Your inquiries and conversations, newest activity first; POST sends an
    inquiry from your verified company to a published freelancer."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ThreadSerializer

    def get_queryset(self):
        return selectors.thread_list_for_user(user=self.request.user)

    @extend_schema(summary="Your inquiries")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Send an inquiry",
        request=InquiryCreateSerializer,
        responses={
            201: ThreadDetailSerializer,
            400: ERROR,
            429: THROTTLED,
        },
    )
    def post(self, request):
        data = input_valid(InquiryCreateSerializer, request)
        company = _inquiry_company(request.user, data.pop("company"))
        freelancer = _inquiry_freelancer(data.pop("freelancer"))
        try:
            thread = services.inquiry_send(
                company=company, freelancer=freelancer, actor=request.user, **data
            )
        except DjangoValidationError as exc:
            if getattr(exc, "code", None) == "rate_limited":
                raise Throttled(detail=" ".join(exc.messages)) from exc
            raise drf_validation_error(
                exc, field=INQUIRY_ERROR_FIELDS.get(getattr(exc, "code", None))
            ) from exc
        return Response(
            _thread_data(request, thread, Party.COMPANY),
            status=status.HTTP_201_CREATED,
        )


class ThreadDetailView(PartyView):
    @extend_schema(
        summary="One conversation, with its messages",
        responses={200: ThreadDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        thread, party = selectors.thread_get_for_user(user=request.user, pk=pk)
        return Response(_thread_data(request, thread, party))


class ThreadMessageView(PartyView):
    @extend_schema(
        summary="Write in a conversation",
        request=BodySerializer,
        responses={201: MessageSerializer, 400: ERROR, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        thread, _party = selectors.thread_get_for_user(user=request.user, pk=pk)
        data = input_valid(BodySerializer, request)
        message = service_call(
            services.message_send, thread=thread, actor=request.user, **data
        )
        return Response(
            MessageSerializer(message, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ThreadAnswerView(PartyView):
    """The freelancer accepts or declines an inquiry (the company: 400)."""

    service = None

    def post(self, request, pk: int):
        thread, party = selectors.thread_get_for_user(user=request.user, pk=pk)
        data = input_valid(OptionalBodySerializer, request)
        thread = service_call(
            type(self).service, thread=thread, actor=request.user, **data
        )
        return Response(_thread_data(request, thread, party))


ANSWER_SCHEMA = {
    "request": OptionalBodySerializer,
    "responses": {200: ThreadDetailSerializer, 400: ERROR, 404: NOT_FOUND},
}


class ThreadAcceptView(ThreadAnswerView):
    service = services.inquiry_accept

    @extend_schema(
        summary="Accept an inquiry (freelancer): shares your e-mail and phone "
        "with the company",
        **ANSWER_SCHEMA,
    )
    def post(self, request, pk: int):
        return super().post(request, pk)


class ThreadDeclineView(ThreadAnswerView):
    service = services.inquiry_decline

    @extend_schema(summary="Decline an inquiry (freelancer)", **ANSWER_SCHEMA)
    def post(self, request, pk: int):
        return super().post(request, pk)


class ThreadReportView(PartyView):
    @extend_schema(
        summary="Report abuse in a conversation to staff",
        request=ReasonSerializer,
        responses={201: ThreadReportSerializer, 400: ERROR, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        thread, _party = selectors.thread_get_for_user(user=request.user, pk=pk)
        data = input_valid(ReasonSerializer, request)
        report = service_call(
            services.thread_report, thread=thread, actor=request.user, **data
        )
        return Response(
            ThreadReportSerializer(report).data, status=status.HTTP_201_CREATED
        )
