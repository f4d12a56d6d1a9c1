"""API tokens: ``/api/v1/auth/token/`` issues one for e-mail and password (and
the TOTP code); ``/api/v1/me/tokens/`` lists and revokes the member's own."""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import authenticate, user_login_failed
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import drf_validation_error
from profiles import selectors, services


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, max_length=200)
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="The authenticator app's current code; required for accounts "
        "with two-factor authentication. `code` is accepted too.",
    )
    code = serializers.CharField(
        required=False, allow_blank=True, max_length=20, write_only=True
    )


class TokenCreatedSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The key: shown once, never stored.")
    id = serializers.IntegerField()
    expiry = serializers.DateTimeField(allow_null=True)


class ApiTokenSerializer(serializers.Serializer):
    """A token as its owner sees it: never the key or its digest."""

    id = serializers.IntegerField()
    created = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    expiry = serializers.DateTimeField(allow_null=True)


def _login_failed(request, email: str) -> None:
    """Counted by django-axes like a failed web log-in (lockout after 5)."""
    user_login_failed.send(
        sender=__name__, credentials={"email": email}, request=request
    )


class TokenView(APIView):
    """Exchange e-mail and password (and the TOTP code of an account with
    two-factor authentication) for an API token (verified accounts only)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses=TokenCreatedSerializer,
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"]
        # django-axes marks the HttpRequest itself (not DRF's wrapper): its
        # middleware then answers a locked-out client with 429.
        user = authenticate(
            request._request,
            email=email,
            password=serializer.validated_data["password"],
        )
        if user is None or not user.emailaddress_set.filter(verified=True).exists():
            raise ValidationError(
                {
                    "non_field_errors": [
                        _(
                            "E-mail or password is wrong, or the "
                            "address is not verified yet."
                        )
                    ]
                }
            )
        totp = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).first()
        if totp is not None:
            code = (
                serializer.validated_data.get("otp")
                or serializer.validated_data.get("code")
                or ""
            ).strip()
            if not code:
                raise ValidationError(
                    {"otp": [_("Enter the code from your authenticator app.")]}
                )
            if not TOTP(totp).validate_code(code):
                _login_failed(request._request, email)
                raise ValidationError({"otp": [_("Incorrect code.")]})
            totp.record_usage()
        try:
            token, key = services.api_token_create(user=user)
        except DjangoValidationError as exc:
            raise drf_validation_error(exc) from exc
        return Response({"token": key, "id": token.pk, "expiry": token.expiry})


class MyTokenListView(APIView):
    """The logged-in member's API tokens that have not expired (never a key)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=ApiTokenSerializer(many=True))
    def get(self, request):
        tokens = selectors.api_token_list_for_user(user=request.user)
        return Response(ApiTokenSerializer(tokens, many=True).data)


class MyTokenDetailView(APIView):
    """Revoke one of the member's tokens; someone else's id answers 404."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        token = selectors.api_token_get_for_user(user=request.user, pk=pk)
        services.api_token_revoke(token=token, actor=request.user, reason="member")
        return Response(status=status.HTTP_204_NO_CONTENT)
