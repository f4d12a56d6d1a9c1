"""Serializer fields the profile and company serializers share."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


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
