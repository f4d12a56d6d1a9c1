"""One JSON shape for every API error: {"detail": ..., "errors": {field: [...]}}.

Services raise Django's ``ValidationError``; an API view turns it into DRF's
with ``drf_validation_error`` (the one conversion), and ``exception_handler``
gives it the shape above.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def drf_validation_error(
    exc: DjangoValidationError, *, field: str | None = None
) -> ValidationError:
    """A service's Django ``ValidationError`` as DRF's, for a 400 with field errors.

    Errors raised per field keep their field names (Django's ``__all__`` is
    DRF's ``non_field_errors``); errors raised without one are filed under
    ``field``, or under ``non_field_errors`` when no field is given.
    """
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    if hasattr(exc, "error_dict"):
        errors = dict(exc.message_dict)
        if NON_FIELD_ERRORS in errors:
            errors[non_field] = errors.pop(NON_FIELD_ERRORS)
        return ValidationError(errors)
    return ValidationError({field or non_field: exc.messages})


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        errors = response.data
        if isinstance(errors, list):
            errors = {"non_field_errors": errors}
        response.data = {"detail": "Invalid input.", "errors": errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": response.data["detail"], "errors": {}}
    return response
