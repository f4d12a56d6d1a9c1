from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin import ProtectedLookupsMixin, ViewOnlyAdmin
from privacy.admin_mixins import AuditedAdminMixin
from privacy.models import AuditEvent, DataSubjectRequest, ExportArchive
from privacy.requests import selectors
from privacy.requests import services as dsr
from privacy.requests.forms import ExtendForm, ReasonForm


class DueFilter(admin.SimpleListFilter):
    """Overdue and due-this-week, as ``privacy.requests.selectors`` says."""

    title = _("due")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("week", _("Due within 7 days"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return selectors.dsr_overdue(now=timezone.now(), qs=queryset)
        if self.value() == "week":
            return selectors.dsr_due_soon(now=timezone.now(), qs=queryset)
        return queryset


def _dsr_action(description: str, permission: str):
    """An admin action that calls ``call(obj, request)`` for each selected request."""

    def wrap(call):
        def action(modeladmin, request, queryset):
            done = 0
            for obj in queryset:
                try:
                    call(modeladmin, obj, request)
                except ValidationError as exc:
                    modeladmin.message_user(
                        request, f"{obj}: {' '.join(exc.messages)}", messages.ERROR
                    )
                else:
                    done += 1
            if done:
                modeladmin.message_user(
                    request,
                    _("%(action)s: %(n)d request(s).")
                    % {"action": description, "n": done},
                    messages.SUCCESS,
                )

        action.__name__ = call.__name__
        return admin.action(description=description, permissions=[permission])(action)

    return wrap


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(
    AuditedAdminMixin, ProtectedLookupsMixin, admin.ModelAdmin
):
    """The request queue. Nothing is edited by hand: every change is an action
    that calls the same services as the site, and each is audited."""

    list_display = (
        "pk",
        "kind",
        "status",
        "email",
        "received_at",
        "due",
        "days_left",
    )
    list_filter = (DueFilter, "kind", "status")
    search_fields = ("email",)
    date_hierarchy = "received_at"
    list_select_related = ("subject",)
    ordering = ("-received_at",)
    actions = [
        "verify",
        "start",
        "build_export",
        "execute_erasure",
        "apply_restriction",
        "notify_restriction_lift",
        "lift_restriction",
        "extend",
        "complete",
        "reject",
    ]
    exclude = ("token_hash",)
    readonly_fields = (
        "kind",
        "status",
        "subject",
        "email",
        "details",
        "received_at",
        "due_at",
        "extended_due_at",
        "extension_reason",
        "verification_method",
        "token_expires_at",
        "verified_at",
        "started_at",
        "completed_at",
        "rejected_at",
        "rejection_reason",
        "legal_exceptions",
        "recipients_notified",
        "restriction_applied_at",
        "restriction_lift_notified_at",
        "restriction_lifted_at",
        "erased_at",
        "anonymised_at",
        "export_state",
        "audit_trail",
    )

    def get_queryset(self, request):
        return selectors.dsr_due_annotated(super().get_queryset(request))

    @admin.display(description=_("due"), ordering="effective_due")
    def due(self, obj):
        return obj.effective_due_at

    @admin.display(description=_("days left"))
    def days_left(self, obj):
        return obj.days_left if obj.is_open else "-"

    @admin.display(description=_("export"))
    def export_state(self, obj):
        archive = getattr(obj, "export", None)
        if archive is None:
            return "-"
        return f"{archive.get_status_display()} ({archive.progress}%)"

    @admin.display(description=_("audit trail"))
    def audit_trail(self, obj):
        events = (
            AuditEvent.objects.filter(
                target_type=DataSubjectRequest._meta.label_lower, target_id=str(obj.pk)
            )
            .select_related("actor")
            .order_by("at", "pk")
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (f"{timezone.localtime(e.at):%Y-%m-%d %H:%M}", e.action, e.actor or "-")
                for e in events
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("when"),
            _("what"),
            _("who"),
            rows,
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_process_permission(self, request):
        return request.user.has_perm("privacy.process_datasubjectrequest")

    def has_erase_permission(self, request):
        return request.user.has_perm("privacy.execute_erasure")

    def has_restrict_permission(self, request):
        return request.user.has_perm("privacy.apply_restriction")

    @staticmethod
    def _base_url(request) -> str:
        return request.build_absolute_uri("/")

    @_dsr_action(_("Verify the requester"), "process")
    def verify(self, obj, request):
        dsr.dsr_verify(request=obj, actor=request.user)

    @_dsr_action(_("Start"), "process")
    def start(self, obj, request):
        dsr.dsr_start(request=obj, actor=request.user)

    @_dsr_action(_("Build the export (access, portability)"), "process")
    def build_export(self, obj, request):
        dsr.dsr_export_request(
            request=obj, actor=request.user, base_url=self._base_url(request)
        )

    @_dsr_action(_("Execute erasure"), "erase")
    def execute_erasure(self, obj, request):
        dsr.dsr_erasure_execute(
            request=obj, actor=request.user, base_url=self._base_url(request)
        )

    @_dsr_action(_("Apply restriction"), "restrict")
    def apply_restriction(self, obj, request):
        dsr.dsr_restriction_apply(
            request=obj, actor=request.user, base_url=self._base_url(request)
        )

    @_dsr_action(_("Tell the member the restriction will be lifted"), "restrict")
    def notify_restriction_lift(self, obj, request):
        dsr.dsr_restriction_lift_notify(request=obj, actor=request.user)

    @_dsr_action(_("Lift restriction (after telling the member)"), "restrict")
    def lift_restriction(self, obj, request):
        dsr.dsr_restriction_lift(request=obj, actor=request.user)

    @_dsr_action(_("Complete"), "process")
    def complete(self, obj, request):
        dsr.dsr_complete(
            request=obj, actor=request.user, base_url=self._base_url(request)
        )

    def _with_reason(self, request, queryset, *, form_class, title, call):
        """An intermediate page asking for the reason; nothing changes without it."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done = 0
            for obj in queryset:
                try:
                    call(obj, form.cleaned_data)
                except ValidationError as exc:
                    self.message_user(
                        request, f"{obj}: {' '.join(exc.messages)}", messages.ERROR
                    )
                else:
                    done += 1
            if done:
                self.message_user(
                    request,
                    _("%(action)s: %(n)d request(s).") % {"action": title, "n": done},
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "queryset": queryset,
            "action": request.POST.get("action", ""),
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request,
            "admin/privacy/dsr_reason.html",
            context,
            status=400 if form.errors else 200,
        )

    @admin.action(
        description=_("Extend the deadline (with a reason)"), permissions=["process"]
    )
    def extend(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            form_class=ExtendForm,
            title=_("Extend the deadline"),
            call=lambda obj, data: dsr.dsr_extend(
                request=obj,
                actor=request.user,
                months=data["months"],
                reason=data["reason"],
                base_url=self._base_url(request),
            ),
        )

    @admin.action(description=_("Reject (with a reason)"), permissions=["process"])
    def reject(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            form_class=ReasonForm,
            title=_("Reject"),
            call=lambda obj, data: dsr.dsr_reject(
                request=obj, actor=request.user, reason=data["reason"]
            ),
        )


@admin.register(ExportArchive)
class ExportArchiveAdmin(ViewOnlyAdmin):
    """Read-only: archives are built by the export task and deleted on expiry."""

    list_display = ("request", "status", "progress", "size", "expires_at")
    list_filter = ("status",)
    exclude = ("token_hash", "file")
