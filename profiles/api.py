"""REST API for accounts, freelancer and company profiles: parse, call, render."""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import authenticate, user_login_failed
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from core.text import ControlCharacterSerializerMixin
from profiles import selectors, services
from profiles.forms import PHOTO_CONSENT_TEXT
from profiles.identifiers import normalise_cpr, validate_cvr
from profiles.models import Company, FreelancerProfile


def _drf_error(exc: DjangoValidationError, field: str) -> ValidationError:
    """A service's ValidationError as a 400 with field errors."""
    if hasattr(exc, "error_dict"):
        errors = dict(exc.message_dict)
        if "__all__" in errors:
            errors["non_field_errors"] = errors.pop("__all__")
        return ValidationError(errors)
    return ValidationError({field: exc.messages})


# --- Serializers ------------------------------------------------------------


@extend_schema_field(
    {
        "type": "string",
        "anyOf": [{"format": "uri"}, {"maxLength": 0}],
        "description": "A URL, or empty when none is given.",
    }
)
class OptionalUrl(serializers.CharField):
    """A URL column that may be blank: documented as "a URI or empty"."""


@extend_schema_field(
    {
        "type": "string",
        "anyOf": [{"format": "email"}, {"maxLength": 0}],
        "description": "An e-mail address, or empty when none is given.",
    }
)
class OptionalEmail(serializers.CharField):
    """An e-mail column that may be blank: documented as "an address or empty"."""


class SkillNames(serializers.ListField):
    """Skills as a list of names: written as strings, read from the relation."""

    child = serializers.CharField(max_length=60)

    def to_representation(self, data):
        return [skill.name for skill in data.all()]


class FreelancerPublicSerializer(serializers.ModelSerializer):
    """Public fields only: never e-mail, phone, street, CPR or the CV."""

    skills = serializers.SerializerMethodField()
    website = OptionalUrl(read_only=True)
    photo_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    url = serializers.HyperlinkedIdentityField(
        view_name="api:freelancer-detail", lookup_field="slug"
    )

    class Meta:
        model = FreelancerProfile
        fields = [
            "url",
            "slug",
            "full_name",
            "headline",
            "company_name",
            "cvr",
            "city",
            "country",
            "website",
            "bio",
            "skills",
            "photo_url",
            "thumbnail_url",
            "published_at",
        ]
        read_only_fields = fields

    def get_skills(self, obj) -> list[str]:
        return [s.name for s in obj.skills.all()]

    def _url(self, file) -> str | None:
        if not file:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(file.url) if request else file.url

    def get_photo_url(self, obj) -> str | None:
        return self._url(obj.photo)

    def get_thumbnail_url(self, obj) -> str | None:
        return self._url(obj.photo_thumbnail)


class FreelancerListSerializer(FreelancerPublicSerializer):
    class Meta(FreelancerPublicSerializer.Meta):
        fields = [
            "url",
            "slug",
            "full_name",
            "headline",
            "city",
            "country",
            "skills",
            "thumbnail_url",
        ]
        read_only_fields = fields


class MyProfileSerializer(ControlCharacterSerializerMixin, serializers.ModelSerializer):
    """The owner's view: everything but the plaintext CPR (write-only)."""

    phone = PhoneNumberField(required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True, max_length=200)
    country = serializers.CharField(required=False, max_length=2, min_length=2)
    skills = SkillNames(required=False, max_length=30)
    cpr = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=11,
        help_text="Write-only. Empty string or null removes it.",
    )
    cpr_masked = serializers.CharField(read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    is_published = serializers.BooleanField(read_only=True)
    has_photo = serializers.SerializerMethodField()
    has_cv = serializers.SerializerMethodField()

    class Meta:
        model = FreelancerProfile
        fields = [
            "slug",
            "email",
            "full_name",
            "headline",
            "phone",
            "company_name",
            "website",
            "cvr",
            "cpr",
            "cpr_masked",
            "street",
            "postal_code",
            "city",
            "country",
            "bio",
            "skills",
            "is_published",
            "has_photo",
            "has_cv",
        ]
        read_only_fields = ["slug"]

    def get_has_photo(self, obj) -> bool:
        return bool(obj.photo)

    def get_has_cv(self, obj) -> bool:
        return bool(obj.cv)

    def validate_cvr(self, value: str) -> str:
        try:
            return validate_cvr(value) if value else ""
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate_cpr(self, value):
        if not value:
            return None
        try:
            return normalise_cpr(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate_country(self, value: str) -> str:
        value = value.upper()
        if len(value) != 2 or not value.isalpha():
            raise serializers.ValidationError(_("Use a two-letter ISO country code."))
        return value

    def validate_skills(self, value: list[str]) -> list[str]:
        try:
            return services.skills_parse(",".join(value))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class CompanySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:company-detail", lookup_field="slug"
    )
    is_verified = serializers.BooleanField(read_only=True)
    website = OptionalUrl(read_only=True)
    contact_email = OptionalEmail(read_only=True)

    class Meta:
        model = Company
        fields = ["url", "slug", *services.COMPANY_FIELDS, "is_verified"]
        read_only_fields = fields


class PhotoUploadSerializer(serializers.Serializer):
    photo = serializers.FileField()
    consent = serializers.BooleanField(
        help_text=str(PHOTO_CONSENT_TEXT),
    )

    def validate_consent(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                _("Your photo is only published with your consent.")
            )
        return value


class CvUploadSerializer(serializers.Serializer):
    cv = serializers.FileField()


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


# --- Views ------------------------------------------------------------------


class ApiRootView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "ApiRoot",
            {
                "me": serializers.URLField(),
                "freelancers": serializers.URLField(),
                "companies": serializers.URLField(),
                "schema": serializers.URLField(),
            },
        )
    )
    def get(self, request):
        return Response(
            {
                "me": reverse("api:me", request=request),
                "freelancers": reverse("api:freelancer-list", request=request),
                "companies": reverse("api:company-list", request=request),
                "schema": reverse("api-schema", request=request),
            }
        )


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField(read_only=True)
    date_joined = serializers.DateTimeField(read_only=True)


