"""``/api/v1/privacy/requests/``: the member's own data-subject requests."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from core.api import drf_validation_error
from core.text import ControlCharacterSerializerMixin
from privacy.models import DataSubjectRequest
from privacy.requests import selectors
from privacy.requests import services as dsr

_ERROR = inline_serializer(
    "PrivacyRequestError",
    {"detail": serializers.CharField(), "errors": serializers.DictField()},
)


class DsrSerializer(serializers.ModelSerializer):
    due_at = serializers.DateTimeField(
        source="effective_due_at",
        read_only=True,
        help_text="When the reply is due (the extended date when extended).",
    )
    export_status = serializers.SerializerMethodField()
    export_progress = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = DataSubjectRequest
        fields = [
            "id",
            "url",
            "kind",
            "status",
            "details",
            "received_at",
            "due_at",
            "extension_reason",
            "completed_at",
            "rejection_reason",
            "legal_exceptions",
            "recipients_notified",
            "export_status",
            "export_progress",
            "download_url",
        ]
        read_only_fields = fields

    def _archive(self, obj):
        return getattr(obj, "export", None)

    def get_url(self, obj) -> str:
        return reverse(
            "api:privacy-request-detail",
            kwargs={"pk": obj.pk},
            request=self.context.get("request"),
        )

    def get_export_status(self, obj) -> str | None:
        archive = self._archive(obj)
        return archive.status if archive else None

    def get_export_progress(self, obj) -> int | None:
        archive = self._archive(obj)
        return archive.progress if archive else None

    def get_download_url(self, obj) -> str | None:
        archive = self._archive(obj)
        if archive is None or not archive.is_downloadable:
            return None
        return reverse(
            "privacy:export_download",
            kwargs={"pk": obj.pk},
            request=self.context.get("request"),
        )


class DsrCreateSerializer(ControlCharacterSerializerMixin, serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=DataSubjectRequest.Kind.choices,
        help_text="One open request per kind: another of the same kind is "
        "refused (400, errors.kind) until the first is completed or rejected.",
    )
    details = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        style={"base_template": "textarea.html"},
    )


class DsrListView(generics.ListAPIView):
    """The logged-in member's requests; POST files a new one (verified by login)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = DsrSerializer

    def get_queryset(self):
        return selectors.dsr_list_for_user(user=self.request.user)

    @extend_schema(summary="Your privacy requests")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="File a privacy request",
        request=DsrCreateSerializer,
        responses={201: DsrSerializer, 400: OpenApiResponse(_ERROR)},
    )
    def post(self, request):
        serializer = DsrCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            created = dsr.dsr_submit(
                user=request.user,
                base_url=request.build_absolute_uri("/"),
                **serializer.validated_data,
            )
        except DjangoValidationError as exc:
            raise drf_validation_error(exc) from exc
        return Response(
            DsrSerializer(created, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class DsrDetailView(APIView):
    """One of your requests; anyone else's id answers 404."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="One of your privacy requests",
        responses={200: DsrSerializer, 404: OpenApiResponse(_ERROR)},
    )
    def get(self, request, pk: int):
        found = selectors.dsr_get_for_user(pk=pk, user=request.user)
        return Response(DsrSerializer(found, context={"request": request}).data)
