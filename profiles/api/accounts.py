"""``/api/v1/me/``: the member's account; and ``/api/v1/``, the API's index."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


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