class MeView(APIView):
    """The logged-in member's account."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


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
            raise _drf_error(exc, "non_field_errors") from exc
        return Response({"token": key, "id": token.pk, "expiry": token.expiry})


class MyTokenListView(APIView):
    """The logged-in member's API tokens that have not expired (never a key)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=ApiTokenSerializer(many=True))
    def get(self, request):
        tokens = selectors.api_tokens_for_user(user=request.user)
        return Response(ApiTokenSerializer(tokens, many=True).data)


class MyTokenDetailView(APIView):
    """Revoke one of the member's tokens; someone else's id answers 404."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        token = selectors.api_token_get_for_user(user=request.user, pk=pk)
        services.api_token_revoke(token=token, actor=request.user, reason="member")
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="Name, headline or competence"),
        OpenApiParameter("skill", str, description="Competence slug"),
        OpenApiParameter("city", str, description="City (exact, any case)"),
    ]
)
class FreelancerListView(generics.ListAPIView):
    serializer_class = FreelancerListSerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        params = self.request.query_params
        return selectors.freelancer_list_public(
            q=params.get("q", ""),
            skill=params.get("skill", ""),
            city=params.get("city", ""),
        )


class FreelancerDetailView(generics.RetrieveAPIView):
    serializer_class = FreelancerPublicSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"

    def get_object(self):
        return selectors.freelancer_get_public(slug=self.kwargs["slug"])


class MyProfileView(APIView):
    """The logged-in member's own freelancer profile (created on first PATCH)."""

    permission_classes = [permissions.IsAuthenticated]

    def _profile(self, request, *, create: bool):
        profile = selectors.freelancer_profile_for_owner(user=request.user)
        if profile is None and create:
            profile = services.freelancer_profile_create(
                user=request.user, full_name=request.user.email.split("@")[0]
            )
        return profile

    @extend_schema(responses=MyProfileSerializer)
    def get(self, request):
        profile = self._profile(request, create=False)
        if profile is None:
            return Response(
                {"detail": _("You have no profile yet."), "errors": {}},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(MyProfileSerializer(profile).data)

    @extend_schema(request=MyProfileSerializer, responses=MyProfileSerializer)
    def patch(self, request):
        serializer = MyProfileSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        profile = self._profile(request, create=True)
        skills = data.pop("skills", None)
        has_cpr = "cpr" in data
        cpr = data.pop("cpr", None)
        try:
            # The CPR number first: a refused change leaves the rest unsaved.
            if has_cpr:
                services.freelancer_cpr_set(
                    profile=profile, actor=request.user, cpr=cpr
                )
            profile = services.freelancer_profile_update(
                profile=profile, actor=request.user, data=data, skills=skills
            )
        except services.CprChangeRateLimited as exc:
            raise Throttled(wait=exc.retry_after) from exc
        except DjangoValidationError as exc:
            raise _drf_error(exc, "non_field_errors") from exc
        profile.refresh_from_db()
        return Response(MyProfileSerializer(profile).data)


class _MyUploadView(APIView):
    """POST stores an upload on the member's profile; DELETE removes it."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class: type[serializers.Serializer]
    field: str

    def store(self, *, profile, actor, upload):
        raise NotImplementedError

    def remove(self, *, profile, actor):
        raise NotImplementedError

    def post(self, request):
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = MyProfileView()._profile(request, create=True)
        try:
            self.store(
                profile=profile,
                actor=request.user,
                upload=serializer.validated_data[self.field],
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc, self.field) from exc
        return Response(
            MyProfileSerializer(profile).data, status=status.HTTP_201_CREATED
        )

    def delete(self, request):
        profile = selectors.freelancer_profile_for_owner(user=request.user)
        if profile is not None:
            self.remove(profile=profile, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    post=extend_schema(request=PhotoUploadSerializer, responses=MyProfileSerializer),
    delete=extend_schema(request=None, responses={204: None}),
)
class MyPhotoView(_MyUploadView):
    """The profile photo; stored only with the publication consent given."""

    serializer_class = PhotoUploadSerializer
    field = "photo"

    def store(self, *, profile, actor, upload):
        services.freelancer_photo_set(
            profile=profile,
            actor=actor,
            upload=upload,
            consent_text=str(PHOTO_CONSENT_TEXT),
        )

    def remove(self, *, profile, actor):
        services.freelancer_photo_remove(profile=profile, actor=actor)


@extend_schema_view(
    post=extend_schema(request=CvUploadSerializer, responses=MyProfileSerializer),
    delete=extend_schema(request=None, responses={204: None}),
)
class MyCvView(_MyUploadView):
    """The CV (PDF or DOCX): never public; verified companies may download it."""

    serializer_class = CvUploadSerializer
    field = "cv"

    def store(self, *, profile, actor, upload):
        services.freelancer_cv_set(profile=profile, actor=actor, upload=upload)

    def remove(self, *, profile, actor):
        services.freelancer_cv_remove(profile=profile, actor=actor)


@extend_schema(parameters=[OpenApiParameter("q", str, description="Name or city")])
class CompanyListView(generics.ListAPIView):
    serializer_class = CompanySerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        return selectors.company_list_public(q=self.request.query_params.get("q", ""))


class CompanyDetailView(generics.RetrieveAPIView):
    serializer_class = CompanySerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"

    def get_object(self):
        return selectors.company_get_public(slug=self.kwargs["slug"])
