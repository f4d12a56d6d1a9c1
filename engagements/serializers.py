"""The API's shapes of engagements: what a party reads, and what it may send.

Output serializers only render what the selectors already allowed the reader
to see; the one conditional field is the freelancer's contact details on a
thread (``contact``), shown when ``selectors.thread_contact_visible`` says so,
which the view decides and passes in the context. Input serializers parse
types (dates, decimals, lengths); the rules of the trade (rate above 0, a
period in order, hours within a week) are the services', which answer with
field errors.

One module: the detail shapes nest each other (an engagement holds its
contracts, hours and invoices; a thread its messages), so split by noun the
modules would import each other.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from core.text import ControlCharacterSerializerMixin
from engagements.models import (
    ContractAcceptance,
    ContractVersion,
    Engagement,
    HoursReport,
    Invoice,
    InvoiceLine,
    Message,
    Party,
    RateKind,
    Thread,
    ThreadReport,
)


def _url(serializer, name: str, pk: int) -> str:
    return reverse(name, kwargs={"pk": pk}, request=serializer.context.get("request"))


def _party_of(serializer, freelancer_user_id: int) -> str:
    """The reader's party in a row a selector already found them party to."""
    request = serializer.context.get("request")
    user_id = getattr(getattr(request, "user", None), "pk", None)
    return Party.FREELANCER if freelancer_user_id == user_id else Party.COMPANY


# --- Parties ----------


class CompanyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class FreelancerRefSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class ContactSerializer(serializers.Serializer):
    email = serializers.EmailField(read_only=True)
    phone = serializers.CharField(
        read_only=True, help_text="International format, or empty."
    )


# --- Threads ----------


class ThreadSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    company = CompanyRefSerializer(read_only=True)
    freelancer = FreelancerRefSerializer(read_only=True)
    party = serializers.SerializerMethodField(
        help_text="The reader's side of the conversation: company or freelancer."
    )

    class Meta:
        model = Thread
        fields = [
            "id",
            "url",
            "subject",
            "status",
            "party",
            "company",
            "freelancer",
            "period_start",
            "period_end",
            "rate",
            "created_at",
            "last_activity_at",
            "decided_at",
        ]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return _url(self, "api:thread-detail", obj.pk)

    @extend_schema_field(serializers.ChoiceField(choices=Party.choices))
    def get_party(self, obj) -> str:
        return _party_of(self, obj.freelancer.user_id)


class MessageSerializer(serializers.ModelSerializer):
    mine = serializers.SerializerMethodField(help_text="Sent by the reader.")

    class Meta:
        model = Message
        fields = ["id", "kind", "party", "mine", "body", "created_at"]
        read_only_fields = fields

    def get_mine(self, obj) -> bool:
        request = self.context.get("request")
        return obj.sender_id == getattr(getattr(request, "user", None), "pk", None)


class ThreadDetailSerializer(ThreadSerializer):
    messages = MessageSerializer(many=True, read_only=True)
    contact = serializers.SerializerMethodField(
        help_text="The freelancer's e-mail and phone: null for the company "
        "until the freelancer accepts the inquiry."
    )
    engagements = serializers.SerializerMethodField()

    class Meta(ThreadSerializer.Meta):
        fields = [*ThreadSerializer.Meta.fields, "contact", "engagements", "messages"]
        read_only_fields = fields

    @extend_schema_field(ContactSerializer(allow_null=True))
    def get_contact(self, obj) -> dict | None:
        if not self.context.get("contact_visible"):
            return None
        profile = obj.freelancer
        return {
            "email": profile.user.email,
            "phone": str(profile.phone) if profile.phone else "",
        }

    def get_engagements(self, obj) -> list[int]:
        return [engagement.pk for engagement in obj.engagements.all()]


class InquiryCreateSerializer(ControlCharacterSerializerMixin, serializers.Serializer):
    company = serializers.CharField(
        max_length=80,
        help_text="Your verified company: its id or its slug.",
    )
    freelancer = serializers.SlugField(
        max_length=120, help_text="The published freelancer's slug."
    )
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(
        max_length=5000, style={"base_template": "textarea.html"}
    )
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)
    rate = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Hourly rate in DKK, more than 0.",
    )


class BodySerializer(ControlCharacterSerializerMixin, serializers.Serializer):
    body = serializers.CharField(
        max_length=5000, style={"base_template": "textarea.html"}
    )


class OptionalBodySerializer(ControlCharacterSerializerMixin, serializers.Serializer):
    body = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        style={"base_template": "textarea.html"},
        help_text="An optional message to the company.",
    )


class ReasonSerializer(ControlCharacterSerializerMixin, serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, style={"base_template": "textarea.html"}
    )


class ThreadReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ThreadReport
        fields = ["id", "reason", "created_at", "resolved_at"]
        read_only_fields = fields


# --- Contracts ----------


class AcceptanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractAcceptance
        fields = ["party", "name", "text_sha256", "accepted_at"]
        read_only_fields = fields


class ContractSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    acceptances = AcceptanceSerializer(many=True, read_only=True)
    pdf_url = serializers.SerializerMethodField(
        help_text="The signed PDF, once both parties have accepted."
    )

    class Meta:
        model = ContractVersion
        fields = [
            "id",
            "url",
            "engagement",
            "number",
            "status",
            "scope",
            "start_date",
            "end_date",
            "rate_kind",
            "rate",
            "payment_terms_days",
            "text",
            "text_sha256",
            "proposed_at",
            "accepted_at",
            "acceptances",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return _url(self, "api:contract-detail", obj.pk)

    def get_pdf_url(self, obj) -> str | None:
        if not obj.pdf:
            return None
        return _url(self, "engagements:contract_pdf", obj.pk)


class ContractProposeSerializer(
    ControlCharacterSerializerMixin, serializers.Serializer
):
    title = serializers.CharField(max_length=200)
    scope = serializers.CharField(
        max_length=5000, style={"base_template": "textarea.html"}
    )
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    rate_kind = serializers.ChoiceField(choices=RateKind.choices)
    rate = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="DKK excluding VAT, more than 0: per hour, or the fixed price.",
    )
    payment_terms_days = serializers.IntegerField(default=14, min_value=1, max_value=90)
    billing_email = serializers.EmailField(
        max_length=254, help_text="Invoices are e-mailed here."
    )


class ContractAcceptSerializer(serializers.Serializer):
    text_sha256 = serializers.RegexField(
        r"^[0-9a-f]{64}$",
        help_text="The SHA-256 of the contract text you read (``text_sha256`` of "
        "the contract): a text changed since is refused.",
    )


# --- Hours ----------


class HoursSerializer(serializers.ModelSerializer):
    class Meta:
        model = HoursReport
        fields = [
            "id",
            "engagement",
            "week",
            "hours",
            "note",
            "status",
            "submitted_at",
            "decided_at",
            "dispute_reason",
            "invoice",
        ]
        read_only_fields = fields


class HoursReportSerializer(ControlCharacterSerializerMixin, serializers.Serializer):
    week = serializers.DateField(help_text="Any day of the week; stored as its Monday.")
    hours = serializers.DecimalField(
        max_digits=5, decimal_places=2, help_text="More than 0, at most 168."
    )
    note = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        style={"base_template": "textarea.html"},
    )


# --- Invoices ----------


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = [
            "position",
            "description",
            "service_date",
            "quantity",
            "unit",
            "unit_price",
            "amount",
        ]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "url",
            "number",
            "kind",
            "credits",
            "engagement",
            "period_start",
            "period_end",
            "issue_date",
            "due_date",
            "total",
            "currency",
            "paid_at",
            "credited_at",
            "is_overdue",
        ]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return _url(self, "api:invoice-detail", obj.pk)


class InvoiceDetailSerializer(InvoiceSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    pdf_url = serializers.SerializerMethodField()

    class Meta(InvoiceSerializer.Meta):
        fields = [
            *InvoiceSerializer.Meta.fields,
            "contract_version",
            "description",
            "seller_name",
            "seller_cvr",
            "seller_address",
            "buyer_name",
            "buyer_cvr",
            "buyer_address",
            "buyer_email",
            "provider_name",
            "provider_cvr",
            "amount_excl_vat",
            "vat_rate",
            "vat_amount",
            "lines",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_pdf_url(self, obj) -> str | None:
        if not obj.pdf:
            return None
        return _url(self, "engagements:invoice_pdf", obj.pk)


# --- Engagements ----------


class EngagementSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    company = CompanyRefSerializer(read_only=True)
    freelancer = FreelancerRefSerializer(read_only=True)
    party = serializers.SerializerMethodField()

    class Meta:
        model = Engagement
        fields = [
            "id",
            "url",
            "title",
            "status",
            "party",
            "company",
            "freelancer",
            "thread",
            "created_at",
            "activated_at",
            "ended_at",
        ]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return _url(self, "api:engagement-detail", obj.pk)

    @extend_schema_field(serializers.ChoiceField(choices=Party.choices))
    def get_party(self, obj) -> str:
        return _party_of(self, obj.freelancer.user_id)


class EngagementDetailSerializer(EngagementSerializer):
    """The engagement with its contract in force, the proposal awaiting the
    freelancer, its hours and its invoices (the view passes them in)."""

    current_contract = serializers.SerializerMethodField()
    pending_contract = serializers.SerializerMethodField()
    hours = serializers.SerializerMethodField()
    invoices = serializers.SerializerMethodField()

    class Meta(EngagementSerializer.Meta):
        fields = [
            *EngagementSerializer.Meta.fields,
            "billing_email",
            "restricted_at",
            "current_contract",
            "pending_contract",
            "hours",
            "invoices",
        ]
        read_only_fields = fields

    def _contract(self, key: str):
        version = self.context.get(key)
        return (
            ContractSerializer(version, context=self.context).data if version else None
        )

    @extend_schema_field(ContractSerializer(allow_null=True))
    def get_current_contract(self, obj) -> dict | None:
        return self._contract("current_contract")

    @extend_schema_field(ContractSerializer(allow_null=True))
    def get_pending_contract(self, obj) -> dict | None:
        return self._contract("pending_contract")

    @extend_schema_field(HoursSerializer(many=True))
    def get_hours(self, obj) -> list:
        return HoursSerializer(self.context.get("hours", []), many=True).data

    @extend_schema_field(InvoiceSerializer(many=True))
    def get_invoices(self, obj) -> list:
        return InvoiceSerializer(
            self.context.get("invoices", []), many=True, context=self.context
        ).data
