"""Staff write, preview, test and send messages to members here.

Who may do what: staff with the model's view permission see messages and
their previews; change permission edits drafts; only the custom permission
``mailings.send_mailing`` sends a test, sends, resumes or cancels (the
services check it again). A message that left the draft state is read-only.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import ProtectedLookupsMixin
from mailings import services
from mailings.models import Mailing
from mailings.selectors import (
    LANGUAGES,
    mailing_audience,
    mailing_delivery_counts,
    mailing_list_with_counts,
    mailing_preview,
)

LANGUAGE_NAMES = {"da": _("Danish"), "en": _("English")}


def _steps() -> dict:
    """The confirmed steps: (title, explanation, button, service, the
    statuses it applies to)."""
    return {
        "test": (
            _("Send a test to myself"),
            _(
                "The message goes to your own address, once in Danish and once "
                "in English, marked as a test. No member gets it and no delivery "
                "is recorded."
            ),
            _("Send the test"),
            services.mailing_test_send,
            (Mailing.Status.DRAFT, Mailing.Status.SENDING, Mailing.Status.SENT),
        ),
        "send": (
            _("Send to members"),
            _(
                "The message goes to every member of the audience who may get it, "
                "in their language, at the configured rate. Once sending starts "
                "the message can no longer be changed."
            ),
            _("Send now"),
            services.mailing_send_start,
            (Mailing.Status.DRAFT,),
        ),
        "resume": (
            _("Resume sending"),
            _(
                "Sending goes on from the members not yet mailed; nobody gets the "
                "message twice."
            ),
            _("Resume"),
            services.mailing_resume,
            (Mailing.Status.SENDING, Mailing.Status.SENT),
        ),
        "cancel": (
            _("Cancel the message"),
            _("Members not yet mailed will not get it. This cannot be undone."),
            _("Cancel the message"),
            services.mailing_cancel,
            (Mailing.Status.DRAFT, Mailing.Status.SENDING),
        ),
    }


@admin.register(Mailing)
class MailingAdmin(ProtectedLookupsMixin, admin.ModelAdmin):
    change_form_template = "admin/mailings/mailing/change_form.html"
    list_display = (
        "__str__",
        "kind",
        "audience",
        "status",
        "created_at",
        "sent_at",
        "delivered",
        "opened",
    )
    list_filter = ("status", "kind", "audience")
    search_fields = ("subject_da", "subject_en")
    fields = (
        "kind",
        "audience",
        "subject_da",
        "body_da",
        "subject_en",
        "body_en",
        "status",
        "created_by",
        "created_at",
        "sent_by",
        "sending_started_at",
        "sent_at",
        "cancelled_at",
        "skipped_count",
    )
    readonly_fields = (
        "status",
        "created_by",
        "created_at",
        "sent_by",
        "sending_started_at",
        "sent_at",
        "cancelled_at",
        "skipped_count",
    )
    list_select_related = False
    # No bulk delete: a message that went out keeps its record of deliveries
    # (a draft is deleted from its own page).
    actions = None

    def get_queryset(self, request):
        return mailing_list_with_counts(super().get_queryset(request))

    @admin.display(description=_("delivered"))
    def delivered(self, obj) -> int:
        return getattr(obj, "delivered_count", 0)

    @admin.display(description=_("opened (members who allow tracking)"))
    def opened(self, obj) -> int:
        return getattr(obj, "opened_count", 0)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and not obj.is_editable:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        obj.save()

    @staticmethod
    def may_send(request) -> bool:
        return request.user.has_perm(services.SEND_PERMISSION)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        mailing = self.get_object(request, object_id)
        extra = {"may_send": self.may_send(request)}
        if mailing is not None:
            extra["delivery_counts"] = mailing_delivery_counts(mailing=mailing)
            extra["opened_count"] = mailing.opened_count
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), **extra}
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="mailings_mailing_preview",
            ),
            path(
                "<int:pk>/step/<str:step>/",
                self.admin_site.admin_view(self.step_view),
                name="mailings_mailing_step",
            ),
            *super().get_urls(),
        ]

    def _context(self, request, mailing, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "mailing": mailing,
            "change_url": reverse("admin:mailings_mailing_change", args=[mailing.pk]),
            **extra,
        }

    def preview_view(self, request, pk: int):
        """The mail as a member gets it, in both languages, headers included."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        mailing = get_object_or_404(Mailing, pk=pk)
        previews = []
        for language in LANGUAGES:
            message = mailing_preview(
                mailing=mailing, user=request.user, language=language
            )
            html = next(
                (
                    content
                    for content, mimetype in message.alternatives
                    if mimetype == "text/html"
                ),
                "",
            )
            headers = {
                "From": message.from_email,
                "To": ", ".join(message.to),
                "Subject": message.subject,
                **message.extra_headers,
            }
            previews.append(
                {
                    "language": language,
                    "language_name": LANGUAGE_NAMES[language],
                    "headers": headers,
                    "text": message.body,
                    "html": html,
                }
            )
        return TemplateResponse(
            request,
            "admin/mailings/mailing_preview.html",
            self._context(
                request,
                mailing,
                title=gettext("Preview: %(subject)s") % {"subject": mailing},
                previews=previews,
            ),
        )

    def step_view(self, request, pk: int, step: str):
        """GET: what the step does (confirmation); POST: do it."""
        steps = _steps()
        if step not in steps:
            raise PermissionDenied
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        if not self.may_send(request):
            raise PermissionDenied
        mailing = get_object_or_404(Mailing, pk=pk)
        title, explanation, button, service, statuses = steps[step]
        change_url = reverse("admin:mailings_mailing_change", args=[mailing.pk])
        if mailing.status not in statuses:
            self.message_user(
                request,
                gettext("This cannot be done to a message that is %(status)s.")
                % {"status": mailing.get_status_display().lower()},
                messages.ERROR,
            )
            return HttpResponseRedirect(change_url)
        if request.method == "POST":
            try:
                service(mailing=mailing, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, gettext("Done: %(step)s.") % {"step": title})
            return HttpResponseRedirect(change_url)
        audience_size = (
            mailing_audience(mailing=mailing).count() if step == "send" else None
        )
        return TemplateResponse(
            request,
            "admin/mailings/mailing_confirm.html",
            self._context(
                request,
                mailing,
                title=title,
                explanation=explanation,
                button=button,
                audience_size=audience_size,
                is_marketing=mailing.kind == Mailing.Kind.MARKETING,
            ),
        )
