"""``/api/v1/freelancers/``: the public directory; ``/api/v1/me/profile/``:
the member's own profile, its photo and its CV."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import drf_validation_error
from core.text import ControlCharacterSerializerMixin
from profiles import selectors, services
from profiles.api.fields import OptionalUrl
from profiles.forms import PHOTO_CONSENT_TEXT, DirectoryFilterForm
from profiles.identifiers import normalise_cpr, validate_cvr
from profiles.models import FreelancerProfile
from profiles.models.freelancers import LANGUAGE_CHOICES, PORTFOLIO_LINKS_MAX
from profiles.regions import Region

# --- Serializers ------------------------------------------------------------


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
    # Declared: DRF builds a non-editable model field without allow_blank, so
    # the schema's enum would lack "" (no Danish postal code: no region).
    region = serializers.ChoiceField(
        choices=Region.choices, allow_blank=True, read_only=True
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
            "region",
            "country",
            "website",
            "bio",
            "skills",
            "availability",
            "available_from",
            "rate_min",
            "rate_max",
            "languages",
            "years_experience",
            "work_mode",
            "portfolio_links",
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
            "region",
            "country",
            "skills",
            "thumbnail_url",
        ]
        read_only_fields = fields


class PortfolioLink(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    url = serializers.URLField(max_length=200, help_text="An https:// address.")

    def validate_url(self, value: str) -> str:
        if not value.lower().startswith("https://"):
            raise serializers.ValidationError(_("Enter a valid https:// address."))
        return value


class PortfolioLinks(serializers.ListField):
    child = PortfolioLink()


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
    status = serializers.SerializerMethodField(
        help_text="restricted (hidden from everyone), published or draft"
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=LANGUAGE_CHOICES),
        required=False,
        max_length=20,
    )
    portfolio_links = PortfolioLinks(required=False, max_length=PORTFOLIO_LINKS_MAX)
    region = serializers.ChoiceField(
        choices=Region.choices, allow_blank=True, read_only=True
    )

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
            "region",
            "country",
            "bio",
            "skills",
            "availability",
            "available_from",
            "rate_min",
            "rate_max",
            "languages",
            "years_experience",
            "work_mode",
            "portfolio_links",
            "is_published",
            "status",
            "has_photo",
            "has_cv",
        ]
        read_only_fields = ["slug"]

    def get_has_photo(self, obj) -> bool:
        return bool(obj.photo)

    def get_status(self, obj) -> str:
        if obj.restricted_at is not None:
            return "restricted"
        return "published" if obj.published_at else "draft"

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
        if value not in countries:
            raise serializers.ValidationError(_("Use a two-letter ISO country code."))
        return value

    def validate_skills(self, value: list[str]) -> list[str]:
        try:
            return services.skills_parse(",".join(value))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


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


# --- The directory --------------------------------------------------------------


@extend_schema(
    parameters=[
        OpenApiParameter(
            "q",
            str,
            description=(
                "Full-text search (Danish and English stemming) over what the"
                " freelancer published: headline and competences, about text,"
                " city, company name and name; misspelt competences are"
                ' tolerated. Web-search syntax: "quoted phrase", or, -word.'
                " With q, results are ordered by relevance, then most recently"
                " updated; without it, newest published first. At most 100"
                " characters and 8 words are used."
            ),
        ),
        OpenApiParameter("skill", str, description="Competence slug"),
        OpenApiParameter("city", str, description="City (exact, any case)"),
        OpenApiParameter(
            "region",
            str,
            enum=[value for value, _label in Region.choices],
            description=(
                "Danish region, from the profile's postal code (approximate"
                " at region borders). An unknown region is a 400 with the"
                " error under errors.region."
            ),
        ),
        OpenApiParameter("available", str, enum=["now", "by"]),
        OpenApiParameter("available_by", str, description="YYYY-MM-DD"),
        OpenApiParameter("rate_min", int, description="DKK per hour"),
        OpenApiParameter("rate_max", int, description="DKK per hour"),
        OpenApiParameter("language", str, description="ISO 639-1 code"),
        OpenApiParameter("work_mode", str, enum=["remote", "onsite", "hybrid"]),
        OpenApiParameter("sort", str, enum=["relevance", "newest", "availability"]),
    ],
    description="Filters that do not fit (an unknown language, a reversed "
    "rate range) are ignored, as on the directory page; an unknown region "
    "(a filter added later, so no client relies on it being ignored) is "
    "refused with 400.",
)
class FreelancerListView(generics.ListAPIView):
    serializer_class = FreelancerListSerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        form = DirectoryFilterForm(self.request.query_params)
        search = form.search()
        if "region" in form.errors:
            raise serializers.ValidationError({"region": form.errors["region"]})
        return selectors.freelancer_list_public(**search)


class FreelancerDetailView(generics.RetrieveAPIView):
    serializer_class = FreelancerPublicSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"

    def get_object(self):
        return selectors.freelancer_get_public(slug=self.kwargs["slug"])


# --- The member's own profile -----------------------------------------------------


class MyProfileView(APIView):
    """The logged-in member's own freelancer profile (created on first PATCH)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MyProfileSerializer)
    def get(self, request):
        profile = selectors.freelancer_profile_for_owner(user=request.user)
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
        profile = services.freelancer_profile_ensure(user=request.user)
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
            raise drf_validation_error(exc) from exc
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
        profile = services.freelancer_profile_ensure(user=request.user)
        try:
            self.store(
                profile=profile,
                actor=request.user,
                upload=serializer.validated_data[self.field],
            )
        except DjangoValidationError as exc:
            raise drf_validation_error(exc, field=self.field) from exc
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
