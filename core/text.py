"""Control characters at the input boundaries.

PostgreSQL refuses NUL in text (a query with one raises DataError: a 500), and
a line break in a single-line value (a name) ends up in e-mail headers and
log lines. ``ControlCharacterMiddleware`` (core.middleware) refuses them in
paths, query strings and form posts; the validators and mixins here refuse
line breaks in single-line fields of forms and serializers with a field error.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

#: Control characters no text value may hold: C0 except tab, CR and LF; DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: What a single-line value may not hold: every C0 control, DEL, and the
#: Unicode line and paragraph separators.
LINE_BREAKS_AND_CONTROLS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


class _Refuse:
    """A validator refusing values in which ``pattern`` is found.

    Not a RegexValidator: OpenAPI generators turn those into a ``pattern`` the
    value must match, inverting the meaning of ``inverse_match``.
    """

    def __init__(self, pattern: re.Pattern, message, code: str = "control_characters"):
        self.pattern, self.message, self.code = pattern, message, code

    def __call__(self, value) -> None:
        if isinstance(value, str) and self.pattern.search(value):
            raise ValidationError(self.message, code=self.code)


validate_no_control_characters = _Refuse(
    CONTROL_CHARACTERS, _("Remove the control characters from this text.")
)
validate_single_line = _Refuse(
    LINE_BREAKS_AND_CONTROLS,
    _("Use a single line, without line breaks or control characters."),
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
