"""The contact and reply forms: they parse input into types; the rules
(required text, known topic, the attachment checks) are the services', whose
ValidationError the views put on these forms (``core.forms.form_errors_add``).
Field names are the services' keyword names."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.text import ControlCharacterFormMixin
from support.models import MAX_MESSAGE, Ticket


class ContactForm(ControlCharacterFormMixin, forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=Ticket.Topic.choices)
    body = forms.CharField(
        label=_("Your message"),
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_("A PDF or Word (.docx) file, up to 10 MB."),
    )


class VisitorContactForm(ContactForm):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_(
            "We send a link to this address; we read your message once you "
            "have opened it."
        ),
    )
    field_order = ["email", "topic", "body", "attachment"]


class ReplyForm(ControlCharacterFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
