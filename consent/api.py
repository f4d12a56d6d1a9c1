"""``/api/v1/consents/``: the current user's or visitor's consents."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from consent import selectors, services, web
from consent.models import ConsentRecord, Purpose, Source


class ConsentRecordSerializer(serializers.ModelSerializer):
    version = serializers.CharField(source="version_id", read_only=True)
    policy_version = serializers.CharField(source="version.policy_version")
    cookie_list_version = serializers.CharField(source="version.cookie_list_version")
    text = serializers.CharField(source="version.text")
    valid = serializers.SerializerMethodField(
        help_text="False when the consent no longer counts and will be asked again "
        "(cookie list or policy changed, or older than CONSENT_MAX_AGE_DAYS)."
    )

    class Meta:
        model = ConsentRecord
        fields = [
            "purpose",
            "granted",
            "valid",
            "source",
            "decided_at",
            "created_at",
            "version",
            "policy_version",
            "cookie_list_version",
            "text",
        ]
        read_only_fields = fields

    def get_valid(self, record: ConsentRecord) -> bool:
        return selectors.consent_record_effective(record) is not None


class ConsentInputSerializer(serializers.Serializer):
    purpose = serializers.CharField(max_length=64)
    granted = serializers.BooleanField()
    shown_text = serializers.CharField(
        max_length=10_000,
        required=False,
        allow_blank=True,
        help_text="The exact text your client showed; the platform's own text "
        "for the purpose is recorded when omitted.",
    )

    def validate_purpose(self, value: str) -> str:
        varname = Purpose.cookie_group_of(value)
        if varname is not None:
            if varname not in selectors.cookie_lists():
                raise serializers.ValidationError(_("Unknown cookie group."))
            return value
        if value not in Purpose.values:
            raise serializers.ValidationError(_("Unknown purpose."))
        if not self.context["request"].user.is_authenticated:
            raise serializers.ValidationError(
                _("Log in to give or withdraw this consent.")
            )
        return value


_CONSENT_LIST = inline_serializer(
    "ConsentList",
    {
        "subject": serializers.ChoiceField(
            choices=["user", "visitor"], allow_null=True
        ),
        "consents": ConsentRecordSerializer(many=True),
    },
)
_ERROR = inline_serializer(
    "ConsentError",
    {"detail": serializers.CharField(), "errors": serializers.DictField()},
)


class ConsentsView(APIView):
    """Consents of whoever calls: the logged-in user, else this browser.

    A browser is identified by its visitor cookie; a first POST granting a
    cookie group without one sets it (a refusal sets none). Unsafe methods
    need a CSRF token when a cookie identifies the caller, also when logged
    out.
    """

    permission_classes = [permissions.AllowAny]
    consent_body_limited = True

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in permissions.SAFE_METHODS and request.auth is None:
            # Session users got this check from SessionAuthentication; a logged
            # out browser is identified by a cookie, so it needs it just as much.
            SessionAuthentication().enforce_csrf(request)

    def _subject(self, request):
        user = request.user if request.user.is_authenticated else None
        visitor_id = None if user else web.visitor_id_from_request(request)
        return user, visitor_id

    @extend_schema(
        summary="Current consents",
        description="The latest choice for each purpose of the logged-in user "
        "or, logged out, of this browser (its visitor cookie).",
        responses={200: _CONSENT_LIST},
    )
    def get(self, request):
        user, visitor_id = self._subject(request)
        records = selectors.consent_current(user=user, visitor_id=visitor_id)
        subject = "user" if user else "visitor" if visitor_id else None
        ordered = sorted(records.values(), key=lambda record: record.purpose)
        return Response(
            {
                "subject": subject,
                "consents": ConsentRecordSerializer(ordered, many=True).data,
            }
        )

    @extend_schema(
        summary="Give or withdraw a consent",
        description="Appends a consent record (source `api`). Cookie purposes "
        "(`cookies_<group>`) work logged out too; the others need a login.",
        request=ConsentInputSerializer,
        responses={
            201: ConsentRecordSerializer,
            400: OpenApiResponse(_ERROR, description="Invalid input."),
            403: OpenApiResponse(_ERROR, description="CSRF token missing."),
            413: OpenApiResponse(_ERROR, description="Body over 16 KB."),
        },
    )
    def post(self, request):
        serializer = ConsentInputSerializer(
            data=request.data, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user if request.user.is_authenticated else None
        varname = Purpose.cookie_group_of(data["purpose"])
        visitor_id, new_visitor = web.visitor_for_choice(
            request._request,
            user=user,
            granted_any=varname is not None and data["granted"],
        )
        django_request = request._request
        if varname is not None:
            # Like the banner: for the user and for this browser.
            record = services.consent_cookie_choices_record(
                choices={varname: data["granted"]},
                source=Source.API,
                user=user,
                visitor_id=visitor_id,
                shown_text=data.get("shown_text", ""),
                actor=user,
            )[0]
        else:
            record = services.consent_record(
                purpose=data["purpose"],
                granted=data["granted"],
                source=Source.API,
                user=user,
                shown_text=data.get("shown_text", ""),
                actor=user,
            )
        response = Response(
            ConsentRecordSerializer(record).data, status=status.HTTP_201_CREATED
        )
        if new_visitor:
            web.visitor_cookie_set(response, visitor_id)
        if varname is not None:
            choices = {**web.request_choices(django_request), varname: data["granted"]}
            web.request_choices_apply(django_request, choices)
            web.library_cookie_set(response, choices)
            web.unconsented_cookies_expire(django_request, response, choices)
        return response
