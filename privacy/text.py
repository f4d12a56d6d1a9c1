"""Control characters at the input boundaries.

PostgreSQL refuses NUL in text (a query with one raises DataError: a 500), and
a line break in a single-line value (a name) ends up in e-mail headers and
log lines. ``ControlCharacterMiddleware`` (worksome.middleware) refuses them in
paths, query strings and form posts; the validators and mixins here refuse
line breaks in single-line fields of forms and serializers with a field error.
"""

from __future__ import annotations

import re

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

#: Control characters no text value may hold: C0 except tab, CR and LF; DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: What a single-line value may not hold: every C0 control, DEL, and the
#: Unicode line and paragraph separators.
LINE_BREAKS_AND_CONTROLS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")

validate_no_control_characters = RegexValidator(
    CONTROL_CHARACTERS,
    message=_("Remove the control characters from this text."),
    code="control_characters",
    inverse_match=True,
)
validate_single_line = RegexValidator(
    LINE_BREAKS_AND_CONTROLS,
    message=_("Use a single line, without line breaks or control characters."),
    code="control_characters",
    inverse_match=True,
)


def has_control_characters(value: str, *, single_line: bool = False) -> bool:
    pattern = LINE_BREAKS_AND_CONTROLS if single_line else CONTROL_CHARACTERS
    return bool(pattern.search(value))


class ControlCharacterFormMixin:
    """Text inputs hold one line; text areas no control but tab and line breaks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field, forms.CharField):
                continue
            multi_line = isinstance(field.widget, forms.Textarea)
            field.validators.append(
                validate_no_control_characters if multi_line else validate_single_line
            )


class ControlCharacterSerializerMixin:
    """The same for serializers: a text field rendered as a text area may hold
    line breaks; every other text field holds one line."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            if not isinstance(field, serializers.CharField) or field.read_only:
                continue
            multi_line = field.style.get("base_template") == "textarea.html"
            field.validators.append(
                validate_no_control_characters if multi_line else validate_single_line
            )
        return fields
