"""What every engagements API view shares: the error shapes it documents,
input parsing, and a service's refusal as a 400 with field errors."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.views import APIView

from core.api import drf_validation_error

_ERROR = inline_serializer(
    "EngagementError",
    {"detail": serializers.CharField(), "errors": serializers.DictField()},
)
ERROR = OpenApiResponse(_ERROR, description="The reason, with field errors.")
NOT_FOUND = OpenApiResponse(
    _ERROR, description="Not found, or not a party to it (the same answer)."
)
THROTTLED = OpenApiResponse(
    _ERROR, description="Your company has sent too many inquiries today."
)


def input_valid(serializer_class, request) -> dict:
    """The request's data parsed by ``serializer_class`` (else a 400)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def service_call(service, /, *, fields: dict[str, str] | None = None, **kwargs):
    """Call a service; its ValidationError is a 400 with field errors.

    ``fields`` files a refusal raised without a field under the field it is
    about, by the error's code (a changed contract text: ``text_sha256``).
    """
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        field = (fields or {}).get(getattr(exc, "code", None))
        raise drf_validation_error(exc, field=field) from exc


class PartyView(APIView):
    """Logged-in members (session or API token) only."""

    permission_classes = [permissions.IsAuthenticated]
