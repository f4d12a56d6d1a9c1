"""core.api.drf_validation_error: a service's Django ValidationError becomes a
400 in the API's one error shape, with the fields the service named."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError

from core.api import drf_validation_error


def test_field_errors_keep_their_fields_and_all_becomes_non_field_errors():
    exc = DjangoValidationError(
        {"kind": "Unknown kind.", "__all__": ["Closed.", "Twice."]}
    )
    converted = drf_validation_error(exc, field="ignored")
    assert isinstance(converted, ValidationError)
    assert converted.detail == {
        "kind": ["Unknown kind."],
        "non_field_errors": ["Closed.", "Twice."],
    }


def test_an_error_without_a_field_goes_under_the_given_field():
    exc = DjangoValidationError("Upload a JPEG.", code="invalid_image")
    assert drf_validation_error(exc, field="photo").detail == {
        "photo": ["Upload a JPEG."]
    }


def test_an_error_without_a_field_or_one_given_is_a_non_field_error():
    exc = DjangoValidationError(
        "%(count)d tokens already.", code="limit", params={"count": 10}
    )
    assert drf_validation_error(exc).detail == {
        "non_field_errors": ["10 tokens already."]
    }
