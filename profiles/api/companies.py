"""``/api/v1/companies/``: the company directory and company pages (read-only)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers

from profiles import selectors, services
from profiles.api.fields import OptionalEmail, OptionalUrl
from profiles.models import Company


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
