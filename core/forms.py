"""Form helpers every app's views use."""

from django.core.exceptions import ValidationError


def form_errors_add(form, exc: ValidationError, *, field: str | None = None) -> None:
    """A service's ValidationError shown on ``form``: errors of the form's
    fields beside them, the rest (and errors raised without a field, unless
    ``field`` names one) at the top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(field, exc)
