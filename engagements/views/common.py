"""What the engagement views share: a refusal shown at the top of a page,
and a contract's or an invoice's PDF streamed from private storage."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.http import FileResponse, Http404


def form_errors_take(form) -> list[str]:
    """A refused form's errors for the summary at the top of the page, seen
    even where the form itself is not on the page for this user: the errors
    of no field are taken off the form (shown once, there); a field's are
    named by its label and stay beside the field too."""
    errors = list(form.non_field_errors())
    form.errors.pop(NON_FIELD_ERRORS, None)
    for name, field_errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else name
        errors.extend(f"{label}: {error}" for error in field_errors)
    return errors


def pdf_response(file, *, filename: str) -> FileResponse:
    """``file`` (a FieldFile in private storage) as a download; 404 while the
    PDF is not built yet (or its file is gone)."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
