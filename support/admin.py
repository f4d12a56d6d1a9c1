"""The support desk: staff work verified tickets here.

What must never happen, and how it is prevented:
- A visitor's ticket seen before its link was opened: the queryset is
  ``selectors.ticket_queue()`` (verified tickets only), so an unverified one
  has no changelist row and its change page is a 404.
- A change without an audit event: the change form saves nothing (view-only);
  reply, note, assignment and status are POSTs to views that call the
  services, which audit in the same transaction. Opening a ticket or its
  attachment is recorded by ``privacy.middleware`` (a GET of the object).
- The attachment's storage asked for a URL (it has none; Django's file widget
  would answer 500): ``PrivateFileAdminMixin`` shows the name, linked to
  ``<pk>/attachment/``, which checks the view permission.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.admin import PrivateFileAdminMixin, ViewOnlyAdmin
from support import selectors, services
from support.models import MAX_MESSAGE, Ticket, TicketMessage
from support.views import attachment_response


class AssignedFilter(admin.SimpleListFilter):
    title = _("assigned to")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return (("me", _("Me")), ("nobody", _("Nobody")))

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


class WaitingForUsFilter(admin.SimpleListFilter):
    title = _("waiting for customer service")
    parameter_name = "waiting_for_us"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")),)

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status__in=Ticket.AWAITING_STAFF)
        return queryset


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Nobody"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = get_user_model().objects.filter(
            is_staff=True, is_active=True
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Ticket.Status.choices)


@admin.register(Ticket)
class TicketAdmin(PrivateFileAdminMixin, ViewOnlyAdmin):
    change_form_template = "admin/support/ticket/change_form.html"
    list_display = (
        "number",
        "topic",
        "status",
        "requester",
        "assigned_to",
        "last_activity_at",
        "created_at",
    )
    list_filter = (
        WaitingForUsFilter,
        AssignedFilter,
        "status",
        "topic",
    )
    list_select_related = ("user", "assigned_to")
    search_fields = ("user__email", "email")
    date_hierarchy = "created_at"
    fields = (
        "requester",
        "topic",
        "status",
        "assigned_to",
        "language",
        "created_at",
        "verified_at",
        "last_activity_at",
        "closed_at",
        "attachment",
    )
    readonly_fields = fields
    protected_lookup_fields = ("messages",)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Tickets go by retention or erasure, never by hand.
        return False

    def get_queryset(self, request):
        return selectors.ticket_queue().select_related("user", "assigned_to")

    @admin.display(description=_("ticket"), ordering="pk")
    def number(self, obj):
        return f"#{obj.pk}"

    @admin.display(description=_("from"))
    def requester(self, obj):
        if obj.user_id:
            return obj.user.email
        return gettext("%(email)s (visitor)") % {"email": obj.email}

    def private_file_url(self, obj, name: str) -> str | None:
        if name == "attachment" and obj.attachment:
            return reverse("admin:support_ticket_attachment", args=[obj.pk])
        return None

    def get_urls(self):
        def route(suffix, view, name):
            return path(
                f"<int:pk>/{suffix}/",
                self.admin_site.admin_view(view),
                name=f"support_ticket_{name}",
            )

        return [
            route("attachment", self.attachment_view, "attachment"),
            route("reply", require_POST(self.reply_view), "reply"),
            route("note", require_POST(self.note_view), "note"),
            route("assign", require_POST(self.assign_view), "assign"),
            route("status", require_POST(self.status_view), "status"),
            *super().get_urls(),
        ]

    @staticmethod
    def _may_work(request) -> bool:
        return request.user.has_perm("support.change_ticket")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        ticket = self.get_object(request, object_id)
        extra = {}
        if ticket is not None:
            extra = {
                "ticket_messages": TicketMessage.objects.filter(ticket=ticket)
                .select_related("author")
                .order_by("created_at", "pk"),
                "may_work": self._may_work(request),
                "reply_form": MessageForm(prefix="reply"),
                "note_form": MessageForm(prefix="note"),
                "assign_form": AssignForm(initial={"assignee": ticket.assigned_to_id}),
                "status_form": StatusForm(initial={"status": ticket.status}),
            }
        extra_context = {**(extra_context or {}), **extra}
        return super().change_view(request, object_id, form_url, extra_context)

    def _ticket(self, request, pk: int) -> Ticket:
        ticket = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, ticket):
            raise PermissionDenied
        return ticket

    def attachment_view(self, request, pk: int):
        return attachment_response(self._ticket(request, pk))

    def _act(self, request, pk: int, form_class, action, done: str, **form_kwargs):
        if not self._may_work(request):
            raise PermissionDenied
        ticket = self._ticket(request, pk)
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                action(ticket, form.cleaned_data)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, done, messages.SUCCESS)
        else:
            errors = [e for field in form.errors.values() for e in field]
            self.message_user(request, " ".join(errors), messages.ERROR)
        return HttpResponseRedirect(
            reverse("admin:support_ticket_change", args=[ticket.pk])
        )

    def reply_view(self, request, pk: int):
        return self._act(
            request,
            pk,
            MessageForm,
            lambda ticket, data: services.ticket_reply(
                ticket=ticket,
                actor=request.user,
                body=data["body"],
                base_url=request.build_absolute_uri("/"),
            ),
            gettext("The reply was sent."),
            prefix="reply",
        )

    def note_view(self, request, pk: int):
        return self._act(
            request,
            pk,
            MessageForm,
            lambda ticket, data: services.ticket_note_add(
                ticket=ticket, actor=request.user, body=data["body"]
            ),
            gettext("The note was added."),
            prefix="note",
        )

    def assign_view(self, request, pk: int):
        return self._act(
            request,
            pk,
            AssignForm,
            lambda ticket, data: services.ticket_assign(
                ticket=ticket, actor=request.user, assignee=data["assignee"]
            ),
            gettext("The ticket was assigned."),
        )

    def status_view(self, request, pk: int):
        return self._act(
            request,
            pk,
            StatusForm,
            lambda ticket, data: services.ticket_status_set(
                ticket=ticket, actor=request.user, status=data["status"]
            ),
            gettext("The status was changed."),
        )
