"""The API's shapes for opportunities: what is read, and what a post takes."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.reverse import reverse

from core.text import ControlCharacterSerializerMixin
from engagements.serializers import CompanyRefSerializer
from opportunities.models import Opportunity, WorkMode


class OpportunitySerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    company = CompanyRefSerializer(read_only=True)
    skills = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    listed = serializers.BooleanField(
        source="is_listed",
        read_only=True,
        help_text="Open and before its deadline (shown in the listing).",
    )

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "url",
            "title",
            "description",
            "company",
            "skills",
            "work_mode",
            "city",
            "period_start",
            "period_end",
            "rate_min",
            "rate_max",
            "deadline",
            "status",
            "listed",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return reverse(
            "api:opportunity-detail",
            kwargs={"pk": obj.pk},
            request=self.context.get("request"),
        )


class OpportunityCreateSerializer(
    ControlCharacterSerializerMixin, serializers.Serializer
):
    company = serializers.CharField(
        max_length=80, help_text="Your verified company: its id or its slug."
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=5000, style={"base_template": "textarea.html"}
    )
    skills = serializers.ListField(
        child=serializers.CharField(max_length=60),
        min_length=1,
        max_length=30,
        help_text="Competences from the skill list: names, slugs or ids.",
    )
    work_mode = serializers.ChoiceField(choices=WorkMode.choices)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)
    rate_min = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Lowest hourly rate in DKK.",
    )
    rate_max = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Highest hourly rate in DKK, not below the lowest.",
    )
    deadline = serializers.DateField(help_text="Not in the past.")
